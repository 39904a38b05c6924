/**
 * Whether a component event could emit a path uevent. Only a map path whose kernel state
 * disagrees with its link can change state without a global event: an active path on a dead
 * link (the next I/O or multipathd's checker fails it) or, in a multipathd map, a failed path
 * on a live link (the checker reinstates it). Per-VM maps are reinstated only by vmpath (a
 * global event). While no such path exists, no uevent can happen until the next global event,
 * so the scheduler may run every component up to it in one window (scheduler.ts).
 */
import type { MapEntry, MapRt, PathRt, SimModel } from './model';

/** 1 when this map path may change state on its own (see above), else 0. */
export function unsettled(m: SimModel, map: MapRt, e: MapEntry): number {
  const up = (m.paths[e.path] as PathRt).up;
  if (e.active && !up) return 1;
  return map.owner === 'multipathd' && !map.removed && !e.active && up ? 1 : 0;
}

/** How many map paths may change state on their own. */
export function countUnsettled(m: SimModel): number {
  let n = 0;
  for (const map of m.maps) for (const e of map.entries) n += unsettled(m, map, e);
  return n;
}
