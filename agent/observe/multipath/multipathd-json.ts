/**
 * Parser for `multipathd show maps json` (`{"maps": [...]}`) and `multipathd show map M json`
 * (`{"map": {...}}`), JSON format 0.1 as printed by multipath-tools 0.9.x (and unchanged since).
 *
 * Facts about the format (libmultipath print.c, and the real output in test/fixtures):
 * - multipathd prints strings without escaping them (0.9.4 up to the newest release), so a `"`
 *   or `\` in a vendor string or an alias makes the text invalid JSON, or worse, valid JSON
 *   with another value. Every string line is therefore re-escaped before parsing (each string
 *   value sits alone on its own `"key" : "value",` line, so this is unambiguous); on the usual
 *   output it changes nothing.
 * - `"paths"` counts active paths only; `"switch_grp"` counts multipathd's own switches, not the
 *   CLI's; `"queueing"` and `"features"` lag the kernel after a `dmsetup message`: take those
 *   from the dm table instead.
 * - `"failback"` is `immediate`, `followover`, `-` (manual, or deferred and not counting), or
 *   a progress bar like `XXX.......` while a deferred failback counts down.
 * - `"dev_st"` is multipathd's view (`running` / `offline` / `unknown`), not sysfs state.
 * - unknown values print as `undef`, `[undef]`, `#:#` or `-1`.
 */
import type { CheckerState, GroupState } from '../../model/snapshot';
import { ParseError } from '../../model/errors';
import { repairUnescapedJson } from './json-repair';

export interface MpdPath {
  readonly dev: string;
  /** `MAJ:MIN`, or undefined when multipathd prints `#:#`. */
  readonly devT?: string;
  readonly dmState: 'active' | 'failed' | 'undef';
  /** multipathd's `dev_st`: `running`, `offline` or `unknown`. */
  readonly devState: string;
  /** `chk_st` mapped onto the model's states (`unknown` for values this version does not know). */
  readonly checkerState: CheckerState;
  /** `chk_st` as printed. */
  readonly checkerText: string;
  readonly checker: string;
  /** Path priority; -1 when unknown. */
  readonly priority: number;
  readonly marginal: boolean;
  readonly hostWwnn?: string;
  readonly targetWwnn?: string;
  readonly hostWwpn?: string;
  readonly targetWwpn?: string;
  readonly hostAdapter?: string;
  readonly lunHex?: string;
}

export interface MpdGroup {
  /** 1-based, as multipathd and the kernel number groups. */
  readonly index: number;
  /** As configured, e.g. `service-time 0`. */
  readonly selector: string;
  readonly priority: number;
  readonly state: GroupState | 'undef';
  readonly marginal: boolean;
  readonly paths: readonly MpdPath[];
}

export interface MpdMap {
  readonly name: string;
  readonly wwid: string;
  /** Kernel name `dm-N`, undefined when multipathd prints `undef`. */
  readonly sysfs?: string;
  readonly failback: string;
  /** `on`, `off`, `-`, `N sec`, `N chk` (lags the kernel: use the dm table). */
  readonly queueing: string;
  readonly activePaths: number;
  readonly writeProt: string;
  /** `active`, `suspend` or `undef`. */
  readonly dmState: string;
  readonly features: string;
  readonly hwHandler: string;
  readonly action: string;
  readonly pathFaults: number;
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
  readonly switchGroupCount: number;
  readonly mapLoads: number;
  readonly totalQueueTime: number;
  readonly queueTimeouts: number;
  readonly groups: readonly MpdGroup[];
}

export interface MpdTopology {
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly maps: readonly MpdMap[];
}

/** Every checker state multipathd prints (`chk_st`), shared by the JSON and text parsers. */
export const CHECKER_STATES: ReadonlySet<string> = new Set<CheckerState>([
  'ready',
  'faulty',
  'shaky',
  'ghost',
  'delayed',
  'pending',
  'timeout',
  'removed',
  'i/o pending',
  'i/o timeout',
  'undef',
  'unknown',
]);
const GROUP_STATES: ReadonlySet<string> = new Set(['active', 'enabled', 'disabled', 'undef']);

type Json = Record<string, unknown>;

class Reader {
  constructor(readonly source: string) {}

  fail(where: string, message: string): never {
    throw new ParseError(`${this.source}: ${where}: ${message}`, { source: this.source, where });
  }
  obj(v: unknown, where: string): Json {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(where, 'expected an object');
    return v as Json;
  }
  arr(o: Json, key: string, where: string): unknown[] {
    const v = o[key];
    if (!Array.isArray(v)) this.fail(where, `"${key}" must be an array`);
    return v;
  }
  str(o: Json, key: string, where: string): string {
    const v = o[key];
    if (typeof v !== 'string') this.fail(where, `"${key}" must be a string, found ${JSON.stringify(v)}`);
    return v;
  }
  num(o: Json, key: string, where: string): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v))
      this.fail(where, `"${key}" must be an integer, found ${JSON.stringify(v)}`);
    return v;
  }
  /** A string field that multipathd prints as `[undef]` (or omits) when unknown. */
  opt(o: Json, key: string): string | undefined {
    const v = o[key];
    return typeof v === 'string' && v !== '[undef]' && v !== '' ? v : undefined;
  }
}

