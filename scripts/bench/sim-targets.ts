/**
 * Issue 6's targets for vmpath, checked on one scenario's comparison. Each check applies only
 * where the scenario has the thing it measures (limits, reservations, pause policies, ...).
 *  - aggregate: vmpath's total throughput ≥ 97 % of the ideal's;
 *  - share error: among VMs the ideal leaves backlogged (bottlenecked, not capped by their own
 *    demand or limit, for ≥ half the run; needs ≥ 2), each VM's share of their total vs its ideal
 *    share: max |share / idealShare − 1| ≤ 3 %;
 *  - limits: every 1 s bin of a limited VM (single-direction workloads) and its whole-run rate
 *    per direction ≤ limitMBps × 1.01;
 *  - reservations: where feasible, throughput ≥ 99 % of min(reservation, ideal, offered load) —
 *    the ideal is below the reservation only when the VM's own demand (or an infeasible set)
 *    keeps it there, and an open-loop guest's Poisson arrivals may offer slightly less;
 *  - pause: VMs with onAllPathsDown=pause see zero guest I/O errors;
 *  - protected VM (noisy neighbour): p99 under service-time ≥ 3 × p99 under vmpath.
 */
import type { Comparison, PolicyRun } from '../../agent/sim/des/compare';
import type { Target } from './suite';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function run(c: Comparison, policy: string): PolicyRun | undefined {
  return c.runs.find((r) => r.result.policy === policy);
}

export function shareError(c: Comparison, r: PolicyRun): { error: number; vms: string[] } | undefined {
  const ids = c.scenario.vms
    .map((v) => v.id)
    .filter((id) => c.ideal.backlogged[id] && (c.ideal.perVm[id] ?? 0) > 0);
  if (ids.length < 2) return undefined;
  const got = new Map(r.result.vms.map((v) => [v.id, v.throughputMBps]));
  const sumGot = ids.reduce((s, id) => s + (got.get(id) ?? 0), 0);
  const sumIdeal = ids.reduce((s, id) => s + (c.ideal.perVm[id] ?? 0), 0);
  let error = 0;
  for (const id of ids) {
    const share = sumGot > 0 ? (got.get(id) ?? 0) / sumGot : 0;
    const ideal = (c.ideal.perVm[id] ?? 0) / sumIdeal;
    error = Math.max(error, Math.abs(share / ideal - 1));
  }
  return { error, vms: ids };
}

export function vmpathTargets(c: Comparison, protectedVm?: string): Target[] {
  const v = run(c, 'vmpath');
  if (!v) return [];
  const name = c.scenario.name;
  const out: Target[] = [];
  out.push({
    description: `${name}: vmpath aggregate ≥ 97% of ideal`,
    measured: pct(v.totalRatio),
    ok: v.totalRatio >= 0.97,
  });
  const se = shareError(c, v);
  if (se)
    out.push({
      description: `${name}: weighted share error ≤ 3% for backlogged VMs (${se.vms.length})`,
      measured: pct(se.error),
      ok: se.error <= 0.03,
    });
  const byId = new Map(v.result.vms.map((x) => [x.id, x]));
  for (const vm of c.scenario.vms) {
    const res = byId.get(vm.id);
    if (!res) continue;
    const l = vm.policy.limitMBps;
    if (l !== undefined) {
      const single = vm.workload.readPct === 0 || vm.workload.readPct === 100;
      const bins = single ? Math.max(0, ...(v.result.series[vm.id] ?? [])) : 0;
      const worst = Math.max(res.readMBps, res.writeMBps, bins) / l;
      out.push({
        description: `${name}: vm ${vm.id} limit ${l} MB/s not exceeded by > 1%`,
        measured: `peak ${pct(worst)} of limit${single ? ' (1 s bins)' : ' (per direction, whole run)'}`,
        ok: worst <= 1.01,
      });
    }
    const rsv = vm.policy.reservationMBps;
    if (rsv !== undefined && rsv > 0) {
      const f = Math.max(vm.workload.readPct, 100 - vm.workload.readPct) / 100;
      // an open-loop guest may offer a little less than its nominal rate (Poisson arrivals)
      const want = Math.min(rsv / f, c.ideal.perVm[vm.id] ?? 0, res.offeredMBps);
      out.push({
        description: `${name}: vm ${vm.id} reservation ${rsv} MB/s met (when feasible)`,
        measured: `${res.throughputMBps.toFixed(1)} MB/s vs ${want.toFixed(1)} needed`,
        ok: res.throughputMBps >= want * 0.99,
      });
    }
    if (vm.policy.onAllPathsDown === 'pause')
      out.push({
        description: `${name}: vm ${vm.id} (onAllPathsDown=pause) has zero guest I/O errors`,
        measured: `${res.ioErrors} errors, paused ${res.pausedS} s`,
        ok: res.ioErrors === 0,
      });
  }
  const st = run(c, 'service-time');
  if (protectedVm && st) {
    const a = st.result.vms.find((x) => x.id === protectedVm)?.latencyMsP99 ?? 0;
    const b = byId.get(protectedVm)?.latencyMsP99 ?? Infinity;
    const ratio = b > 0 ? a / b : 0;
    out.push({
      description: `${name}: protected vm ${protectedVm} p99 ≥ 3× better than service-time`,
      measured: `${ratio.toFixed(1)}× (${b.toFixed(2)} ms vs ${a.toFixed(2)} ms)`,
      ok: ratio >= 3,
    });
  }
  return out;
}
