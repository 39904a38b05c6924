/**
 * Keeping a per-VM map's path devices equal to its base map's (DESIGN §3.2). A per-VM map is
 * built over the same path devices as multipathd's map of the shared LUN, but multipathd never
 * touches it: when multipathd adds a path device to the base map (a new port zoned in, a path
 * rediscovered) or removes one (device deleted), the per-VM map keeps its old set — missing the
 * new path, or still holding a device that is gone. Then decide plans `reload-vm-map`: the same
 * table create-vm-map would build now (dm-table.ts vmMapTable: the VM's chosen paths first), in
 * the per-VM map's current queue mode (the kernel cannot switch a live map between request- and
 * bio-based), with the base map's unusable paths to fail right after the reload.
 */
import type { Origin } from '../model/policy';
import type { MultipathMap } from '../model/snapshot';
import { vmMapTable } from './dm-table';
import type { PlanBuilder } from './plan-builder';
import type { Selection } from './select';
import type { Topology } from './topology';
import { pathUsable } from './topology';

/** Path devices (MAJ:MIN) of a map's table, sorted, each once. */
function devTs(map: MultipathMap): string[] {
  const out = new Set<string>();
  for (const g of map.groups) for (const p of g.paths) out.add(p.devT);
  return [...out].sort();
}

/** How the per-VM map's devices differ from the base map's; undefined when they are the same. */
export function vmMapDrift(
  vmMap: MultipathMap,
  base: MultipathMap,
): { readonly added: readonly string[]; readonly removed: readonly string[] } | undefined {
  const have = devTs(vmMap);
  const want = devTs(base);
  const haveSet = new Set(have);
  const wantSet = new Set(want);
  const added = want.filter((d) => !haveSet.has(d));
  const removed = have.filter((d) => !wantSet.has(d));
  return added.length || removed.length ? { added, removed } : undefined;
}

export interface ReloadOutcome {
  readonly reason: string;
  /** Usable devices the VM's I/O goes to once the new table is live (its first group). */
  readonly paths: readonly string[];
}

/** The base map's unusable path devices (MAJ:MIN, table order, each once): failed right after a reload. */
function unusableDevTs(topo: Topology, base: MultipathMap): string[] {
  const out: string[] = [];
  for (const g of base.groups)
    for (const p of g.paths) if (!pathUsable(topo, p) && !out.includes(p.devT)) out.push(p.devT);
  return out;
}

/** Adds the `reload-vm-map` action: the per-VM table with `chosen` first, in the map's queue mode. */
function addReload(
  ctx: { readonly topo: Topology; readonly plan: PlanBuilder },
  vmId: string,
  vmMap: MultipathMap,
  base: MultipathMap,
  chosen: readonly string[],
  reason: string,
  origins: readonly Origin[],
): ReloadOutcome {
  ctx.plan.add({
    kind: 'reload-vm-map',
    vmId,
    baseMap: base.name,
    name: vmMap.name,
    table: vmMapTable(base, chosen, vmMap.queueMode === 'bio'),
    failPaths: unusableDevTs(ctx.topo, base),
    reason,
    origins: [...origins],
  });
  return { reason, paths: [...chosen] };
}

/**
 * Plans `reload-vm-map` for `vmMap` when its devices drifted from `base`; undefined when they
 * did not (the caller then mirrors path state and steers groups as usual).
 */
export function planVmMapReload(
  ctx: { readonly topo: Topology; readonly plan: PlanBuilder },
  vmId: string,
  vmMap: MultipathMap,
  base: MultipathMap,
  sel: Selection | undefined,
  origins: readonly Origin[],
): ReloadOutcome | undefined {
  const drift = vmMapDrift(vmMap, base);
  if (!drift) return undefined;
  const chosen = sel?.chosen ?? [];
  const change = [
    ...(drift.added.length ? [`added ${drift.added.join(',')}`] : []),
    ...(drift.removed.length ? [`removed ${drift.removed.join(',')}`] : []),
  ].join('; ');
  const reason =
    `vm ${vmId}: map ${base.name} changed its path devices (${change}): ` +
    `reload per-VM map ${vmMap.name} over them` +
    (chosen.length ? `, ${chosen.join(',')} first` : '');
  return addReload(ctx, vmId, vmMap, base, chosen, reason, origins);
}

/**
 * perVmMaps `steer`: the VM's chosen paths are no longer its per-VM map's first group (a path
 * is now left to a VM confined to it, or was released, or the VM's pin changed): plan
 * `reload-vm-map` with the chosen paths as group 1 over the same devices. Undefined when the
 * first group's usable paths already are the chosen set — path failures alone never regroup
 * (path state is mirrored into the per-VM map instead), so the map is reloaded only when the
 * choice itself changes.
 */
export function planVmMapRegroup(
  ctx: { readonly topo: Topology; readonly plan: PlanBuilder },
  vmId: string,
  vmMap: MultipathMap,
  base: MultipathMap,
  sel: Selection | undefined,
  origins: readonly Origin[],
): ReloadOutcome | undefined {
  const chosen = sel?.chosen ?? [];
  if (chosen.length === 0) return undefined;
  const usable = new Set<string>();
  for (const g of base.groups) for (const p of g.paths) if (pathUsable(ctx.topo, p)) usable.add(p.dev);
  const first = vmMapFirstGroup(vmMap).filter((d) => usable.has(d));
  if (first.length === chosen.length && chosen.every((d) => first.includes(d))) return undefined;
  const reason =
    `vm ${vmId}: per-VM map ${vmMap.name} regrouped: group 1 ${chosen.join(',')} ` +
    `(was ${first.length ? first.join(',') : 'no usable path'})`;
  return addReload(ctx, vmId, vmMap, base, chosen, reason, origins);
}

/** Devices of a per-VM map's group 1 (the VM's chosen paths when vmpath built it). */
export function vmMapFirstGroup(vmMap: MultipathMap): string[] {
  const g = vmMap.groups.find((x) => x.index === 1) ?? vmMap.groups[0];
  return g ? g.paths.map((p) => p.dev) : [];
}
