/**
 * cgroup I/O actions for one VM: `set-io-limit` per disk device (the device QEMU opened) and
 * `set-io-weight` for the cgroup, emitted only when different from what was observed
 * (Vm.cgroupIo). Unobserved cgroup settings: a limit is emitted unless it is "unlimited"; the
 * weight unless the shares are the default. Increases of an existing limit are stepped.
 */
import type { CgroupRef, Vm } from '../model/snapshot';
import type { CgroupIoLimit } from '../model/plan';
import type { Origin } from '../model/policy';
import type { VmAlloc } from './bandwidth';
import { normalizeLimit, sameLimit, stepLimit } from './bandwidth';
import type { PlanBuilder } from './plan-builder';
import type { EngineConfig } from './types';

export interface IoContext {
  readonly plan: PlanBuilder;
  readonly cfg: EngineConfig;
  readonly nowMs: number;
}

/** shares → kernel weight: v2 io.weight 1..10000, v1 blkio.weight 10..1000. */
export function weightFor(cgroup: CgroupRef, shares: number): number {
  return cgroup.version === 2 ? Math.min(10000, Math.max(1, shares)) : Math.min(1000, Math.max(10, shares));
}

function hasOwnKeys(o: object): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return true;
  return false;
}

/** Whether any io limit is observed in the VM's cgroup (else "no limit" is already in place everywhere). */
export function hasObservedLimits(vm: Vm): boolean {
  const seen = vm.cgroupIo?.limits;
  return seen !== undefined && hasOwnKeys(seen);
}

/** `desired`: devT → limit for the VM's disks (and, for bio per-VM maps, its path devices). */
export function emitIo(ctx: IoContext, a: VmAlloc, desired: ReadonlyMap<string, CgroupIoLimit | null>): void {
  const { vm, policy } = a;
  const cgroup = vm.cgroup;
  if (!cgroup) {
    const wants = [...desired.values()].some((l) => l !== null);
    if (wants) ctx.plan.warn(`vm ${vm.id}`, 'no-cgroup', 'limits wanted but the VM cgroup is unknown');
    return;
  }
  let origins: Origin[] | undefined; // one array shared by the VM's limit actions, made on first use
  // "no limit" where none is observed is already in place: drop those before sorting (most are).
  const seen = vm.cgroupIo?.limits;
  const anySeen = hasObservedLimits(vm);
  const todo: [string, CgroupIoLimit | null, CgroupIoLimit | null | undefined][] = [];
  for (const [devT, want] of desired) {
    if (want === null && !anySeen) continue;
    const observed = seen ? normalizeLimit(seen[devT]) : undefined;
    if (want !== null || observed) todo.push([devT, want, observed]);
  }
  todo.sort(([x], [y]) => (x < y ? -1 : 1));
  for (const [devT, want, observed] of todo) {
    const { limit, bounded } = stepLimit(observed ?? null, want, ctx.cfg.limitStepFraction);
    if (observed !== undefined && sameLimit(observed, limit)) continue;
    if (bounded) ctx.plan.requeueAtMs(ctx.nowMs + ctx.cfg.stepRequeueMs);
    const what = limit === null ? 'no limit' : JSON.stringify(limit);
    ctx.plan.add({
      kind: 'set-io-limit',
      vmId: vm.id,
      cgroup,
      devT,
      limit,
      reason:
        `vm ${vm.id} disk ${devT}: ${what}` +
        (bounded
          ? ` (stepped toward ${JSON.stringify(want)}, at most +${ctx.cfg.limitStepFraction * 100}%)`
          : ''),
      origins: (origins ??= [policy.limit.origin, policy.reservation.origin]),
    });
  }
  const weight = weightFor(cgroup, policy.shares.value);
  const seenWeight = vm.cgroupIo?.weight;
  const skip = seenWeight === undefined ? policy.shares.origin.kind === 'default' : seenWeight === weight;
  if (!skip)
    ctx.plan.add({
      kind: 'set-io-weight',
      vmId: vm.id,
      cgroup,
      weight,
      reason: `vm ${vm.id}: weight ${weight} from shares ${policy.shares.value}`,
      origins: [policy.shares.origin],
    });
}
