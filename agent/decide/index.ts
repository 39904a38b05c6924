/**
 * decide(): HostSnapshot + policies + memory + time → Plan. Pure and deterministic.
 *
 * Order of work (each step documented in its module):
 *  1. resolve each VM's policy (policy/resolve.ts); an invalid policy leaves the VM untouched
 *     with a VMPATH_E_POLICY_INVALID warning;
 *  2. VMs by priority (desc) then id: per multipathd map, select paths (select.ts) and choose
 *     the mechanism (mechanism.ts), booking each VM's shares on its paths so later VMs spread
 *     (route.ts; with perVmMaps `steer` the VMs confined by their own maps go first, steer.ts);
 *  3. failover per VM (failover.ts), then queueing per map;
 *  4. bandwidth: reservations by priority, limits and weights (bandwidth.ts, io.ts).
 * Only actions whose desired state differs from the snapshot are emitted.
 */
import { PolicyInvalidError, VmpathError } from '../model/errors';
import type { CgroupIoLimit, Plan, VmDecision } from '../model/plan';
import type { VmPolicy } from '../model/policy';
import type { Vm } from '../model/snapshot';
import type { DiskAlloc, VmAlloc } from './bandwidth';
import { allocate } from './bandwidth';
import type { MapState, QueueWish } from './failover';
import { decideFailover, emitQueueing } from './failover';
import { emitIo, hasObservedLimits } from './io';
import { pathLimits } from './path-limits';
import type { MapOutcome } from './mechanism';
import { PlanBuilder } from './plan-builder';
import { layersForVm, resolvePolicy } from './policy/resolve';
import type { LoadBook } from './select';
import type { Routed } from './route';
import { newRouteContext, routeAll } from './route';
import { dropUnloadableSelectors } from './owned-selector';
import { buildTopology, disksOnMap, vmMapNames } from './topology';
import type { DecideInput, EngineConfig } from './types';
import { DEFAULT_ENGINE_CONFIG } from './types';

export function engineConfig(partial?: Partial<EngineConfig>): EngineConfig {
  return { ...DEFAULT_ENGINE_CONFIG, ...(partial ?? {}) };
}

function resolveAll(input: DecideInput, plan: PlanBuilder): { vm: Vm; policy: VmPolicy }[] {
  const out: { vm: Vm; policy: VmPolicy }[] = [];
  const vms = [...input.snapshot.vms].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const vm of vms) {
    try {
      out.push({ vm, policy: resolvePolicy(layersForVm(input.policies, vm.id), vm.id) });
    } catch (err) {
      if (!(err instanceof VmpathError)) throw err;
      plan.warn(`vm ${vm.id}`, err.code, `${err.message}; vmpath leaves this VM untouched`);
      plan.decision({
        vmId: vm.id,
        paths: {},
        mechanism: {},
        state: 'normal',
        reasons: [`policy invalid: ${err.message}`],
        inputs: { error: err.toJSON() },
      });
    }
  }
  return out.sort(
    (a, b) =>
      b.policy.priority.value - a.policy.priority.value ||
      (a.vm.id < b.vm.id ? -1 : a.vm.id > b.vm.id ? 1 : 0),
  );
}

