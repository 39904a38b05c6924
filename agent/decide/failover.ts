/**
 * Failover per VM (DESIGN §3.5, §4): all paths of a map lost → onAllPathsDown (queue with a
 * deadline, then pause; pause; migrate to a node that sees every LUN of the VM, else pause; fail);
 * paths back → resume only VMs vmpath paused (memory.pausedByVmpath), per `resume`; below
 * minPaths → warn, and migrate proactively when the policy allows migration and names targets.
 * Queueing wishes are collected per map (any VM wanting queueing wins over `fail`).
 */
import type { AgentMemory } from '../model/memory';
import type { VmDecision } from '../model/plan';
import type { Origin, VmPolicy } from '../model/policy';
import type { MultipathMap, Vm } from '../model/snapshot';
import type { PlanBuilder } from './plan-builder';
import type { Topology } from './topology';
import type { ClusterView, EngineConfig } from './types';

export interface MapState {
  readonly map: MultipathMap;
  /** Map whose queue_if_no_path governs the VM's I/O (per-VM map when there is one). */
  readonly ioMap: string;
  readonly usable: number;
}

export interface QueueWish {
  queue: boolean;
  readonly reasons: string[];
  readonly origins: Origin[];
}

export interface FailoverContext {
  readonly topo: Topology;
  readonly cfg: EngineConfig;
  readonly plan: PlanBuilder;
  readonly memory: AgentMemory;
  readonly nowMs: number;
  readonly cluster?: ClusterView;
  readonly queueWishes: Map<string, QueueWish>;
}

/** A cluster node with ≥1 healthy path to every wwid, in migrateTargets order (else best first). */
export function chooseMigrationTarget(
  cluster: ClusterView | undefined,
  wwids: readonly string[],
  targets: readonly string[],
  self: string,
): string | undefined {
  if (!cluster) return undefined;
  const ok = cluster.nodes.filter(
    (n) => n.online && n.node !== self && wwids.every((w) => (n.healthyPathsByWwid[w] ?? 0) >= 1),
  );
  if (targets.length) return targets.find((t) => ok.some((n) => n.node === t));
  const score = (n: (typeof ok)[number]): number =>
    Math.min(...wwids.map((w) => n.healthyPathsByWwid[w] ?? 0));
  return [...ok].sort((a, b) => score(b) - score(a) || (a.node < b.node ? -1 : 1))[0]?.node;
}

function wishQueue(ctx: FailoverContext, map: string, queue: boolean, reason: string, origin: Origin): void {
  const w = ctx.queueWishes.get(map) ?? { queue, reasons: [], origins: [] };
  w.queue = w.queue || queue;
  w.reasons.push(reason);
  w.origins.push(origin);
  ctx.queueWishes.set(map, w);
}

export function emitQueueing(ctx: FailoverContext): void {
  for (const name of [...ctx.queueWishes.keys()].sort()) {
    const w = ctx.queueWishes.get(name) as QueueWish;
    const map = ctx.topo.maps.get(name);
    if (!map || map.queueIfNoPath === w.queue) continue;
    ctx.plan.add({
      kind: 'set-queueing',
      map: name,
      queue: w.queue,
      reason: w.reasons.join('; '),
      origins: w.origins,
    });
  }
}

/**
 * multipathd's own `no_path_retry queue` (vmpath.conf) for every multipathd map under a VM whose
 * onAllPathsDown is not `fail`: a `dmsetup message … queue_if_no_path` alone is turned off again
 * by multipathd's checker within seconds when its setting is `fail` (measured in the lab), and the
 * guest must see no I/O error while vmpath queues, pauses or migrates it. Set ahead of time, in
 * steady state; skipped when multipathd's setting is unknown (it did not answer).
 */
function ensureMultipathdQueueing(
  ctx: FailoverContext,
  vm: Vm,
  policy: VmPolicy,
  maps: readonly MapState[],
): void {
  const apd = policy.onAllPathsDown.value;
  if (apd.action === 'fail') return;
  for (const { map } of maps) {
    if (map.owner !== 'multipathd' || map.noPathRetry === undefined || map.noPathRetry === 'queue') continue;
    if (ctx.plan.has(`set-no-path-retry:${map.name}`)) continue;
    ctx.plan.add({
      kind: 'set-no-path-retry',
      map: map.name,
      value: 'queue',
      reason: `vm ${vm.id} (onAllPathsDown ${apd.action}) is on ${map.name}: multipathd must keep queueing when all paths are down (its no_path_retry is ${map.noPathRetry})`,
      origins: [policy.onAllPathsDown.origin],
    });
  }
}

type State = VmDecision['state'];

/** vmpath's pause record, if the VM is still paused (running = someone resumed it, or the pause failed). */
function pausedByUs(ctx: FailoverContext, vm: Vm): AgentMemory['pausedByVmpath'][string] | undefined {
  return vm.runState === 'running' ? undefined : ctx.memory.pausedByVmpath[vm.id];
}

function pause(
  ctx: FailoverContext,
  vm: Vm,
  policy: VmPolicy,
  why: string,
  reasons: string[],
  origins: Origin[],
): State {
  const mine = pausedByUs(ctx, vm);
  if (mine) {
    reasons.push(`${why}; already paused by vmpath since ${new Date(mine.sinceMs).toISOString()}`);
    const r = policy.resume.value;
    if (r.mode === 'kill-after') {
      const deadline = mine.sinceMs + r.seconds * 1000;
      if (ctx.nowMs >= deadline) {
        const k = `vm ${vm.id} paused by vmpath for ${r.seconds}s without paths: kill (resume kill-after)`;
        ctx.plan.add({ kind: 'kill-vm', vmId: vm.id, reason: k, origins: [policy.resume.origin] });
        reasons.push(k);
      } else ctx.plan.requeueAtMs(deadline);
    }
  } else if (vm.runState === 'paused') {
    reasons.push(`${why}; vm is already paused by someone else (vmpath will never resume it)`);
  } else {
    ctx.plan.add({ kind: 'pause-vm', vmId: vm.id, reason: `vm ${vm.id}: ${why}`, origins });
    reasons.push(`pause: ${why}`);
  }
  return 'paused';
}

