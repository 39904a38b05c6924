/**
 * EngineConfig.ownedMapGrouping `'by-choice'`: a multipathd map that one VM owns and that has one
 * path group over all its paths (multibus) cannot be narrowed by switch-group, and per-VM maps
 * only move LVs. So when vmpath chose fewer paths than the map has (perVmMaps `steer` left paths
 * to VMs confined to them, or a pin), vmpath asks multipathd itself to regroup the map: a
 * vmpath.conf entry with `path_grouping_policy group_by_prio`, `prio weightedpath` and
 * `prio_args "hbtl ^H:C:T:L$ 50 … ^H:C:T:L$ 10"` (model/path-grouping.ts): the chosen paths form
 * the first group, the others a second group the kernel still fails over to. The entry carries
 * `failback immediate`: multipathd's best group is vmpath's choice, so it returns there by itself.
 *
 * Measured (lab suite `grouping`): honoured only when multipathd does not autodetect the
 * prioritizer (`detect_prio no`, or a LUN without ALUA); otherwise the map splits by ALUA state.
 * decide checks the result on the next snapshot (the group holding the chosen paths holds exactly
 * them) and warns `grouping-not-honoured` instead of writing again.
 */
import type { Origin } from '../model/policy';
import type { MultipathMap, PathGroup, Vm } from '../model/snapshot';
import { CHOSEN_PATH_PRIO, OTHER_PATH_PRIO, sameGrouping, type PathGrouping } from '../model/path-grouping';
import type { MechanismContext } from './mechanism';
import type { Selection } from './select';
import type { Topology } from './topology';
import { pathUsable } from './topology';
import type { EngineConfig } from './types';

/** The map's path devices, each once, in table order. */
function allDevs(map: MultipathMap): string[] {
  const out: string[] = [];
  for (const g of map.groups) for (const p of g.paths) if (!out.includes(p.dev)) out.push(p.dev);
  return out;
}

/** Whether vmpath may group this map by choice: one owner, multibus (or grouped by vmpath), H:C:T:L known. */
export function groupable(topo: Topology, cfg: EngineConfig, map: MultipathMap): boolean {
  if (cfg.ownedMapGrouping !== 'by-choice' || map.owner !== 'multipathd') return false;
  if ((topo.usersByMap.get(map.name) ?? []).length > 1) return false;
  if (map.groups.length !== 1 && !map.vmpathConf?.grouping) return false;
  return allDevs(map).every((d) => topo.devices.get(d)?.hcil !== undefined);
}

export interface GroupingOutcome {
  /** The group the chosen paths are in (when the grouping is in effect). */
  readonly target?: PathGroup;
  /** set-path-grouping was planned: the VM's I/O goes to `paths` once multipathd reloaded. */
  readonly pending?: { readonly paths: readonly string[] };
}

/**
 * For the owner of `map` (owned branch of applyMechanism): plan set-path-grouping when the wanted
 * grouping differs from vmpath.conf's, remove a grouping no longer wanted, and say which group the
 * chosen paths are in when the grouping is in effect. Undefined: not vmpath's grouping to make.
 */
export function ownedGrouping(
  ctx: MechanismContext,
  vm: Vm,
  map: MultipathMap,
  sel: Selection,
  origins: readonly Origin[],
  reasons: string[],
): GroupingOutcome | undefined {
  const { topo, cfg, plan } = ctx;
  const have = map.vmpathConf?.grouping;
  const devs = allDevs(map);
  // Without steer the selector picks minPaths paths for an unpinned VM: no reason to narrow it.
  // With steer the choice is every path it may use (unpinned VMs, routed after the confined), or,
  // for a pinned VM whose pinned paths are all down, minPaths paths like a failover VM's: it
  // then claims them, and the VMs placed after it leave them to it (measured in fabric-failure:
  // keeping it on all surviving paths raised the share error from 1.7 % to 6 %).
  const narrowing = sel.pinned || cfg.perVmMaps === 'steer';
  const chosen = new Set(sel.chosen);
  const want =
    groupable(topo, cfg, map) && narrowing && sel.chosen.length > 0 && sel.chosen.length < devs.length
      ? wanted(topo, devs, chosen)
      : undefined;
  if (!want) {
    if (have) dropGrouping(ctx, map, `map ${map.name}: vm ${vm.id} no longer narrowed to part of it`);
    return undefined;
  }
  if (!sameGrouping(have, want)) {
    const others = devs.filter((d) => !chosen.has(d));
    const why =
      `vm ${vm.id} alone on one-group map ${map.name} uses ${sel.chosen.join(',')} of its paths: ` +
      `multipathd groups it by priority (${sel.chosen.join(',')} prio ${CHOSEN_PATH_PRIO}, ` +
      `${others.join(',')} prio ${OTHER_PATH_PRIO} for failover; ownedMapGrouping)`;
    plan.add({ kind: 'set-path-grouping', map: map.name, grouping: want, reason: why, origins });
    reasons.push(why);
    return { pending: { paths: sel.chosen.filter((d) => usableDev(topo, map, d)) } };
  }
  const target = map.groups.find((g) => g.paths.some((p) => chosen.has(p.dev)));
  const exact =
    target !== undefined &&
    target.paths.length === chosen.size &&
    target.paths.every((p) => chosen.has(p.dev));
  if (!exact) {
    const why =
      `multipathd did not group map ${map.name} as vmpath.conf asks (${sel.chosen.join(',')} first): ` +
      `it autodetects the prioritizer (detect_prio, ALUA) — set ownedMapGrouping keep and run release --all, ` +
      `or detect_prio no for this array`;
    plan.warn(`vm ${vm.id}`, 'grouping-not-honoured', why);
    reasons.push(why);
    return undefined;
  }
  return { target };
}

/** Removes vmpath's grouping of a map (set-path-grouping null); multipathd's own grouping returns. */
export function dropGrouping(ctx: MechanismContext, map: MultipathMap, why: string): void {
  if (!map.vmpathConf?.grouping) return;
  ctx.plan.add({
    kind: 'set-path-grouping',
    map: map.name,
    grouping: null,
    reason: `${why}: vmpath's path grouping removed`,
    origins: [],
  });
}

function wanted(topo: Topology, devs: readonly string[], chosen: ReadonlySet<string>): PathGrouping {
  return {
    paths: devs.map((d) => ({
      hbtl: topo.devices.get(d)?.hcil as string, // groupable() checked every one
      prio: chosen.has(d) ? CHOSEN_PATH_PRIO : OTHER_PATH_PRIO,
    })),
  };
}

function usableDev(topo: Topology, map: MultipathMap, dev: string): boolean {
  for (const g of map.groups) for (const p of g.paths) if (p.dev === dev) return pathUsable(topo, p);
  return false;
}