export function decide(input: DecideInput): Plan {
  const cfg = engineConfig(input.config);
  const topo = buildTopology(input.snapshot);
  const plan = new PlanBuilder(input.nowMs);
  const load: LoadBook = { shares: new Map(), vms: new Map() };
  const selectCtx = {
    topo,
    cfg,
    registry: input.selectors,
    memory: input.memory,
    nowMs: input.nowMs,
    plan,
    load,
  };
  const mechCtx = { topo, cfg, plan };
  const queueWishes = new Map<string, QueueWish>();
  const failCtx = {
    topo,
    cfg,
    plan,
    memory: input.memory,
    nowMs: input.nowMs,
    cluster: input.cluster,
    queueWishes,
  };
  const allocs: VmAlloc[] = [];
  const drafts: {
    vm: Vm;
    policy: VmPolicy;
    /** The decision's paths, chosen, mechanism and inputs.maps, per map name. */
    paths: Record<string, readonly string[]>;
    chosen: Record<string, readonly string[]>;
    mechanism: Record<string, MapOutcome['mechanism']>;
    perMap: Record<string, unknown>;
    reasons: string[];
    maps: MapState[];
  }[] = [];

  const resolved = resolveAll(input, plan);
  const routeCtx = newRouteContext(selectCtx, mechCtx, resolved);
  const routed = routeAll(routeCtx, resolved);
  dropUnloadableSelectors(mechCtx);

  resolved.forEach(({ vm, policy }, i) => {
    const reasons: string[] = [];
    const paths: Record<string, readonly string[]> = {};
    const chosen: Record<string, readonly string[]> = {};
    const mechanism: Record<string, MapOutcome['mechanism']> = {};
    const perMap: Record<string, unknown> = {};
    const maps: MapState[] = [];
    const disks: DiskAlloc[] = [];
    const done = routed[i] as Map<string, Routed>;
    for (const name of done.size > 1 ? vmMapNames(topo, vm) : done.keys()) {
      const r = done.get(name);
      if (!r) continue;
      paths[name] = r.paths;
      if (r.chosen) chosen[name] = r.chosen;
      mechanism[name] = r.mechanism;
      for (const x of r.reasons) reasons.push(x);
      maps.push(r.state);
      perMap[name] = r.inputs;
      for (const d of disksOnMap(vm, name)) disks.push({ devT: d.devT, paths: r.paths });
    }
    allocs.push({ vm, policy, disks: dedupeDisks(disks) });
    drafts.push({ vm, policy, reasons, maps, paths, chosen, mechanism, perMap });
  });

  const states = new Map<string, VmDecision['state']>();
  for (const d of drafts) states.set(d.vm.id, decideFailover(failCtx, d.vm, d.policy, d.maps, d.reasons));
  emitQueueing(failCtx);

  const bw = allocate(allocs, topo, cfg);
  for (const p of bw.problems) plan.warn(`vm ${p.vmId}`, p.code, p.message);
  const ioCtx = { plan, cfg, nowMs: input.nowMs };
  drafts.forEach((d, i) => {
    if (plan.has(`kill-vm:${d.vm.id}`)) return;
    const alloc = allocs[i]; // pushed together with its draft
    const disks = bw.limits.get(d.vm.id) ?? new Map();
    const perPath = pathLimits(
      topo,
      cfg,
      d.vm,
      d.policy,
      d.mechanism,
      d.paths,
      disks,
      hasObservedLimits(d.vm),
    );
    if (!alloc) return;
    // disk limits, overridden by per-path ones (emitIo sorts by device)
    let desired: ReadonlyMap<string, CgroupIoLimit | null> = disks;
    if (perPath.size) {
      const merged = new Map(disks);
      for (const [devT, l] of perPath) merged.set(devT, l);
      desired = merged;
    }
    emitIo(ioCtx, alloc, desired);
  });

  for (const d of drafts) {
    const grants = bw.grants.get(d.vm.id);
    const limits: Record<string, unknown> = {};
    bw.limits.get(d.vm.id)?.forEach((l, devT) => (limits[devT] = l));
    const { policy, perMap: maps } = d;
    plan.decision({
      vmId: d.vm.id,
      paths: d.paths,
      chosen: d.chosen,
      mechanism: d.mechanism,
      reasons: d.reasons,
      inputs: grants ? { policy, maps, reservation: grants, limits } : { policy, maps, limits },
      state: states.get(d.vm.id) ?? 'normal',
    });
  }
  return plan.build();
}

/**
 * Sort strings in place in code-unit order (what sort() without a comparator does);
 * insertion sort for the few paths of a disk (Array.prototype.sort allocates a work area per call).
 */
function sortText(xs: string[]): string[] {
  if (xs.length > 16) return xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i] as string;
    let j = i - 1;
    for (; j >= 0 && (xs[j] as string) > x; j--) xs[j + 1] = xs[j] as string;
    xs[j + 1] = x;
  }
  return xs;
}

/** Distinct strings in code-unit order (`xs` itself when it already is; else a sorted copy without repeats). */
function uniqueSorted(xs: readonly string[]): readonly string[] {
  let ascending = true;
  for (let i = 1; i < xs.length && ascending; i++) ascending = (xs[i - 1] as string) < (xs[i] as string);
  if (ascending) return xs;
  const sorted = sortText([...xs]);
  return sorted.filter((x, i) => i === 0 || x !== sorted[i - 1]);
}

function dedupeDisks(disks: DiskAlloc[]): DiskAlloc[] {
  const only = disks.length === 1 ? disks[0] : undefined;
  if (only) return [{ devT: only.devT, paths: uniqueSorted(only.paths) }];
  const byDev = new Map<string, Set<string>>();
  for (const d of disks) {
    const s = byDev.get(d.devT) ?? new Set<string>();
    for (const p of d.paths) s.add(p);
    byDev.set(d.devT, s);
  }
  return [...byDev.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([devT, s]) => ({ devT, paths: sortText([...s]) }));
}

export { memoryAfter } from './memory-after';
export { resolvePolicy, layersForVm, policyValues } from './policy/resolve';
export { SelectorRegistry } from './selector';
export type { PathSelector, PathCandidate, SelectRequest, Disposable, RegisteredSelector } from './selector';
export { BUILTIN_SELECTORS } from './selectors';
export { DEFAULT_ENGINE_CONFIG } from './types';
export type { DecideInput, EngineConfig, ClusterView, ClusterNodeView } from './types';
export { PolicyInvalidError };
