/**
 * Mechanism per (VM, multipathd map), DESIGN §3:
 * - map used by this VM only → `switch-group` to the group holding the chosen path (+ failback manual);
 *   a one-group map it owns whose paths vmpath narrows → multipathd's own grouping by priority
 *   (`set-path-grouping`, EngineConfig.ownedMapGrouping; owned-grouping.ts);
 * - map shared by several VMs, VM wants its own paths (EngineConfig.perVmMaps) and every disk is an
 *   LV directly on the map → per-VM map (`create-vm-map`, then `move-lv`), later steered with
 *   `switch-group` on the per-VM map and path-state mirroring (`fail-path`/`reinstate-path`);
 * - perVmMaps `steer`: every VM on a shared map gets a per-VM map (index.ts places VMs confined by
 *   their own maps first, steer.ts leaves their paths to them), regrouped with `reload-vm-map`
 *   when its chosen paths change; a pinned VM owning a one-group map of LVs gets one as well;
 * - otherwise → `limits-only` (the VM follows multipathd's group; only cgroup limits apply).
 * Returns the VM's effective paths on the map (usable paths its I/O goes to).
 */
import type { Origin, VmPolicy } from '../model/policy';
import type { MultipathMap, Vm } from '../model/snapshot';
import { retargetTable } from './dm-table';
import type { PlanBuilder } from './plan-builder';
import type { Selection } from './select';
import type { Topology } from './topology';
import { planVmMapRegroup, planVmMapReload } from './vm-map-rebuild';
import { createVmMap, lvOn } from './vm-map-create';
import { dropGrouping, ownedGrouping } from './owned-grouping';
import { ownedSelector } from './owned-selector';
import { currentGroup, disksOnMap, pathUsable, usablePaths, vmMapOf } from './topology';
import type { EngineConfig } from './types';

export type Mechanism = 'switch-group' | 'vm-map' | 'limits-only' | 'none';

export interface MapOutcome {
  readonly mechanism: Mechanism;
  /** Usable devices the VM's I/O on this map goes to. */
  readonly paths: readonly string[];
  /** The map whose queue_if_no_path governs this VM's I/O (per-VM map if any). */
  readonly ioMap: string;
  readonly reasons: readonly string[];
}

export interface MechanismContext {
  readonly topo: Topology;
  readonly cfg: EngineConfig;
  readonly plan: PlanBuilder;
}

export function wantsVmMap(cfg: EngineConfig, policy: VmPolicy): boolean {
  const pinned = policy.pin.value.length > 0;
  if (cfg.perVmMaps === 'steer') return true;
  if (cfg.perVmMaps === 'pinned') return pinned;
  if (cfg.perVmMaps === 'pinned-or-limited')
    return pinned || policy.limit.value !== undefined || policy.reservation.value !== undefined;
  return false;
}

/** Per-path limits (bio-mode per-VM map) are wanted for this VM. */
export function wantsBio(cfg: EngineConfig, policy: VmPolicy): boolean {
  return (
    cfg.perVmMaps === 'pinned-or-limited' &&
    (policy.limit.value !== undefined || policy.reservation.value !== undefined)
  );
}

/**
 * perVmMaps `steer`: the only VM on a one-group (multibus) map whose disks are LVs directly on it
 * (or already on its per-VM map). switch-group cannot narrow one group, so such a VM is steered
 * like a VM on a shared LUN: it gets a per-VM map once its chosen paths are fewer than the map's
 * usable ones (a pin, or paths left to confined VMs), and keeps it while steer is on.
 */
export function soleLvmUser(topo: Topology, cfg: EngineConfig, vm: Vm, map: MultipathMap): boolean {
  if (cfg.perVmMaps !== 'steer' || map.groups.length !== 1) return false;
  if ((topo.usersByMap.get(map.name) ?? []).length > 1) return false;
  const own = vmMapOf(topo, vm.id, map.name)?.devT;
  const disks = disksOnMap(vm, map.name);
  return disks.length > 0 && disks.every((d) => lvOn(d, map.devT) ?? (own ? lvOn(d, own) : undefined));
}

/** Whether the VM's paths on this map are vmpath's choice (else it follows multipathd's group). */
export function needsSelection(
  topo: Topology,
  cfg: EngineConfig,
  vm: Vm,
  policy: VmPolicy,
  map: MultipathMap,
): boolean {
  const users = topo.usersByMap.get(map.name) ?? [];
  if (users.length <= 1) return true;
  if (!wantsVmMap(cfg, policy)) return false;
  return (
    vmMapOf(topo, vm.id, map.name) !== undefined || disksOnMap(vm, map.name).every((d) => lvOn(d, map.devT))
  );
}

const usableMemo = new WeakMap<Topology, Map<MultipathMap, ReadonlyMap<string, boolean>>>();

