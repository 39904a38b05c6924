/**
 * Routing of every (VM, multipathd map) pair (decide step 2): the VM's paths on the map
 * (select.ts), the mechanism that makes them real (mechanism.ts), and the load booked on each
 * physical path so later VMs spread. VMs go by priority (desc) then id. With perVmMaps `steer`
 * there are two passes: first every VM on a map it cannot leave (its own map — a failover-grouped
 * LUN confines it to one path), whose paths are then claimed (steer.ts); then every VM free to use
 * any path of its map through a per-VM map, which leaves claimed paths to their VMs by shares.
 */
import type { MultipathMap, Vm } from '../model/snapshot';
import type { VmPolicy } from '../model/policy';
import type { MapState } from './failover';
import type { MapOutcome, MechanismContext } from './mechanism';
import { applyMechanism, needsSelection, soleLvmUser } from './mechanism';
import type { SelectContext, SelectOptions, Selection } from './select';
import { book, selectPaths } from './select';
import type { SteerBook } from './steer';
import { claim, confined, leftTo, newSteerBook, seal, take } from './steer';
import type { Topology } from './topology';
import { currentGroup, usablePaths, vmMapNames, vmMapOf } from './topology';
import { vmMapFirstGroup } from './vm-map-rebuild';
import { groupable } from './owned-grouping';

/** One (VM, map) routed: the decision's parts for that map. */
export interface Routed {
  readonly paths: readonly string[];
  readonly chosen?: readonly string[];
  readonly mechanism: MapOutcome['mechanism'];
  readonly reasons: readonly string[];
  readonly state: MapState;
  /** The decision's inputs.maps entry for this map. */
  readonly inputs: unknown;
}

export interface RouteContext {
  readonly select: SelectContext;
  readonly mech: MechanismContext;
  /** Position of the next VM on each map (SelectRequest.ordinal). */
  readonly ordinals: Map<string, number>;
  /** perVmMaps `steer` only: the confined VMs' claims and the VMs' shares. */
  readonly steer?: SteerBook;
  readonly shares: ReadonlyMap<string, number>;
}

type Resolved = readonly { readonly vm: Vm; readonly policy: VmPolicy }[];

export function newRouteContext(
  select: SelectContext,
  mech: MechanismContext,
  resolved: Resolved,
): RouteContext {
  const steer = select.cfg.perVmMaps === 'steer' ? newSteerBook() : undefined;
  const shares = new Map<string, number>();
  if (steer) for (const { vm, policy } of resolved) shares.set(vm.id, policy.shares.value);
  return { select, mech, ordinals: new Map(), ...(steer ? { steer } : {}), shares };
}

/**
 * steer: a VM free to use any of the map's paths through a per-VM map, or an unpinned VM on a
 * one-group map it owns that multipathd regroups by vmpath's choice (ownedMapGrouping): placed
 * after the confined. A pinned VM on such a map is confined by its pin: it is placed first and
 * claims its pinned paths, so VMs placed after it (a failover VM too) book load elsewhere.
 */
function flexible(ctx: RouteContext, vm: Vm, policy: VmPolicy, name: string, map: MultipathMap): boolean {
  const { topo, cfg } = ctx.select;
  return (
    ctx.steer !== undefined &&
    ((topo.usersByMap.get(name) ?? []).length > 1 ||
      soleLvmUser(topo, cfg, vm, map) ||
      (groupable(topo, cfg, map) && policy.pin.value.length === 0))
  );
}

/** Route every VM's maps; per VM (in `resolved` order) its maps by name. */
export function routeAll(ctx: RouteContext, resolved: Resolved): Map<string, Routed>[] {
  const { topo, cfg } = ctx.select;
  const steer = ctx.steer;
  const routed = resolved.map(() => new Map<string, Routed>());
  const phases: readonly ((vm: Vm, policy: VmPolicy, name: string, map: MultipathMap) => boolean)[] = steer
    ? [(vm, p, n, m) => !flexible(ctx, vm, p, n, m), (vm, p, n, m) => flexible(ctx, vm, p, n, m)]
    : [() => true];
  phases.forEach((inPhase, phase) => {
    resolved.forEach(({ vm, policy }, i) => {
      const done = routed[i] as Map<string, Routed>;
      for (const name of vmMapNames(topo, vm)) {
        const map = topo.maps.get(name);
        if (!map || !inPhase(vm, policy, name, map)) continue;
        const r = route(ctx, vm, policy, name, map, steer !== undefined && phase === 1);
        done.set(name, r);
        if (steer && phase === 0 && confined(topo, map, r.paths))
          claim(steer, topo, cfg, ctx.shares, vm.id, map, r.paths);
      }
    });
    if (steer && phase === 0) seal(steer);
  });
  return routed;
}

function route(
  ctx: RouteContext,
  vm: Vm,
  policy: VmPolicy,
  name: string,
  map: MultipathMap,
  steered: boolean,
): Routed {
  const { topo, cfg, memory, load } = ctx.select;
  const steer = steered ? ctx.steer : undefined;
  const ordinal = ctx.ordinals.get(name) ?? 0;
  ctx.ordinals.set(name, ordinal + 1);
  const previous = memory.assignments[vm.id]?.[name] ?? observedPaths(topo, vm.id, name);
  const selecting = needsSelection(topo, cfg, vm, policy, map);
  const own = vmMapOf(topo, vm.id, name);
  const opts: SelectOptions | undefined = steer
    ? {
        all: true,
        leftTo: (dev) => leftTo(steer, topo, dev, policy.shares.value),
        ...(own ? { inUse: vmMapFirstGroup(own) } : {}),
      }
    : undefined;
  const sel: Selection | undefined = selecting
    ? selectPaths(ctx.select, vm.id, policy, map, ordinal, previous, opts)
    : undefined;
  const out = applyMechanism(ctx.mech, vm, policy, map, sel);
  book(topo, load, out.paths, policy.shares.value);
  if (steer) take(steer, topo, out.paths, policy.shares.value);
  const reasons: string[] = [];
  if (sel) for (const r of sel.reasons) reasons.push(r);
  else if (selecting) reasons.push(`map ${name}: no usable path`);
  for (const r of out.reasons) reasons.push(r);
  const usable = usablePaths(topo, map).length;
  return {
    paths: out.paths,
    ...(sel && out.paths.length ? { chosen: sel.chosen } : {}),
    mechanism: out.mechanism,
    reasons,
    state: { map, ioMap: out.ioMap, usable },
    inputs: {
      wwid: map.wwid,
      usablePaths: usable,
      users: topo.usersByMap.get(name) ?? [],
      previous,
      selector: sel?.selector,
      pinned: sel?.pinned ?? false,
    },
  };
}

const NO_PATHS: readonly string[] = Object.freeze([]);

/** Without memory: the paths the VM uses now (its per-VM map's or its own map's current group). */
function observedPaths(topo: Topology, vmId: string, name: string): readonly string[] {
  const base = topo.maps.get(name);
  const own = vmMapOf(topo, vmId, name);
  const users = topo.usersByMap.get(name) ?? [];
  const m = own ?? (users.length <= 1 ? base : undefined);
  if (!m) return NO_PATHS;
  const g = m.groups.find((x) => x.index === currentGroup(m));
  return g ? g.paths.filter((p) => p.dmState === 'active').map((p) => p.dev) : [];
}
