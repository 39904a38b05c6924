/**
 * set-path-grouping in the discrete-event simulator: what multipathd 0.9.4 does with a vmpath.conf
 * entry `path_grouping_policy group_by_prio` + `prio weightedpath` + `prio_args "hbtl …"` on
 * `multipathd reconfigure` (measured, lab suite `grouping`, fixtures test/fixtures/lab/grouping-*):
 * the map is reloaded with one group per priority, highest first, each path's priority the one
 * its `^H:C:T:L$` pair names (0 when none does); `null` (the entry removed) reloads it as one
 * group over every path again. The DES's LUNs have no ALUA (vmpath-snapshot reports no access
 * state), so multipathd's detect_prio finds nothing to autodetect and the entry is honoured.
 *
 * Reconfigure reloads every map multipathd manages and so resets their group choice to group 1:
 * modelled for the other multipathd maps here (vmpath re-asserts its switch-groups on the
 * reconcile the driver runs a settle time later, as the agent's controller does).
 */
import type { PathGrouping } from '../../model/path-grouping';
import type { ApplyContext } from './vmpath-apply';
import type { MapRt } from './model';
import { hcilOf } from './vmpath-snapshot';

export function regroupByPrio(ctx: ApplyContext, map: MapRt, grouping: PathGrouping | null): void {
  const prio = new Map((grouping?.paths ?? []).map((p) => [p.hbtl, p.prio]));
  const of = (ei: number): number =>
    grouping ? (prio.get(hcilOf(map, map.entries[ei] as MapRt['entries'][number])) ?? 0) : 0;
  const all = map.entries.map((_, ei) => ei);
  const levels = [...new Set(all.map(of))].sort((a, b) => b - a);
  map.groups.length = 0;
  map.cursors.length = 0;
  for (const lv of levels) {
    map.groups.push(all.filter((ei) => of(ei) === lv));
    map.cursors.push({ cursor: 0 });
  }
  map.activeGroup = 0;
  if (grouping) {
    map.grouping = grouping;
    map.failbackManual = false; // the entry carries failback immediate
  } else delete map.grouping;
  for (const other of ctx.m.maps)
    if (other !== map && other.owner === 'multipathd' && !other.removed) other.activeGroup = 0;
}