/** Whether `dev` is usable on `base` (its first entry in table order; false when not in it). */
const baseUsable = (topo: Topology, base: MultipathMap, dev: string): boolean => {
  let memo = usableMemo.get(topo);
  if (!memo) usableMemo.set(topo, (memo = new Map()));
  let byDev = memo.get(base);
  if (!byDev) {
    const m = new Map<string, boolean>();
    for (const g of base.groups)
      for (const p of g.paths) if (!m.has(p.dev)) m.set(p.dev, pathUsable(topo, p));
    memo.set(base, (byDev = m));
  }
  return byDev.get(dev) ?? false;
};

interface Followed {
  readonly group: number;
  readonly paths: string[];
  /** The reason every VM following the map gets (one string, shared). */
  readonly reason: string;
}
const followMemo = new WeakMap<Topology, Map<MultipathMap, Followed>>();

/** The usable paths multipathd's current group (or the first group with any) gives every VM on a map. */
function followGroup(topo: Topology, map: MultipathMap, reasons: string[]): string[] {
  let memo = followMemo.get(topo);
  if (!memo) followMemo.set(topo, (memo = new Map()));
  let hit = memo.get(map);
  if (!hit) {
    hit = followGroupUncached(topo, map);
    memo.set(map, hit);
  }
  if (hit.paths.length) reasons.push(hit.reason);
  return hit.paths;
}

function followGroupUncached(topo: Topology, map: MultipathMap): Followed {
  const cur = currentGroup(map);
  const order = [...map.groups].sort((a, b) =>
    a.index === cur ? -1 : b.index === cur ? 1 : a.index - b.index,
  );
  for (const g of order) {
    const ps = g.paths.filter((p) => pathUsable(topo, p)).map((p) => p.dev);
    if (ps.length) return { group: g.index, paths: ps, reason: `follows map ${map.name} group ${g.index}` };
  }
  return { group: 0, paths: [], reason: '' };
}

