/**
 * Parser for the tree `multipath -ll` and `multipathd show topology` print:
 *
 *   create: mpatha (1Linux_scsi_debug_2000) dm-0 Linux,scsi_debug      map line
 *   size=64M features='0' hwhandler='1 alua' wp=rw                     map properties
 *   |-+- policy='service-time 0' prio=50 status=active                 group 1
 *   | `- 0:0:0:0 sda 8:0  active ready running                         its paths
 *   `-+- policy='service-time 0' prio=10 status=enabled                group 2
 *     `- 1:0:0:0 sdb 8:16 active ready running
 *
 * Facts (libmultipath print.c, real output in test/fixtures):
 * - the map line may start with an action word (`create:`, `reload:`, `switchpg:`, ...);
 *   `(WWID)` is left out when the alias is the WWID; vendor,product may be missing and the
 *   product may contain spaces;
 * - path columns are padded across the map and the checker state may contain a space
 *   (`i/o pending`), so a path line is read as hcil, dev, dev_t, dm state, then device state
 *   last, with the checker state in between;
 * - marginal path groups and paths get a trailing ` marginal` word.
 */
import type { CheckerState } from '../../model/snapshot';
import { ParseError } from '../../model/errors';
import { checkerStateOf } from './text-columns';

export interface TopologyPath {
  readonly hcil: string;
  readonly dev: string;
  /** `MAJ:MIN`; undefined when printed as `#:#`. */
  readonly devT?: string;
  readonly dmState: 'active' | 'failed' | 'undef';
  readonly checkerState: CheckerState;
  /** The checker state as printed. */
  readonly checkerText: string;
  /** multipathd's device state: `running`, `offline`, `unknown`, ... */
  readonly deviceState: string;
  /** multipath-tools appends ` marginal` to marginal paths. */
  readonly marginal?: true;
}

export interface TopologyGroup {
  /** 1-based, print order (the kernel's group numbers). */
  readonly index: number;
  /** `policy=`, e.g. `service-time 0`. */
  readonly selector: string;
  /** `prio=`; -1 when not printed. */
  readonly priority: number;
  readonly state: 'active' | 'enabled' | 'disabled' | 'undef';
  /** multipath-tools appends ` marginal` to marginal path groups. */
  readonly marginal?: true;
  readonly paths: readonly TopologyPath[];
}

export interface TopologyMap {
  /** Action word before the map (`create`, `reload`, `switchpg`, ...), if printed. */
  readonly action?: string;
  readonly name: string;
  /** The WWID in parentheses, or the name when none is printed (alias = WWID). */
  readonly wwid: string;
  /** Kernel name `dm-N`. */
  readonly dm: string;
  readonly vendor?: string;
  readonly product?: string;
  /** `size=`, as printed (e.g. `64M`). */
  readonly size?: string;
  /** `features=`, as printed (e.g. `1 queue_if_no_path`). */
  readonly features?: string;
  /** `hwhandler=`, as printed (e.g. `1 alua`). */
  readonly hwHandler?: string;
  /** `wp=`: `rw` or `ro`. */
  readonly writeProt?: string;
  readonly groups: readonly TopologyGroup[];
}

const MAP_LINE = /^(?:([a-z_]+): )?(\S+)(?: \((\S+)\))? (dm-\d+)(?: (.*))?$/;
const GROUP_LINE = /^[|`]-\+- (.*)$/;
const PATH_LINE = /^[| ] [|`]- (.*)$/;
const STATES: readonly string[] = ['active', 'enabled', 'disabled', 'undef'];

/** key=value and key='quoted value' pairs of a size or group line. */
function pairs(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const re = /\s*([a-z_]+)=(?:'([^']*)'|(\S*))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null)
    out.set(m[1] as string, m[2] ?? m[3] ?? '');
  return re.lastIndex === text.length || text.slice(re.lastIndex).trim() === '' ? out : undefined;
}

interface MutableGroup extends Omit<TopologyGroup, 'paths'> {
  paths: TopologyPath[];
}
interface MutableMap extends Omit<TopologyMap, 'groups'> {
  groups: MutableGroup[];
}

