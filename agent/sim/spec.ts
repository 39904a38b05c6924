/**
 * The declarative, JSON-friendly description of a simulated host. Field names follow the
 * scenario format of the discrete-event simulator (issue 6): `paths[]` are I_T nexuses (host
 * adapter port → target port) with a capacity; every LUN is reached over some of them, and the
 * simulator makes one SCSI path device (sdX) per (path, LUN). `vms[].policy` is carried as-is
 * for decide/ (the simulator itself never reads it).
 */

/** One I_T nexus: an adapter port reaching the array over a fabric. */
export interface SimPathSpec {
  readonly id: string;
  /** Fabric label (e.g. `A`), used by fault targets and pinning. */
  readonly fabric: string;
  /** Adapter label; paths sharing it share one SCSI host (`hostN`). Default: one per path. */
  readonly adapter?: string;
  /** Transport class; `scsi` has no transport sysfs (like scsi_debug). Default `fc`. */
  readonly transport?: 'fc' | 'iscsi' | 'scsi';
  readonly capacityMBps: number;
  readonly capacityIops: number;
  /** Service latency of one small I/O when idle. */
  readonly latencyMs: number;
  /** ALUA priority multipathd reads for LUNs over this path (50 optimized, 10 non-optimized). */
  readonly priority?: number;
}

export type Grouping = 'failover' | 'multibus' | 'group_by_prio';
export type Failback = 'immediate' | 'manual' | number;
export type Selector = 'service-time 0' | 'round-robin 0' | 'queue-length 0';

export interface SimLunSpec {
  readonly wwid: string;
  /** multipathd alias; default mpatha, mpathb, ... in spec order. */
  readonly alias?: string;
  readonly sizeMiB?: number;
  /** Path ids reaching this LUN; default all. */
  readonly paths?: readonly string[];
  /** Many VMs through LVM (a VG with one LV per VM disk); otherwise owned by one VM. */
  readonly shared?: boolean;
  /** VG name on a shared LUN; default `vmdata<N>`. */
  readonly vg?: string;
  readonly grouping?: Grouping;
  readonly selector?: Selector;
  /** multipath.conf failback for this map. Default `manual` (as multipath-tools' default). */
  readonly failback?: Failback;
  /** no_path_retry: `queue` loads the map with queue_if_no_path. Default `fail`. */
  readonly noPathRetry?: 'fail' | 'queue';
  /** Per-path ALUA priority overrides for this LUN: path id → priority. */
  readonly priorities?: Readonly<Record<string, number>>;
  readonly vendor?: string;
  readonly product?: string;
  readonly revision?: string;
}

export type SimWorkload =
  | {
      readonly type: 'closed';
      readonly outstanding: number;
      readonly ioKiB: number;
      readonly readPct: number;
    }
  | {
      readonly type: 'open';
      readonly rateMBps: number;
      readonly ioKiB: number;
      readonly readPct?: number;
      readonly burst?: unknown;
    }
  | { readonly type: 'idle' };

export interface SimVmDiskSpec {
  /** LUN wwid or alias. */
  readonly lun: string;
  /** LV size on a shared LUN; default 4096 MiB. */
  readonly sizeMiB?: number;
}

export interface SimVmSpec {
  readonly id: string;
  readonly name?: string;
  /** `proxmox` (default) or `libvirt`. */
  readonly kind?: 'proxmox' | 'libvirt';
  readonly disks: readonly (string | SimVmDiskSpec)[];
  readonly workload: SimWorkload;
  /** Passed through for decide/ (priority, shares, limitMBps, pin, ...). */
  readonly policy?: Readonly<Record<string, unknown>>;
  /** Proxmox tags written into the VM config. */
  readonly tags?: readonly string[];
  readonly running?: boolean;
}

/** A timed fault. Exactly one of fail / restore / flap / delete. */
export interface SimFault {
  /** Seconds of simulated time; default now (for inject) or 0 (in a plan). */
  readonly at?: number;
  /**
   * Target: `all`, a path id, a fabric, an adapter (`hostN` or label), a path device (`sdX`),
   * or a LUN (wwid or alias: all of its path devices go offline). Resolved in that order.
   */
  readonly fail?: string;
  readonly restore?: string;
  /** Fail and restore the target every `periodS` seconds, `count` times (default 10). */
  readonly flap?: string;
  readonly periodS?: number;
  readonly count?: number;
  /** Remove a path device (`echo 1 > device/delete`). */
  readonly delete?: string;
}

export interface SimHostSpec {
  readonly hostname?: string;
  readonly kernel?: string;
  readonly seed?: number;
  /** cgroup v2 (default) or v1 (blkio). */
  readonly cgroup?: 'v2' | 'v1';
  /** multipathd polling_interval in seconds (default 2). */
  readonly pollingIntervalS?: number;
  readonly paths: readonly SimPathSpec[];
  readonly luns: readonly SimLunSpec[];
  readonly vms: readonly SimVmSpec[];
  /** A fault plan, times in seconds. */
  readonly events?: readonly SimFault[];
  /** Repeat the fault plan every this many seconds. */
  readonly loopEventsS?: number;
  readonly durationS?: number;
}