export function applyMechanism(
  ctx: MechanismContext,
  vm: Vm,
  policy: VmPolicy,
  map: MultipathMap,
  sel: Selection | undefined,
): MapOutcome {
  const { topo, cfg, plan } = ctx;
  const reasons: string[] = [];
  const origins: Origin[] = sel?.pinned
    ? [policy.selector.origin, policy.pin.origin]
    : [policy.selector.origin];
  const users = topo.usersByMap.get(map.name) ?? [];
  const existing = vmMapOf(topo, vm.id, map.name);
  const disks = disksOnMap(vm, map.name);

  const sole = soleLvmUser(topo, cfg, vm, map);
  if (existing) {
    if (!wantsVmMap(cfg, policy) || (users.length <= 1 && !sole)) {
      reasons.push(`per-VM map ${existing.name} no longer wanted: moving LVs back and removing it`);
      for (const d of disks) {
        const lv = lvOn(d, existing.devT);
        const table = lv && retargetTable(lv.table, existing.devT, map.devT);
        if (lv && table)
          plan.add({ kind: 'move-lv', vmId: vm.id, lv: lv.lv, table, reason: reasons[0] as string, origins });
      }
      plan.add({
        kind: 'remove-vm-map',
        vmId: vm.id,
        name: existing.name,
        reason: reasons[0] as string,
        origins,
      });
      return { mechanism: 'limits-only', paths: followGroup(topo, map, reasons), ioMap: map.name, reasons };
    }
    // The base map's path devices changed: reload the per-VM map (its new table starts on the
    // chosen paths, so no group switch or path mirroring against the old table).
    const reload =
      planVmMapReload(ctx, vm.id, existing, map, sel, origins) ??
      (cfg.perVmMaps === 'steer' ? planVmMapRegroup(ctx, vm.id, existing, map, sel, origins) : undefined);
    if (reload) reasons.push(reload.reason);
    else
      for (const g of existing.groups)
        for (const p of g.paths) {
          const up = baseUsable(topo, map, p.dev);
          if (up && p.dmState === 'failed')
            plan.add({
              kind: 'reinstate-path',
              map: existing.name,
              dev: p.dev,
              reason: `path ${p.dev} is usable again on ${map.name}`,
              origins: [],
            });
          if (!up && p.dmState === 'active')
            plan.add({
              kind: 'fail-path',
              map: existing.name,
              dev: p.dev,
              reason: `path ${p.dev} is not usable on ${map.name}`,
              origins: [],
            });
        }
    for (const d of disks) {
      const lv = lvOn(d, map.devT);
      const table = lv && retargetTable(lv.table, map.devT, existing.devT);
      if (lv && table) {
        const why = `LV ${lv.lv} is back on the shared map ${map.name} (refresh?): moving it to ${existing.name}`;
        plan.add({ kind: 'move-lv', vmId: vm.id, lv: lv.lv, table, reason: why, origins });
        reasons.push(why);
      }
    }
    if (reload) return { mechanism: 'vm-map', paths: reload.paths, ioMap: existing.name, reasons };
    if (!sel) return { mechanism: 'vm-map', paths: [], ioMap: existing.name, reasons };
    const target = existing.groups.find((g) => g.paths.some((p) => p.dev === sel.chosen[0]));
    if (!target)
      return {
        mechanism: 'vm-map',
        paths: [],
        ioMap: existing.name,
        reasons: [...reasons, 'chosen path missing from per-VM map'],
      };
    if (currentGroup(existing) !== target.index) {
      const why = `vm ${vm.id}: per-VM map ${existing.name} to group ${target.index} (${sel.chosen.join(',')})`;
      plan.add({ kind: 'switch-group', map: existing.name, group: target.index, reason: why, origins });
      reasons.push(why);
    }
    const paths = target.paths.filter((p) => baseUsable(topo, map, p.dev)).map((p) => p.dev);
    return { mechanism: 'vm-map', paths, ioMap: existing.name, reasons };
  }

  if (sole && sel && sel.chosen.length < usablePaths(topo, map).length) {
    const own = createVmMap(ctx, vm, map, sel, wantsBio(cfg, policy), origins, reasons);
    if (own) return own;
  }
  if (users.length <= 1) {
    if (!sel) return { mechanism: 'switch-group', paths: [], ioMap: map.name, reasons };
    const grouped = ownedGrouping(ctx, vm, map, sel, origins, reasons);
    if (grouped?.pending)
      return { mechanism: 'switch-group', paths: grouped.pending.paths, ioMap: map.name, reasons };
    const target = grouped?.target ?? map.groups.find((g) => g.paths.some((p) => p.dev === sel.chosen[0]));
    if (!target) return { mechanism: 'none', paths: [], ioMap: map.name, reasons };
    // A map vmpath grouped by priority keeps failback immediate (vmpath.conf): its best group is the
    // choice (and while the entry stays, failback manual could not be written anyway).
    if (!map.vmpathConf?.grouping && map.failback !== 'manual' && map.vmpathConf?.failback !== 'manual')
      plan.add({
        kind: 'set-failback-manual',
        map: map.name,
        reason: `map ${map.name} is owned by vm ${vm.id}: failback manual keeps vmpath's group choice`,
        origins,
      });
    if (currentGroup(map) !== target.index) {
      const why = `vm ${vm.id} owns map ${map.name}: switch to group ${target.index} holding ${sel.chosen[0]}`;
      plan.add({ kind: 'switch-group', map: map.name, group: target.index, reason: why, origins });
      reasons.push(why);
    }
    const paths = target.paths.filter((p) => pathUsable(topo, p)).map((p) => p.dev);
    const oneGroup = map.groups.length === 1 && policy.pin.value.length > 0;
    const unpinned = oneGroup ? paths.filter((d) => !sel.chosen.includes(d)) : [];
    // A pin the group cannot honour: a learning selector would favour unpinned paths, not fewer.
    if (unpinned.length === 0) ownedSelector(ctx, vm, map, target, paths.length, origins);
    else {
      // One group holds pinned and other paths (multibus): switch-group cannot narrow it.
      const why = `pin cannot be enforced on ${map.name}: group ${target.index} also holds ${unpinned.join(',')} (one path group; the kernel spreads I/O over the whole group)`;
      plan.warn(`vm ${vm.id}`, 'pin-not-enforceable', why);
      reasons.push(why);
    }
    return { mechanism: 'switch-group', paths, ioMap: map.name, reasons };
  }

  dropGrouping(ctx, map, `map ${map.name} is used by ${users.length} VMs`);
  if (wantsVmMap(cfg, policy)) {
    if (!sel && disks.length > 0 && disks.every((d) => lvOn(d, map.devT)))
      return { mechanism: 'limits-only', paths: [], ioMap: map.name, reasons };
    const made = sel && createVmMap(ctx, vm, map, sel, wantsBio(cfg, policy), origins, reasons);
    if (made) return made;
    reasons.push(
      `map ${map.name} is shared but a disk is not an LV directly on it (or its table is unknown): limits only`,
    );
    // steer wants a per-VM map for every VM: only a VM that asked for one (pin, limit) is warned
    if (cfg.perVmMaps !== 'steer' || policy.pin.value.length > 0)
      plan.warn(`vm ${vm.id}`, 'vm-map-unsupported', reasons[reasons.length - 1] as string);
  } else {
    reasons.push(`map ${map.name} is shared by ${users.length} VMs and vm ${vm.id} has no pin: limits only`);
  }
  return { mechanism: 'limits-only', paths: followGroup(topo, map, reasons), ioMap: map.name, reasons };
}
