/**
 * What one run reports (issue 6 names): per VM throughputMBps, iops, latencyMsP50,
 * latencyMsP99, pausedS, ioErrors, stallS; per path utilization; totals. Plus the time series
 * and the failover timeline the bench charts draw.
 */
import type { Engine, TimelineEntry } from './engine';
import type { SimModel } from './model';

export type PolicyName =
  'vmpath' | 'round-robin' | 'queue-length' | 'service-time' | 'historical-service-time';

export const POLICIES: readonly PolicyName[] = [
  'vmpath',
  'round-robin',
  'queue-length',
  'service-time',
  'historical-service-time',
];

export interface VmResult {
  readonly id: string;
  readonly throughputMBps: number;
  readonly iops: number;
  readonly latencyMsP50: number;
  readonly latencyMsP99: number;
  readonly pausedS: number;
  readonly ioErrors: number;
  readonly stallS: number;
  readonly readMBps: number;
  readonly writeMBps: number;
  /** What the guest issued (MB/s), completed or not: the offered load. */
  readonly offeredMBps: number;
  /** Open-loop arrivals not issued because the guest queue was full. */
  readonly overflow: number;
  /** Share of the VM's completed bytes per fabric. */
  readonly fabricShare: Readonly<Record<string, number>>;
}

export interface PathResult {
  readonly id: string;
  readonly utilization: number;
}

export interface Totals {
  readonly throughputMBps: number;
  readonly iops: number;
  readonly ioErrors: number;
  readonly pausedS: number;
  readonly maxStallS: number;
}

export interface RunResult {
  readonly scenario: string;
  readonly policy: PolicyName;
  readonly durationS: number;
  readonly vms: readonly VmResult[];
  readonly paths: readonly PathResult[];
  readonly totals: Totals;
  /** Seconds per series bin, and MB/s per VM per bin. */
  readonly seriesBinS: number;
  readonly series: Readonly<Record<string, readonly number[]>>;
  readonly timeline: readonly TimelineEntry[];
  /** vmpath only: how often decide() ran and how many actions it applied. */
  readonly agent?: {
    readonly decisions: number;
    readonly actions: number;
    readonly warnings: readonly string[];
  };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function collect(
  m: SimModel,
  engine: Engine,
  policy: PolicyName,
  agent?: RunResult['agent'],
): RunResult {
  const durS = m.scenario.durationS;
  const vms = m.vms.map((vm): VmResult => ({
    id: vm.spec.id,
    throughputMBps: r3(vm.bytes / 1e6 / durS),
    iops: r3(vm.ios / durS),
    latencyMsP50: r3(vm.hist.quantile(0.5)),
    latencyMsP99: r3(vm.hist.quantile(0.99)),
    pausedS: r3(vm.pausedMs / 1000),
    ioErrors: vm.ioErrors,
    stallS: r3(vm.maxGapMs / 1000),
    readMBps: r3(vm.readBytes / 1e6 / durS),
    writeMBps: r3(vm.writeBytes / 1e6 / durS),
    offeredMBps: r3(vm.issuedBytes / 1e6 / durS),
    overflow: vm.overflow,
    fabricShare: Object.fromEntries(
      m.fabrics.map((f, i) => [f, vm.bytes > 0 ? r3((vm.fabricBytes[i] as number) / vm.bytes) : 0]),
    ),
  }));
  const paths = m.paths.map((p) => ({
    id: p.spec.id,
    utilization: r3(Math.min(1, p.busyMs / (durS * 1000))),
  }));
  const binS = m.seriesBinMs / 1000;
  const series: Record<string, number[]> = {};
  for (const vm of m.vms) series[vm.spec.id] = [...vm.series].map((b) => r3(b / 1e6 / binS));
  const totals: Totals = {
    throughputMBps: r3(vms.reduce((s, v) => s + v.throughputMBps, 0)),
    iops: r3(vms.reduce((s, v) => s + v.iops, 0)),
    ioErrors: vms.reduce((s, v) => s + v.ioErrors, 0),
    pausedS: r3(vms.reduce((s, v) => s + v.pausedS, 0)),
    maxStallS: r3(Math.max(0, ...vms.map((v) => v.stallS))),
  };
  return {
    scenario: m.scenario.name,
    policy,
    durationS: durS,
    vms,
    paths,
    totals,
    seriesBinS: r3(binS),
    series,
    timeline: engine.timeline,
    ...(agent ? { agent } : {}),
  };
}