/** Parse `multipath -ll` / `multipathd show topology` text. Throws ParseError with the line. */
export function parseTopologyText(text: string, source = 'multipath -ll'): TopologyMap[] {
  const fail = (line: number, message: string, row: string): never => {
    throw new ParseError(`${source}: line ${line}: ${message}: ${JSON.stringify(row)}`, { source, line });
  };
  const maps: MutableMap[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const row = (lines[i] as string).replace(/\r$/, '').trimEnd();
    const n = i + 1;
    if (row === '') continue;
    const map = maps[maps.length - 1];
    const group = map?.groups[map.groups.length - 1];
    let m: RegExpExecArray | null;
    if ((m = PATH_LINE.exec(row)) !== null) {
      if (!group) fail(n, 'path line outside a path group', row);
      (group as MutableGroup).paths.push(readPath(m[1] as string, n, row, fail));
    } else if ((m = GROUP_LINE.exec(row)) !== null) {
      if (!map) fail(n, 'path group line before any map line', row);
      const marginal = / marginal$/.test(m[1] as string);
      const kv = pairs((m[1] as string).replace(/ marginal$/, ''));
      const state = kv?.get('status') ?? '';
      const prio = kv?.get('prio');
      if (!kv || !STATES.includes(state)) fail(n, 'expected "policy=\'...\' prio=N status=STATE"', row);
      if (prio !== undefined && !/^-?\d{1,9}$/.test(prio)) fail(n, 'prio must be a number', row);
      (map as MutableMap).groups.push({
        index: (map as MutableMap).groups.length + 1,
        selector: kv?.get('policy') ?? '',
        priority: prio === undefined ? -1 : Number(prio),
        state: state as TopologyGroup['state'],
        ...(marginal ? { marginal: true as const } : {}),
        paths: [],
      });
    } else if (row.startsWith('size=')) {
      const kv = pairs(row);
      if (!map || map.groups.length > 0 || !kv) fail(n, 'unexpected size line', row);
      Object.assign(map as MutableMap, {
        ...optional('size', kv?.get('size')),
        ...optional('features', kv?.get('features')),
        ...optional('hwHandler', kv?.get('hwhandler')),
        ...optional('writeProt', kv?.get('wp')),
      });
    } else if ((m = MAP_LINE.exec(row)) !== null) {
      const [, action, name, wwid, dm, rest] = m;
      const comma = rest?.indexOf(',') ?? -1;
      maps.push({
        ...(action === undefined ? {} : { action }),
        name: name as string,
        wwid: wwid ?? (name as string),
        dm: dm as string,
        ...(rest === undefined || rest.trim() === ''
          ? {}
          : comma < 0
            ? { vendor: rest.trim() }
            : { vendor: rest.slice(0, comma).trim(), product: rest.slice(comma + 1).trim() }),
        groups: [],
      });
    } else {
      fail(n, 'expected a map, size, path group or path line', row);
    }
  }
  return maps;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function readPath(
  text: string,
  n: number,
  row: string,
  fail: (line: number, message: string, row: string) => never,
): TopologyPath {
  const words = text.trim().split(/\s+/);
  const marginal = words.length > 6 && words[words.length - 1] === 'marginal';
  if (marginal) words.pop();
  if (words.length < 6) fail(n, 'expected "HCIL DEV MAJ:MIN DM_STATE CHECKER_STATE DEVICE_STATE"', row);
  const [hcil, dev, devT, dmState] = words as [string, string, string, string];
  if (devT !== '#:#' && !/^\d{1,4}:\d{1,7}$/.test(devT)) fail(n, `dev_t must be MAJ:MIN, found ${devT}`, row);
  if (dmState !== 'active' && dmState !== 'failed' && dmState !== 'undef')
    fail(n, `unknown path dm state ${dmState}`, row);
  const checkerText = words.slice(4, -1).join(' ');
  return {
    hcil,
    dev,
    ...(devT === '#:#' ? {} : { devT }),
    dmState: dmState as TopologyPath['dmState'],
    checkerState: checkerStateOf(checkerText),
    checkerText,
    deviceState: words[words.length - 1] as string,
    ...(marginal ? { marginal: true as const } : {}),
  };
}
