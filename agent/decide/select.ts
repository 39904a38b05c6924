/**
 * Path selection for one VM on one multipathd map: usable paths → eligible (hold-down and flap
 * damping, except paths the VM already uses) → pinned subset if any pin matches → the VM's
 * selector (fallback on error) → stability (keep the previous choice unless the gain beats the
 * threshold). Returns the ordered chosen devices with the reasons.
 */
import type { AgentMemory } from '../model/memory';
import type { PinTarget, VmPolicy } from '../model/policy';
import type { MapPath, MultipathMap } from '../model/snapshot';
import type { PlanBuilder } from './plan-builder';
import type { PathCandidate, SelectRequest, SelectorRegistry } from './selector';
import { pinRank } from './selectors/pins';
import type { Topology } from './topology';
import { groupIndex, physicalPath, usablePaths } from './topology';
import type { EngineConfig } from './types';

/** Load already steered to each physical path (topology.physicalPath) in this plan. */
export interface LoadBook {
  readonly shares: Map<string, number>;
  readonly vms: Map<string, number>;
}

export interface SelectContext {
  readonly topo: Topology;
  readonly cfg: EngineConfig;
  readonly registry: SelectorRegistry;
  readonly memory: AgentMemory;
  readonly nowMs: number;
  readonly plan: PlanBuilder;
  readonly load: LoadBook;
}

/** Options of one selection (perVmMaps `steer`, steer.ts); none: the VM's selector picks `minPaths`. */
export interface SelectOptions {
  /** Use every eligible path (the per-VM map's first group): no gain comparison, the set is the choice. */
  readonly all?: boolean;
  /** Why a path is left to VMs confined to it (undefined: this VM may use it). */
  readonly leftTo?: (dev: string) => string | undefined;
  /** Paths the VM's I/O already reaches (its per-VM map's first group): exempt from damping like `previous`. */
  readonly inUse?: readonly string[];
}

export interface Selection {
  readonly chosen: readonly string[];
  readonly selector: string;
  readonly pinned: boolean;
  readonly reasons: readonly string[];
}

/**
 * Why a path that is usable now is not used for new assignments (hold-down, flap damping), or
 * undefined. `memory` is what the previous reconcile saw: a path it saw down is coming back in
 * this very reconcile, so its hold-down starts now and this return counts as a transition (else
 * the first reconcile after a return would assign it freely, and by the next one the VM already
 * uses it: hold-down would never apply).
 */
export function dampedReason(ctx: SelectContext, dev: string): string | undefined {
  const h = ctx.memory.paths[dev];
  if (!h) return undefined;
  const { holdDownSeconds, flapWindowSeconds, maxFlaps } = ctx.cfg;
  const backSinceMs = h.usable ? h.lastChangeMs : ctx.nowMs;
  const returned = !h.usable || h.lastChangeMs > 0;
  if (returned && ctx.nowMs - backSinceMs < holdDownSeconds * 1000)
    return `came back ${Math.round((ctx.nowMs - backSinceMs) / 1000)}s ago (hold-down ${holdDownSeconds}s)`;
  const transitions = h.usable ? h.transitionsMs : [...h.transitionsMs, ctx.nowMs];
  const flaps = transitions.filter((t) => t > ctx.nowMs - flapWindowSeconds * 1000).length;
  if (flaps > maxFlaps) return `flapped ${flaps}x in ${flapWindowSeconds}s (max ${maxFlaps})`;
  return undefined;
}

function candidate(ctx: SelectContext, map: MultipathMap, dev: string, devT: string): PathCandidate {
  const d = ctx.topo.devices.get(dev);
  const group = groupIndex(ctx.topo, map, dev) ?? 1;
  const phys = physicalPath(ctx.topo, dev);
  return {
    dev,
    devT,
    group,
    adapter: d?.transport.adapter,
    fabric: d?.fabric,
    targetPort: d?.transport.targetPort,
    inflight: d ? d.inflight.read + d.inflight.write : 0,
    capacityMBps: d?.capacityMBps ?? ctx.cfg.defaultPathCapacityMBps,
    assignedShares: ctx.load.shares.get(phys) ?? 0,
    assignedVms: ctx.load.vms.get(phys) ?? 0,
  };
}

function describePins(pins: readonly PinTarget[]): string {
  return pins
    .map((p) => (p.kind === 'group' ? `group:${p.index}` : `${p.kind}:${Object.values(p)[1]}`))
    .join(',');
}

function runSelector(ctx: SelectContext, id: string, req: SelectRequest, reasons: string[]): string[] {
  const tryOne = (sid: string): string[] | string => {
    const entry = ctx.registry.get(sid);
    if (!entry) return `selector ${sid} is not registered`;
    try {
      const names = new Set(req.candidates.map((c) => c.dev));
      const out = [...new Set(entry.selector.select(req))].filter((d) => names.has(d));
      return out.length > 0 ? out : `selector ${sid} (${entry.owner}) returned no usable path`;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      ctx.plan.warn(
        `plugin ${entry.owner}`,
        'VMPATH_E_PLUGIN_ACTIVATION',
        `selector ${sid} threw for vm ${req.vmId} map ${req.map}: ${msg}`,
      );
      return `selector ${sid} (${entry.owner}) failed: ${msg}`;
    }
  };
  const first = tryOne(id);
  if (typeof first !== 'string') return first;
  reasons.push(`${first}; fell back to ${ctx.cfg.fallbackSelector}`);
  ctx.plan.warn(`vm ${req.vmId}`, 'selector-fallback', `${first}; using ${ctx.cfg.fallbackSelector}`);
  const second = id === ctx.cfg.fallbackSelector ? 'same' : tryOne(ctx.cfg.fallbackSelector);
  if (typeof second !== 'string') return second;
  return req.candidates.slice(0, req.want).map((c) => c.dev);
}

