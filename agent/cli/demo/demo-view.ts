/** Builds the live view of the demo from the simulated host's metrics and the agent's last plan. */
import type { Plan } from '../../model/plan';
import type { SimMetrics } from '../../sim';
import type { LogLine, PathRow, ViewModel, VmRow } from '../view/view-model';

export interface DemoFacts {
  readonly priorities: Readonly<Record<string, number | undefined>>;
  readonly limits: Readonly<Record<string, string | undefined>>;
}

function linkState(up: boolean, devStates: readonly string[]): string {
  if (!up) return 'down';
  const failed = devStates.filter((s) => s !== 'running').length;
  return failed ? `up (${failed} failed)` : 'up';
}

/** Per map, the simulated links (path ids) a VM was steered to in the plan. */
export function linksByMap(
  metrics: SimMetrics,
  plan: Plan | undefined,
  vmId: string,
): Record<string, string[]> {
  const pathOfDev = new Map(metrics.paths.map((p) => [p.dev, p.path]));
  const d = plan?.decisions.find((x) => x.vmId === vmId);
  const out: Record<string, string[]> = {};
  for (const [map, devs] of Object.entries(d?.paths ?? {}))
    out[map] = [...new Set(devs.map((dev) => pathOfDev.get(dev) ?? dev))].sort();
  return out;
}

export function buildDemoView(
  metrics: SimMetrics,
  plan: Plan | undefined,
  facts: DemoFacts,
  log: readonly LogLine[],
  footer: string,
): ViewModel {
  const pathOfDev = new Map(metrics.paths.map((p) => [p.dev, p.path]));
  const paths: PathRow[] = metrics.links.map((l) => {
    const devs = metrics.paths.filter((p) => p.path === l.id);
    return {
      dev: l.id,
      fabric: `${l.fabric}/${l.adapter}`,
      state: linkState(
        l.up,
        devs.map((d) => d.deviceState),
      ),
      mbps: l.throughputMBps,
      utilization: l.utilization,
      maps: [`${devs.filter((d) => d.dmState === 'active').length}/${devs.length} sdX active`],
    };
  });
  const decisions = new Map((plan?.decisions ?? []).map((d) => [d.vmId, d]));
  const vms: VmRow[] = metrics.vms.map((v) => {
    const d = decisions.get(v.id);
    const links = new Set<string>();
    for (const devs of Object.values(d?.paths ?? {}))
      for (const dev of devs) links.add(pathOfDev.get(dev) ?? dev);
    const state = v.runState !== 'running' ? v.runState : v.queued > 0 ? 'queueing' : (d?.state ?? 'running');
    return {
      id: v.id,
      name: v.name,
      state,
      priority: facts.priorities[v.id],
      mbps: v.throughputMBps,
      iops: v.iops,
      latencyMs: v.latencyMs,
      limit: facts.limits[v.id],
      paths: [...links].sort(),
      ioErrors: v.errors,
    };
  });
  return {
    title: 'vmpath demo — embedded simulated host',
    clockS: metrics.timeMs / 1000,
    paths,
    vms,
    log,
    footer,
  };
}
