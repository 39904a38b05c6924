/**
 * What the live terminal view shows: built from a snapshot, the last plan and (on the simulated
 * host) I/O metrics. Plain data, so the renderer is a pure function and testable.
 */
export interface PathRow {
  readonly dev: string;
  readonly maps: readonly string[];
  readonly fabric: string;
  readonly state: string;
  readonly mbps?: number;
  readonly utilization?: number;
}

export interface VmRow {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly priority?: number;
  readonly mbps?: number;
  readonly iops?: number;
  readonly latencyMs?: number;
  readonly limit?: string;
  readonly paths: readonly string[];
  readonly ioErrors?: number;
}

export interface LogLine {
  readonly atS: number;
  readonly text: string;
  readonly kind: 'fault' | 'decision' | 'action' | 'warning' | 'error' | 'info';
}

export interface ViewModel {
  readonly title: string;
  readonly clockS: number;
  readonly paths: readonly PathRow[];
  readonly vms: readonly VmRow[];
  readonly log: readonly LogLine[];
  readonly footer?: string;
}