function meanLoad(cands: ReadonlyMap<string, PathCandidate>, devs: readonly string[]): number {
  let sum = 0;
  for (const d of devs) {
    const c = cands.get(d);
    if (c) sum += c.assignedShares / Math.max(c.capacityMBps, 1);
  }
  return devs.length ? sum / devs.length : 0;
}

/** Choose paths for (vm, map); undefined when the map has no usable path. */
export function selectPaths(
  ctx: SelectContext,
  vmId: string,
  policy: VmPolicy,
  map: MultipathMap,
  ordinal: number,
  previous: readonly string[],
  opts: SelectOptions = {},
): Selection | undefined {
  const usable = usablePaths(ctx.topo, map);
  if (usable.length === 0) return undefined;
  const reasons: string[] = [];
  const prev = new Set(previous);
  const inUse = opts.inUse ? new Set([...previous, ...opts.inUse]) : prev;
  let eligible: readonly MapPath[] = usable.filter((p) => {
    if (inUse.has(p.dev)) return true;
    const why = dampedReason(ctx, p.dev);
    if (why) reasons.push(`path ${p.dev} not used for new assignments: ${why}`);
    return !why;
  });
  if (eligible.length === 0) {
    reasons.push('every usable path is damped; using them anyway');
    eligible = usable;
  }
  let cands = eligible
    .map((p) => candidate(ctx, map, p.dev, p.devT))
    .sort((a, b) => (a.dev < b.dev ? -1 : 1));
  const pins = policy.pin.value;
  let pinned = false;
  if (pins.length > 0) {
    const matching = cands.filter((c) => pinRank(c, pins) >= 0);
    if (matching.length > 0) {
      cands = matching;
      pinned = true;
      reasons.push(`pinned to ${describePins(pins)} (${matching.map((c) => c.dev).join(',')})`);
    } else {
      reasons.push(`pinned paths ${describePins(pins)} not usable on map ${map.name}; using others`);
      ctx.plan.warn(
        `vm ${vmId}`,
        'pin-unavailable',
        `no usable path of map ${map.name} matches pin ${describePins(pins)}`,
      );
    }
  }
  const minWant = Math.max(policy.minPaths.value, 1);
  if (opts.leftTo) cands = leaveOut(cands, opts.leftTo, minWant, reasons);
  const want = Math.min(cands.length, pinned || opts.all ? Math.max(minWant, cands.length) : minWant);
  const selectorId = policy.selector.value;
  const req: SelectRequest = {
    vmId,
    map: map.name,
    wwid: map.wwid,
    candidates: cands,
    want,
    pins,
    priority: policy.priority.value,
    shares: policy.shares.value,
    previous,
    ordinal,
  };
  let chosen = runSelector(ctx, selectorId, req, reasons);
  const byDev = new Map(cands.map((c) => [c.dev, c]));
  const prevValid = previous.length > 0 && previous.every((d) => byDev.has(d));
  const sameSet = prevValid && chosen.length === previous.length && chosen.every((d) => prev.has(d));
  if (sameSet)
    chosen = [...previous]; // same paths: keep their order (the first decides the group)
  else if (prevValid && !opts.all) {
    const before = meanLoad(byDev, previous);
    const gain = before > 0 ? (before - meanLoad(byDev, chosen)) / before : 0;
    if (gain <= ctx.cfg.rebalanceGainThreshold) {
      reasons.push(
        `kept previous paths ${previous.join(',')}: gain ${gain.toFixed(2)} <= threshold ${ctx.cfg.rebalanceGainThreshold}`,
      );
      chosen = [...previous];
    } else {
      reasons.push(`moved from ${previous.join(',')}: gain ${gain.toFixed(2)}`);
    }
  } else if (previous.length > 0 && !prevValid) {
    reasons.push(`previous paths ${previous.join(',')} no longer all usable/eligible: reselected`);
  }
  reasons.push(`selector ${selectorId} chose ${chosen.join(',')} on map ${map.name}`);
  return { chosen, selector: selectorId, pinned, reasons };
}

/** Candidates without the paths left to others, unless fewer than `minWant` would remain. */
function leaveOut(
  cands: PathCandidate[],
  leftTo: (dev: string) => string | undefined,
  minWant: number,
  reasons: string[],
): PathCandidate[] {
  const kept: PathCandidate[] = [];
  const why: string[] = [];
  for (const c of cands) {
    const w = leftTo(c.dev);
    if (w) why.push(w);
    else kept.push(c);
  }
  if (why.length === 0) return cands;
  if (kept.length >= minWant) {
    for (const w of why) reasons.push(w);
    return kept;
  }
  reasons.push(
    `${why.length} path(s) would be left to confined VMs, but only ${kept.length} other(s) remain (minPaths ${minWant}): using them all`,
  );
  return cands;
}

/** Record that a VM with `shares` now uses `devs`. */
export function book(topo: Topology, load: LoadBook, devs: readonly string[], shares: number): void {
  for (const dev of devs) {
    const d = physicalPath(topo, dev);
    load.shares.set(d, (load.shares.get(d) ?? 0) + shares);
    load.vms.set(d, (load.vms.get(d) ?? 0) + 1);
  }
}
