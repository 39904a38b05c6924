/**
 * The kinds `vmpath parse` reads and the one output shape each becomes (docs/parse-schema.md):
 * every format observe reads, through the parsers observe itself uses.
 */
import {
  parseDmMultipathStatus,
  parseDmMultipathTable,
  parseDmsetupLines,
  parseMultipathdColumns,
  parseMultipathdJson,
  parseMultipathdRaw,
  parseTopologyText,
  showMapsOf,
  showPathsOf,
  type ShowMap,
  type ShowPath,
  type TextTable,
} from '../../observe/multipath';

export const PARSE_KINDS = [
  'multipathd-json',
  'multipathd-paths',
  'multipathd-maps',
  'topology',
  'dmsetup-table',
  'dmsetup-status',
] as const;
export type ParseKind = (typeof PARSE_KINDS)[number];

/** Kinds that also come as `show ... raw format` (no header: the caller names the columns). */
export const RAW_KINDS: ReadonlySet<ParseKind> = new Set(['multipathd-paths', 'multipathd-maps']);

/**
 * How to read `show paths|maps raw format "..."` output: the header names of the wildcards, in
 * the order of the format string, and the separator between them.
 */
export interface RawFormat {
  readonly columns: readonly string[];
  readonly separator: string;
}

/** One path in `vmpath parse` output; absent fields are not in the format. */
export interface ParsedPath {
  readonly dev?: string;
  readonly devT?: string;
  readonly dmState?: 'active' | 'failed' | 'undef';
  readonly checkerState?: string;
  readonly deviceState?: string;
  readonly priority?: number;
  readonly failCount?: number;
}

export interface ParsedGroup {
  /** 1-based. */
  readonly index: number;
  readonly state?: 'active' | 'enabled' | 'disabled' | 'undef';
  /** Selector with its arg count, as multipathd prints it: `service-time 0`. */
  readonly selector?: string;
  readonly priority?: number;
  readonly paths: readonly ParsedPath[];
}

export interface ParsedMap {
  readonly name: string;
  readonly wwid?: string;
  readonly dm?: string;
  readonly groups: readonly ParsedGroup[];
}

export type ParseOutput =
  | {
      readonly kind: Exclude<ParseKind, 'multipathd-paths' | 'multipathd-maps'>;
      readonly maps: readonly ParsedMap[];
    }
  | { readonly kind: 'multipathd-paths'; readonly paths: readonly ShowPath[] }
  | { readonly kind: 'multipathd-maps'; readonly maps: readonly ShowMap[] };

const FLAG_STATE = { A: 'active', E: 'enabled', D: 'disabled' } as const;

function multipathLines(text: string, source: string) {
  return parseDmsetupLines(text, source).filter((l) => l.target === 'multipath');
}

/** The padded table, or the raw one when the caller names its columns. */
function textTable(text: string, source: string, raw: RawFormat | undefined): TextTable {
  return raw
    ? parseMultipathdRaw(text, raw.columns, raw.separator, source)
    : parseMultipathdColumns(text, source);
}

/**
 * Parse `text` as `kind`; throws ParseError on malformed input. `raw` (only for RAW_KINDS)
 * reads `show ... raw format` output instead of the padded table.
 */
export function parseAs(kind: ParseKind, text: string, source: string, raw?: RawFormat): ParseOutput {
  switch (kind) {
    case 'multipathd-paths':
      return { kind, paths: showPathsOf(textTable(text, source, raw), source) };
    case 'multipathd-maps':
      return { kind, maps: showMapsOf(textTable(text, source, raw), source) };
    case 'multipathd-json':
      return {
        kind,
        maps: parseMultipathdJson(text, source).maps.map((m) => ({
          name: m.name,
          wwid: m.wwid,
          ...(m.sysfs === undefined ? {} : { dm: m.sysfs }),
          groups: m.groups.map((g) => ({
            index: g.index,
            state: g.state,
            selector: g.selector,
            priority: g.priority,
            paths: g.paths.map((p) => ({
              dev: p.dev,
              ...(p.devT === undefined ? {} : { devT: p.devT }),
              dmState: p.dmState,
              checkerState: p.checkerState,
              deviceState: p.devState,
              priority: p.priority,
            })),
          })),
        })),
      };
    case 'topology':
      return {
        kind,
        maps: parseTopologyText(text, source).map((m) => ({
          name: m.name,
          wwid: m.wwid,
          dm: m.dm,
          groups: m.groups.map((g) => ({
            index: g.index,
            state: g.state,
            selector: g.selector,
            ...(g.priority < 0 ? {} : { priority: g.priority }),
            paths: g.paths.map((p) => ({
              dev: p.dev,
              ...(p.devT === undefined ? {} : { devT: p.devT }),
              dmState: p.dmState,
              checkerState: p.checkerState,
              deviceState: p.deviceState,
            })),
          })),
        })),
      };
    case 'dmsetup-table':
      return {
        kind,
        maps: multipathLines(text, source).map((l) => ({
          name: l.name,
          groups: parseDmMultipathTable(l.params, `${source}: line ${l.line}`).groups.map((g) => ({
            index: g.index,
            selector: [g.selector, String(g.selectorArgs.length), ...g.selectorArgs].join(' '),
            paths: g.paths.map((p) => ({ devT: p.devT })),
          })),
        })),
      };
    case 'dmsetup-status':
      return {
        kind,
        maps: multipathLines(text, source).map((l) => ({
          name: l.name,
          groups: parseDmMultipathStatus(l.params, `${source}: line ${l.line}`).groups.map((g) => ({
            index: g.index,
            state: FLAG_STATE[g.flag],
            paths: g.paths.map((p) => ({
              devT: p.devT,
              dmState: p.active ? 'active' : 'failed',
              failCount: p.failCount,
            })),
          })),
        })),
      };
  }
}
