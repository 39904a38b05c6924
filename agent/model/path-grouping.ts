/**
 * A per-WWID path grouping vmpath asks multipathd for in vmpath.conf (EngineConfig
 * ownedMapGrouping): `path_grouping_policy group_by_prio`, `prio weightedpath`,
 * `prio_args "hbtl ^H:C:T:L$ P …"`, so that multipathd itself puts the paths vmpath chose in
 * the map's first (highest-priority) group and the others in a lower group kept for failover.
 *
 * Measured on multipath-tools 0.9.4 (lab suite `grouping`, fixtures test/fixtures/lab/grouping-*):
 * the weightedpath prioritizer matches each regex against the path's `H:C:T:L` (host, channel,
 * target, LUN); an unmatched path gets priority 0. Regexes are unanchored POSIX extended:
 * vmpath writes one `^…$` around digits and colons per path, so exactly one pair matches a path
 * and `1:0:0:1` never matches `11:0:0:1`. hbtl (not devname) because H:C:T:L is what the SCSI midlayer names the path by
 * and it does not move when the kernel hands out sdX names in another order.
 * The entry is honoured only when multipathd does not autodetect the prioritizer: with
 * `detect_prio yes` (multipath-tools' default) an ALUA LUN keeps `prio alua` and the entry's
 * group_by_prio then splits the map by ALUA state instead (measured).
 */
import { InvalidNameError } from './errors';

/** Priority of the paths vmpath chose, and of the map's other paths (kept for failover). */
export const CHOSEN_PATH_PRIO = 50;
export const OTHER_PATH_PRIO = 10;

export interface PathPrio {
  /** SCSI `H:C:T:L` of the path, as sysfs names its device (`/sys/block/sdX/device` → `2:0:1:3`). */
  readonly hbtl: string;
  readonly prio: number;
}

/** The grouping of one map: every path of the map with its priority, in H:C:T:L order. */
export interface PathGrouping {
  readonly paths: readonly PathPrio[];
}

const HBTL = /^\d{1,10}:\d{1,10}:\d{1,10}:\d{1,20}$/;

export function validateHbtl(hbtl: unknown): string {
  if (typeof hbtl !== 'string' || !HBTL.test(hbtl))
    throw new InvalidNameError(`invalid SCSI H:C:T:L: ${JSON.stringify(hbtl)}`, {
      kind: 'hbtl',
      value: String(hbtl),
    });
  return hbtl;
}

function validatePrio(prio: unknown): number {
  if (typeof prio !== 'number' || !Number.isInteger(prio) || prio < 1 || prio > 99)
    throw new InvalidNameError(`invalid path priority: ${JSON.stringify(prio)}`, {
      kind: 'prio',
      value: String(prio),
    });
  return prio;
}

/** The same grouping in canonical order (by H:C:T:L as numbers); throws on a bad or repeated H:C:T:L. */
export function normalGrouping(g: PathGrouping): PathGrouping {
  const seen = new Set<string>();
  const paths = g.paths.map((p) => {
    const hbtl = validateHbtl(p.hbtl);
    if (seen.has(hbtl)) throw new InvalidNameError(`repeated H:C:T:L ${hbtl}`, { kind: 'hbtl', value: hbtl });
    seen.add(hbtl);
    return { hbtl, prio: validatePrio(p.prio) };
  });
  if (paths.length === 0) throw new InvalidNameError('empty path grouping', { kind: 'hbtl', value: '' });
  return { paths: paths.sort((a, b) => compareHbtl(a.hbtl, b.hbtl)) };
}

function compareHbtl(a: string, b: string): number {
  const x = a.split(':').map(BigInt);
  const y = b.split(':').map(BigInt);
  for (let i = 0; i < 4; i++) {
    const d = (x[i] as bigint) - (y[i] as bigint);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return 0;
}

/** `hbtl ^0:0:0:1$ 50 ^1:0:0:1$ 10` (the value of prio_args; validated). */
export function prioArgs(g: PathGrouping): string {
  return ['hbtl', ...normalGrouping(g).paths.flatMap((p) => [`^${p.hbtl}$`, String(p.prio)])].join(' ');
}

/** The grouping a prio_args value written by vmpath describes; undefined for anything else. */
export function parsePrioArgs(text: string): PathGrouping | undefined {
  const w = text.trim().split(/\s+/);
  if (w[0] !== 'hbtl' || w.length < 3 || w.length % 2 !== 1) return undefined;
  const paths: PathPrio[] = [];
  for (let i = 1; i < w.length; i += 2) {
    const m = /^\^(.+)\$$/.exec(w[i] as string);
    const prio = Number(w[i + 1]);
    if (!m) return undefined;
    paths.push({ hbtl: m[1] as string, prio });
  }
  try {
    return normalGrouping({ paths });
  } catch {
    return undefined;
  }
}

export function sameGrouping(a: PathGrouping | undefined, b: PathGrouping | undefined): boolean {
  if (!a || !b) return a === b;
  return prioArgs(a) === prioArgs(b);
}