/** Parse the JSON text multipathd printed; accepts both the `maps` and the single `map` form. */
export function parseMultipathdJson(text: string, source = 'multipathd show maps json'): MpdTopology {
  const r: Reader = new Reader(source);
  let raw: unknown;
  try {
    raw = JSON.parse(repairUnescapedJson(text));
  } catch (err) {
    r.fail('text', `not JSON (${(err as Error).message}); starts ${JSON.stringify(text.slice(0, 60))}`);
  }
  const top = r.obj(raw, 'top level');
  const majorVersion = r.num(top, 'major_version', 'top level');
  const minorVersion = r.num(top, 'minor_version', 'top level');
  if (majorVersion !== 0)
    r.fail('top level', `unsupported JSON format version ${majorVersion}.${minorVersion}`);
  let maps: unknown[];
  if ('maps' in top) maps = r.arr(top, 'maps', 'top level');
  else if ('map' in top) maps = [top.map];
  else r.fail('top level', 'neither "maps" nor "map" present');
  return { majorVersion, minorVersion, maps: maps.map((m, i) => readMap(r, m, `maps[${i}]`)) };
}

function readMap(r: Reader, value: unknown, where: string): MpdMap {
  const m = r.obj(value, where);
  const name = r.str(m, 'name', where);
  const at = `map ${name}`;
  const sysfs = r.str(m, 'sysfs', at);
  return {
    name,
    wwid: r.str(m, 'uuid', at),
    ...(sysfs === 'undef' ? {} : { sysfs }),
    failback: r.str(m, 'failback', at),
    queueing: r.str(m, 'queueing', at),
    activePaths: r.num(m, 'paths', at),
    writeProt: r.str(m, 'write_prot', at),
    dmState: r.str(m, 'dm_st', at),
    features: r.str(m, 'features', at),
    hwHandler: r.str(m, 'hwhandler', at),
    action: r.str(m, 'action', at),
    pathFaults: r.num(m, 'path_faults', at),
    vendor: r.str(m, 'vend', at),
    product: r.str(m, 'prod', at),
    revision: r.str(m, 'rev', at),
    switchGroupCount: r.num(m, 'switch_grp', at),
    mapLoads: r.num(m, 'map_loads', at),
    totalQueueTime: r.num(m, 'total_q_time', at),
    queueTimeouts: r.num(m, 'q_timeouts', at),
    groups: r.arr(m, 'path_groups', at).map((g, i) => readGroup(r, g, `${at} path_groups[${i}]`)),
  };
}

function readGroup(r: Reader, value: unknown, where: string): MpdGroup {
  const g = r.obj(value, where);
  const state = r.str(g, 'dm_st', where);
  if (!GROUP_STATES.has(state)) r.fail(where, `unknown group state ${JSON.stringify(state)}`);
  return {
    index: r.num(g, 'group', where),
    selector: r.str(g, 'selector', where),
    priority: r.num(g, 'pri', where),
    state: state as GroupState | 'undef',
    marginal: r.str(g, 'marginal_st', where) === 'marginal',
    paths: r.arr(g, 'paths', where).map((p, i) => readPath(r, p, `${where} paths[${i}]`)),
  };
}

const OPTIONAL_PATH_FIELDS = [
  ['hostWwnn', 'host_wwnn'],
  ['targetWwnn', 'target_wwnn'],
  ['hostWwpn', 'host_wwpn'],
  ['targetWwpn', 'target_wwpn'],
  ['hostAdapter', 'host_adapter'],
  ['lunHex', 'lun_hex'],
] as const;

const DEV_T = /^\d{1,4}:\d{1,7}$/;

function readPath(r: Reader, value: unknown, where: string): MpdPath {
  const p = r.obj(value, where);
  const dev = r.str(p, 'dev', where);
  const at = `${where} (${dev})`;
  const devT = r.str(p, 'dev_t', at);
  if (devT !== '#:#' && !DEV_T.test(devT))
    r.fail(at, `"dev_t" must be MAJ:MIN, found ${JSON.stringify(devT)}`);
  const dmState = r.str(p, 'dm_st', at);
  if (dmState !== 'active' && dmState !== 'failed' && dmState !== 'undef') {
    r.fail(at, `unknown path dm state ${JSON.stringify(dmState)}`);
  }
  const checkerText = r.str(p, 'chk_st', at);
  const path: { -readonly [K in keyof MpdPath]: MpdPath[K] } = {
    dev,
    ...(devT === '#:#' ? {} : { devT }),
    dmState,
    devState: r.str(p, 'dev_st', at),
    checkerState: CHECKER_STATES.has(checkerText) ? (checkerText as CheckerState) : 'unknown',
    checkerText,
    checker: r.str(p, 'checker', at),
    priority: r.num(p, 'pri', at),
    marginal: r.str(p, 'marginal_st', at) === 'marginal',
  };
  // A plain loop: Object.entries/fromEntries per path was a third of the parse time.
  for (const [field, key] of OPTIONAL_PATH_FIELDS) {
    const v = r.opt(p, key);
    if (v !== undefined) path[field] = v;
  }
  return path;
}