export function decideFailover(
  ctx: FailoverContext,
  vm: Vm,
  policy: VmPolicy,
  maps: readonly MapState[],
  reasons: string[],
): State {
  const apdOrigin = policy.onAllPathsDown.origin;
  ensureMultipathdQueueing(ctx, vm, policy, maps);
  const wwids = (): string[] => [...new Set(maps.map((m) => m.map.wwid))].sort(); // only when migrating
  const down = maps.filter((m) => m.usable === 0);
  const migrating = ctx.memory.migrations[vm.id];
  if (migrating) {
    reasons.push(`migrating to ${migrating.target} since ${new Date(migrating.sinceMs).toISOString()}`);
    for (const m of down) wishQueue(ctx, m.ioMap, true, `vm ${vm.id}: migrating, all paths down`, apdOrigin);
    return 'migrating';
  }
  if (down.length > 0) {
    const names = down.map((m) => m.map.name).join(',');
    const apd = policy.onAllPathsDown.value;
    if (apd.action === 'fail') {
      for (const m of down)
        wishQueue(ctx, m.ioMap, false, `vm ${vm.id}: all paths down, onAllPathsDown fail`, apdOrigin);
      reasons.push(`all paths down on ${names}: fail I/O (queue_if_no_path off)`);
      return 'all-paths-down';
    }
    for (const m of down)
      wishQueue(ctx, m.ioMap, true, `vm ${vm.id}: all paths down, onAllPathsDown ${apd.action}`, apdOrigin);
    if (apd.action === 'queue') {
      const since = Math.min(...down.map((m) => ctx.memory.allPathsDownSince[m.map.name] ?? ctx.nowMs));
      const deadline = since + apd.forSeconds * 1000;
      if (ctx.nowMs < deadline) {
        ctx.plan.requeueAtMs(deadline);
        reasons.push(
          `all paths down on ${names}: queueing I/O until ${new Date(deadline).toISOString()} (${apd.forSeconds}s)`,
        );
        return 'all-paths-down';
      }
      return pause(
        ctx,
        vm,
        policy,
        `all paths down on ${names} for more than ${apd.forSeconds}s (queue deadline passed)`,
        reasons,
        [apdOrigin],
      );
    }
    if (apd.action === 'migrate') {
      const self = ctx.topo.snapshot.host.hostname;
      const luns = wwids();
      const target = chooseMigrationTarget(ctx.cluster, luns, policy.migrateTargets.value, self);
      if (target) {
        const why = `vm ${vm.id}: all paths down on ${names}; ${target} has healthy paths to ${luns.join(',')}`;
        ctx.plan.add({
          kind: 'migrate-vm',
          vmId: vm.id,
          target,
          reason: why,
          origins: [apdOrigin, policy.migrateTargets.origin],
        });
        reasons.push(why);
        return 'migrating';
      }
      return pause(
        ctx,
        vm,
        policy,
        `all paths down on ${names} and no cluster node has healthy paths to all its LUNs`,
        reasons,
        [apdOrigin],
      );
    }
    return pause(ctx, vm, policy, `all paths down on ${names}`, reasons, [apdOrigin]);
  }

  let state: State = 'normal';
  const mine = pausedByUs(ctx, vm);
  if (mine) {
    const r = policy.resume.value;
    if (r.mode === 'leave-paused') {
      ctx.plan.warn(
        `vm ${vm.id}`,
        'left-paused',
        `paths are back but resume policy is leave-paused; resume it by hand`,
      );
      reasons.push('paths back; left paused (resume leave-paused)');
      state = 'paused';
    } else if (vm.runState === 'paused') {
      const why = `vm ${vm.id}: paths back; vmpath paused it (${mine.reason}): resume (${r.mode})`;
      ctx.plan.add({ kind: 'resume-vm', vmId: vm.id, reason: why, origins: [policy.resume.origin] });
      reasons.push(why);
    }
  } else if (vm.runState === 'paused') {
    reasons.push('vm is paused by someone else: vmpath leaves it alone');
    state = 'paused';
  }
  const min = policy.minPaths.value;
  const thin = maps.filter((m) => m.usable < min);
  if (thin.length > 0) {
    const names = thin.map((m) => `${m.map.name} (${m.usable})`).join(', ');
    ctx.plan.warn(`vm ${vm.id}`, 'below-min-paths', `fewer than minPaths ${min} usable paths on ${names}`);
    reasons.push(`below minPaths ${min} on ${names}`);
    if (state === 'normal') state = 'degraded';
    const targets = policy.migrateTargets.value;
    if (
      policy.onAllPathsDown.value.action === 'migrate' &&
      targets.length > 0 &&
      (vm.runState === 'running' || ctx.plan.has(`resume-vm:${vm.id}`))
    ) {
      const target = chooseMigrationTarget(ctx.cluster, wwids(), targets, ctx.topo.snapshot.host.hostname);
      if (target) {
        const why = `vm ${vm.id}: below minPaths ${min}; proactive migration to ${target}`;
        ctx.plan.add({
          kind: 'migrate-vm',
          vmId: vm.id,
          target,
          reason: why,
          origins: [policy.minPaths.origin, apdOrigin, policy.migrateTargets.origin],
        });
        reasons.push(why);
        state = 'migrating';
      } else reasons.push('no migration target with healthy paths to all its LUNs');
    }
  }
  return state;
}
