/**
 * Parser for the params of a dm-multipath status line (`dmsetup status`, target `multipath`):
 *
 *   <#info> <info...>            Linux prints `2 <queue_io 0|1> <pg_init_count>`
 *   <#hw_handler status> <...>   Linux 6.x prints `0`
 *   <#groups> <next group>
 *   per group:  <A|E|D> <#group selector status> <...> <#paths> <#per-path status>
 *               per path: <MAJ:MIN> <A|F> <fail_count> <per-path selector status...>
 *
 * e.g. `2 0 1 0 2 1 A 0 1 2 8:0 A 0 0 1 E 0 1 2 8:16 A 0 0 1`.
 * Group states: A = the kernel is using it now, E = enabled, D = disabled (bypassed).
 * `<next group>` is the group the kernel will use next, or the current one: it changes at once
 * on `switch_group`, while the A/E flags change only when I/O next arrives (seen in the lab:
 * right after `multipathd switchgroup` both groups read E).
 */
import { DmWords } from './dm-words';

export type DmGroupFlag = 'A' | 'E' | 'D';

export interface DmStatusPath {
  readonly devT: string;
  /** A: the kernel may use it; F: the kernel failed it. */
  readonly active: boolean;
  readonly failCount: number;
  /** Per-path selector status, e.g. service-time `<in-flight size> <relative_throughput>`. */
  readonly selectorStatus: readonly string[];
}

export interface DmStatusGroup {
  /** 1-based, table order. */
  readonly index: number;
  readonly flag: DmGroupFlag;
  readonly selectorStatus: readonly string[];
  readonly paths: readonly DmStatusPath[];
}

export interface DmMultipathStatus {
  /** Info words exactly as printed (without the count). */
  readonly info: readonly string[];
  /** I/O is being queued right now (e.g. no usable path and queue_if_no_path), when the kernel says. */
  readonly queueIo?: boolean;
  readonly pgInitCount?: number;
  readonly hwHandlerStatus: readonly string[];
  /** Group the kernel uses next (1-based); 0 only when there are no groups. */
  readonly nextGroup: number;
  readonly groups: readonly DmStatusGroup[];
}

const FLAGS: readonly DmGroupFlag[] = ['A', 'E', 'D'];

/** Parse the params of one multipath status line; `source` names it in errors. */
export function parseDmMultipathStatus(params: string, source: string): DmMultipathStatus {
  const w = new DmWords(params, source);
  const info = w.counted('info word');
  const hwHandlerStatus = w.counted('hardware handler status word');
  const nrGroups = w.uint('number of path groups');
  const nextGroup = w.uint('next path group');
  if (nrGroups > 0 ? nextGroup < 1 || nextGroup > nrGroups : nextGroup !== 0) {
    throw w.error(`next path group ${nextGroup} is not within 1..${nrGroups}`, -1);
  }
  const groups: DmStatusGroup[] = [];
  for (let g = 1; g <= nrGroups; g++) {
    const flag = w.oneOf(`state of group ${g}`, FLAGS);
    const selectorStatus = w.counted(`selector status word of group ${g}`);
    const nrPaths = w.uint(`number of paths in group ${g}`);
    const perPath = w.uint(`number of per-path status words in group ${g}`);
    const paths: DmStatusPath[] = [];
    for (let p = 1; p <= nrPaths; p++) {
      const devT = w.devT(`device of path ${p} in group ${g}`);
      const active = w.oneOf(`state of ${devT}`, ['A', 'F'] as const) === 'A';
      const failCount = w.uint(`fail count of ${devT}`);
      paths.push({ devT, active, failCount, selectorStatus: w.take(perPath, `selector status of ${devT}`) });
    }
    groups.push({ index: g, flag, selectorStatus, paths });
  }
  w.expectEnd();
  const linuxInfo = info.length === 2 && info.every((v) => /^\d{1,10}$/.test(v));
  return {
    info,
    ...(linuxInfo ? { queueIo: info[0] !== '0', pgInitCount: Number(info[1]) } : {}),
    hwHandlerStatus,
    nextGroup,
    groups,
  };
}
