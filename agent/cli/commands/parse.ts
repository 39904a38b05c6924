/**
 * `vmpath parse <kind> [FILE|-] [--json]`: parse captured multipath-tools / dmsetup output with
 * the parsers the agent uses and print it in one shape (docs/parse-schema.md):
 *
 *   { "kind": K, "maps": [ { name, wwid?, dm?, groups: [ { index, state?, selector?, priority?,
 *       paths: [ { dev?, devT?, dmState?, checkerState?, deviceState?, priority?, failCount? } ] } ] } ] }
 *
 * and for `multipathd-paths` `{ "kind", "paths": [...] }`. Fields a format lacks are left out.
 */
import { readFile } from 'node:fs/promises';
import type { CliIo, Command } from '../command';
import { UsageError } from '../../model/errors';
import {
  parseDmMultipathStatus,
  parseDmMultipathTable,
  parseDmsetupLines,
  parseMultipathdJson,
  parseShowPaths,
  parseTopologyText,
  type ShowPath,
} from '../../observe/multipath';

export const PARSE_KINDS = [
  'multipathd-json',
  'multipathd-paths',
  'topology',
  'dmsetup-table',
  'dmsetup-status',
] as const;
export type ParseKind = (typeof PARSE_KINDS)[number];

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
  | { readonly kind: Exclude<ParseKind, 'multipathd-paths'>; readonly maps: readonly ParsedMap[] }
  | { readonly kind: 'multipathd-paths'; readonly paths: readonly ShowPath[] };

const FLAG_STATE = { A: 'active', E: 'enabled', D: 'disabled' } as const;

function multipathLines(text: string, source: string) {
  return parseDmsetupLines(text, source).filter((l) => l.target === 'multipath');
}

/** Parse `text` as `kind`; throws ParseError on malformed input. */
export function parseAs(kind: ParseKind, text: string, source: string): ParseOutput {
  switch (kind) {
    case 'multipathd-paths':
      return { kind, paths: parseShowPaths(text, source) };
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

function table(rows: readonly (readonly string[])[], indent: string): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd() +
        '\n',
    )
    .join('');
}

/** The readable form printed without --json. */
export function parseOutputText(out: ParseOutput): string {
  if (out.kind === 'multipathd-paths') {
    if (out.paths.length === 0) return 'no paths\n';
    const head = ['HCIL', 'DEV', 'DEV_T', 'PRI', 'DM', 'CHECKER', 'DEVICE'];
    const rows = out.paths.map((p) => [
      p.hcil,
      p.dev,
      p.devT ?? '#:#',
      String(p.priority),
      p.dmState,
      p.checkerText,
      p.deviceState,
    ]);
    return table([head, ...rows], '');
  }
  if (out.maps.length === 0) return 'no multipath maps\n';
  return out.maps.map(mapText).join('\n');
}

const defined = (cells: readonly (string | undefined)[]): string[] =>
  cells.filter((c): c is string => c !== undefined);

/** One map: a head line, then per group a line and its paths (fields the format lacks left out). */
function mapText(m: ParsedMap): string {
  const head = defined([m.name, m.wwid === undefined ? undefined : `(${m.wwid})`, m.dm]).join(' ');
  const pathRows = m.groups.map((g) =>
    g.paths.map((p) =>
      defined([
        p.dev,
        p.devT,
        p.dmState,
        p.checkerState,
        p.deviceState,
        p.priority === undefined ? undefined : `pri=${p.priority}`,
        p.failCount === undefined ? undefined : `fails=${p.failCount}`,
      ]),
    ),
  );
  const lines = table(pathRows.flat(), '    ').split('\n');
  let next = 0;
  const body = m.groups.map((g, i) => {
    const prio = g.priority === undefined ? undefined : `prio=${g.priority}`;
    const own = lines.slice(next, next + (pathRows[i]?.length ?? 0));
    next += own.length;
    return [`  ${defined([`group ${g.index}`, g.state, g.selector, prio]).join('  ')}`, ...own].join('\n');
  });
  return [head, ...body].join('\n') + '\n';
}

async function readInput(file: string | undefined, io: CliIo): Promise<string> {
  if (file === undefined || file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`parse: cannot read ${file}: ${(e as Error).message}`, { file });
  }
}

export const parseCommand: Command = {
  name: 'parse',
  summary: 'parse captured multipathd / multipath / dmsetup output and print maps, groups and paths',
  usage: `vmpath parse <${PARSE_KINDS.join('|')}> [FILE|-] [--json]`,
  description: [
    'Reads FILE (or stdin for `-` or no FILE) with the parsers the agent uses. Kinds:',
    '  multipathd-json   `multipathd show maps json` (or `show map M json`)',
    '  multipathd-paths  `multipathd show paths` (padded text table)',
    '  topology          `multipath -ll` or `multipathd show topology`',
    '  dmsetup-table     `dmsetup table` (multipath targets; others are skipped)',
    '  dmsetup-status    `dmsetup status` (multipath targets; others are skipped)',
    'The --json output is documented in docs/parse-schema.md. Malformed input exits 1 with',
    'VMPATH_E_PARSE naming the line.',
    '',
    'Examples:',
    '  multipath -ll | vmpath parse topology',
    '  vmpath parse dmsetup-status status.txt --json',
  ].join('\n'),
  options: {},
  async run(args, io) {
    const [kind, file, ...extra] = args.positionals;
    if (kind === undefined) throw new UsageError(`parse: missing kind (${PARSE_KINDS.join(', ')})`);
    if (!(PARSE_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`parse: unknown kind '${kind}' (expected ${PARSE_KINDS.join(', ')})`);
    if (extra.length > 0) throw new UsageError(`parse: unexpected argument '${extra[0]}'`);
    const text = await readInput(file, io);
    const source = file === undefined || file === '-' ? `${kind} (stdin)` : file;
    const out = parseAs(kind as ParseKind, text, source);
    io.out(args.values.json ? JSON.stringify(out, null, 2) + '\n' : parseOutputText(out));
    return 0;
  },
};
