/**
 * metrics(): a plain, JSON-friendly picture of the simulated host for the live terminal view
 * and tests. Rates are those of the last step; counters (errors, completed I/Os) are cumulative.
 */
import type { SimState } from './build';
import { mpTable, queueIfNoPath, validPaths } from './dm-kernel';
import type { FaultInjector, FaultRecord } from './faults';
import { findDmPath } from './dm-kernel';

export interface SimVmMetrics {
  readonly id: string;
  readonly name: string;
  readonly runState: 'running' | 'paused' | 'gone';
  readonly throughputMBps: number;
  readonly readMBps: number;
  readonly writeMBps: number;
  readonly iops: number;
  readonly latencyMs: number;
  /** Guest-visible I/O errors since start. */
  readonly errors: number;
  /** I/Os waiting (queue_if_no_path or a suspended device), now. */
  readonly queued: number;
  readonly completedIos: number;
}

export interface SimPathMetrics {
  readonly dev: string;
  readonly devT: string;
  readonly path: string;
  readonly fabric: string;
  readonly adapter: string;
  readonly lun: string;
  readonly deviceState: 'running' | 'offline' | 'transport-offline' | 'deleted';
  readonly checker: 'ready' | 'faulty';
  readonly dmState?: 'active' | 'failed';
  readonly throughputMBps: number;
  readonly iops: number;
}

export interface SimLinkMetrics {
  readonly id: string;
  readonly fabric: string;
  readonly adapter: string;
  readonly up: boolean;
  readonly utilization: number;
  readonly latencyMs: number;
  readonly throughputMBps: number;
  readonly iops: number;
}

export interface SimMapMetrics {
  readonly name: string;
  readonly devT: string;
  readonly uuid: string;
  readonly kind: 'multipath' | 'linear';
  readonly owner: 'multipathd' | 'vmpath' | 'lvm' | 'other';
  /** 1-based group carrying I/O (0 none) and the one the kernel will use next (0 none). */
  readonly activeGroup: number;
  readonly nextGroup: number;
  readonly validPaths: number;
  readonly queueIfNoPath: boolean;
  readonly suspended: boolean;
  readonly throughputMBps: number;
}

export interface SimMetrics {
  /** Simulated ms since start. */
  readonly timeMs: number;
  readonly vms: readonly SimVmMetrics[];
  readonly paths: readonly SimPathMetrics[];
  readonly links: readonly SimLinkMetrics[];
  readonly maps: readonly SimMapMetrics[];
  readonly faults: { readonly recent: readonly FaultRecord[]; readonly pending: readonly FaultRecord[] };
}

export function collectMetrics(state: SimState, timeMs: number, faults: FaultInjector): SimMetrics {
  return {
    timeMs,
    vms: state.vms.map((v) => ({
      id: v.id,
      name: v.name,
      runState: v.runState,
      throughputMBps: v.mbps,
      readMBps: v.readMBps,
      writeMBps: v.writeMBps,
      iops: v.iops,
      latencyMs: v.latencyMs,
      errors: v.errors,
      queued: v.queued,
      completedIos: v.completedIos,
    })),
    paths: state.paths.map((p) => {
      const dm = state.dm.get(p.lun.alias);
      const dp = dm ? findDmPath(dm, p.devT) : undefined;
      return {
        dev: p.dev,
        devT: p.devT,
        path: p.link.id,
        fabric: p.link.fabric,
        adapter: p.link.adapterLabel,
        lun: p.lun.alias,
        deviceState: p.deleted
          ? 'deleted'
          : p.offline
            ? 'offline'
            : p.link.up
              ? 'running'
              : 'transport-offline',
        checker: p.checker,
        ...(dp ? { dmState: dp.failed ? ('failed' as const) : ('active' as const) } : {}),
        throughputMBps: p.mbps,
        iops: p.iops,
      };
    }),
    links: state.links.map((l) => ({
      id: l.id,
      fabric: l.fabric,
      adapter: l.adapterLabel,
      up: l.up,
      utilization: l.utilization,
      latencyMs: l.latencyNowMs,
      throughputMBps: l.mbps,
      iops: l.iops,
    })),
    maps: [...state.dm.values()].map((d) => {
      const t = mpTable(d);
      return {
        name: d.name,
        devT: d.devT,
        uuid: d.uuid,
        kind: d.live.kind,
        owner: d.mpd ? 'multipathd' : d.perVmOf ? 'vmpath' : d.uuid.startsWith('LVM-') ? 'lvm' : 'other',
        activeGroup: d.currentPg,
        nextGroup: d.nextPg,
        validPaths: t ? validPaths(t) : 0,
        queueIfNoPath: queueIfNoPath(d),
        suspended: d.suspended,
        throughputMBps: d.mbps,
      };
    }),
    faults: { recent: faults.history.slice(-20), pending: faults.pending().slice(0, 20) },
  };
}
