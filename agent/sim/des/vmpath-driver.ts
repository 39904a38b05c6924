/**
 * vmpath's loop against the simulator: the real decide() (agent/decide) on a HostSnapshot of the
 * simulated host, the scenario's policies as `host-config` layers, and AgentMemory carried
 * forward with decide's own memoryAfter(). It reconciles at t=0, every `agentIntervalS`, when a
 * plan asks (requeueAfterMs), and `agentReactionMs` after any path uevent (coalesced) — like the
 * agent's keyed work queue. There is no separate "sim policy": the plans are applied as a real
 * host would execute them (vmpath-apply.ts).
 */
import { BUILTIN_SELECTORS, SelectorRegistry, decide, memoryAfter } from '../../decide/index';
import type { EngineConfig } from '../../decide/index';
import type { AgentMemory } from '../../model/memory';
import { EMPTY_MEMORY } from '../../model/memory';
import type {
  AllPathsDownAction,
  IoRate,
  PinTarget,
  PolicyLayer,
  PolicySet,
  VmPolicyValues,
} from '../../model/policy';
import type { Engine } from './engine';
import type { SimModel } from './model';
import type { Scenario, ScenarioVm } from './scenario';
import { applyPlan } from './vmpath-apply';
import type { ApplyContext } from './vmpath-apply';
import type { ObservedCgroup } from './vmpath-snapshot';
import { EPOCH_MS, buildSnapshot } from './vmpath-snapshot';

export interface AgentSummary {
  readonly decisions: number;
  readonly actions: number;
  readonly warnings: readonly string[];
}

/** Scenario policy → one `host-config` PolicyLayer (values a real config file would give). */
export function policyLayer(vm: ScenarioVm, source: string): PolicyLayer {
  const p = vm.policy;
  const w = vm.workload;
  const dirs = (x: number): IoRate => ({
    ...(w.readPct > 0 ? { readMBps: x } : {}),
    ...(w.readPct < 100 ? { writeMBps: x } : {}),
  });
  const values: Partial<VmPolicyValues> = {};
  const set = <K extends keyof VmPolicyValues>(k: K, v: VmPolicyValues[K] | undefined): void => {
    if (v !== undefined) (values as Record<string, unknown>)[k] = v;
  };
  set('shares', p.shares);
  set('priority', p.priority);
  set('minPaths', p.minPaths);
  if (p.limitMBps !== undefined) set('limit', { readMBps: p.limitMBps, writeMBps: p.limitMBps });
  if (p.reservationMBps !== undefined && p.reservationMBps > 0) set('reservation', dirs(p.reservationMBps));
  if (p.pin) set('pin', p.pin.map(pinTarget));
  if (p.onAllPathsDown) {
    const apd: AllPathsDownAction =
      p.onAllPathsDown === 'queue'
        ? { action: 'queue', forSeconds: p.queueForS ?? 30 }
        : { action: p.onAllPathsDown };
    set('onAllPathsDown', apd);
  }
  if (p.resume) set('resume', { mode: p.resume });
  return { origin: { kind: 'host-config', source }, values };
}

/** `fabric:A` / `adapter:X` / `path:ID` → PinTarget (a path id is the devices' target port). */
function pinTarget(pin: string): PinTarget {
  const kind = pin.slice(0, pin.indexOf(':'));
  const value = pin.slice(pin.indexOf(':') + 1);
  if (kind === 'fabric') return { kind: 'fabric', fabric: value };
  if (kind === 'adapter') return { kind: 'adapter', adapter: value };
  return { kind: 'target-port', port: value };
}

export function policySet(s: Scenario, source: string): PolicySet {
  const byVm: Record<string, readonly PolicyLayer[]> = {};
  for (const vm of s.vms) byVm[vm.id] = [policyLayer(vm, source)];
  return { allVms: [], byVm };
}

/**
 * The engine settings the simulator's vmpath runs with: the defaults (types.ts) except
 * `perVmMaps: 'steer'` — every VM on a shared LVM LUN gets its own per-VM map, so decide can
 * steer it off paths a VM on a failover-grouped LUN depends on (docs/policy.md); and
 * `ownedMapGrouping: 'by-choice'`, so a VM alone on a multibus raw LUN is steered the same way
 * through multipathd's own grouping (its LUNs have no ALUA: the entry is honoured). A host's
 * defaults stay `pinned` / `keep`; the bench and `vmpath sim` print these settings with their results.
 */
export const SIM_ENGINE_CONFIG: Readonly<Partial<EngineConfig>> = Object.freeze({
  perVmMaps: 'steer',
  ownedMapSelector: 'historical-service-time',
  ownedMapGrouping: 'by-choice',
});

/** The agent's controller reconciles again this long after a `multipathd reconfigure` (loop/controller.ts). */
const RECONFIGURE_SETTLE_MS = 1_000;

export interface VmpathAgent {
  reconcile(): void;
  summary(): AgentSummary;
}

export function attachVmpath(
  engine: Engine,
  m: SimModel,
  source = 'scenario',
  config: Readonly<Partial<EngineConfig>> = SIM_ENGINE_CONFIG,
): VmpathAgent {
  const s = m.scenario;
  const registry = new SelectorRegistry();
  for (const sel of BUILTIN_SELECTORS) registry.register(sel, 'builtin');
  const policies = policySet(s, source);
  const cgroups: ObservedCgroup[] = m.vms.map(() => ({ limits: new Map() }));
  const notes: string[] = [];
  const ctx: ApplyContext = { engine, m, cgroups, notes };
  const warnings = new Set<string>();
  let memory: AgentMemory = EMPTY_MEMORY;
  let decisions = 0;
  let actions = 0;
  let pendingAt = Infinity;

  const reconcile = (): void => {
    pendingAt = Infinity;
    const nowMs = EPOCH_MS + engine.now;
    const snapshot = buildSnapshot(m, engine.now, cgroups);
    const plan = decide({ snapshot, policies, memory, nowMs, selectors: registry, config });
    decisions++;
    actions += plan.actions.length;
    for (const w of plan.warnings)
      if (warnings.size < 50) warnings.add(`${w.subject}: ${w.code}: ${w.message}`);
    if (plan.actions.length)
      engine.timeline.push({
        tMs: engine.now,
        kind: 'agent',
        subject: plan.actions.map((a) => a.kind).join(','),
      });
    applyPlan(ctx, plan);
    memory = memoryAfter(memory, snapshot, plan, nowMs);
    if (plan.requeueAfterMs !== undefined) request(engine.now + plan.requeueAfterMs);
    // multipathd reconfigure reset the other maps' groups (vmpath-regroup.ts): re-assert them a
    // settle time later, as the agent's controller does after a reconfigure.
    if (plan.actions.some((a) => a.kind === 'set-path-grouping')) request(engine.now + RECONFIGURE_SETTLE_MS);
  };

  const request = (tMs: number): void => {
    if (tMs >= pendingAt || tMs > engine.endMs) return;
    pendingAt = tMs;
    engine.schedule(tMs, () => {
      if (engine.now >= pendingAt) reconcile();
    });
  };

  const periodic = (): void => {
    reconcile();
    engine.schedule(engine.now + s.agentIntervalS * 1000, periodic);
  };

  engine.hooks = { onUevent: () => request(engine.now + s.agentReactionMs) };
  reconcile();
  engine.schedule(s.agentIntervalS * 1000, periodic);
  return {
    reconcile,
    summary: () => ({ decisions, actions, warnings: [...warnings, ...notes.slice(0, 20)] }),
  };
}
