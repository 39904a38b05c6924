/**
 * The simulated host's mutable internal state. Only agent/sim/ sees these types; everything
 * outside reads the host through its seams (files, commands, VmControl) or `metrics()`.
 */
import type { Failback, Selector, SimWorkload } from './spec';

export interface SimLink {
  readonly id: string;
  readonly fabric: string;
  readonly adapterLabel: string;
  /** SCSI host number (`hostN`). */
  readonly hostNo: number;
  /** SCSI target number on that host. */
  readonly targetNo: number;
  readonly transport: 'fc' | 'iscsi' | 'scsi';
  readonly capacityMBps: number;
  readonly capacityIops: number;
  readonly latencyMs: number;
  readonly priority: number;
  /** iSCSI session number (iscsi only). */
  readonly sessionNo: number;
  up: boolean;
  /** Last tick's use: fraction of capacity, MB/s, IOPS. */
  utilization: number;
  /** Latency estimate of the last step (idle latency inflated by utilisation). */
  latencyNowMs: number;
  mbps: number;
  iops: number;
}

export interface IoStat {
  readIos: number;
  readSectors: number;
  readTicks: number;
  writeIos: number;
  writeSectors: number;
  writeTicks: number;
  ioTicks: number;
  timeInQueue: number;
  inflightR: number;
  inflightW: number;
}

export interface SimPathDev {
  readonly dev: string;
  readonly devT: string;
  readonly hcil: string;
  readonly lunNo: number;
  readonly link: SimLink;
  readonly lun: SimLun;
  readonly priority: number;
  /**
   * The priority multipathd assigned at its last reconfigure when it is not the ALUA one: a
   * `prio weightedpath` of the LUN's multipaths entry (detect_prio off), or `const` (1). Absent:
   * `priority` (ALUA, autodetected). See multipathd-prio.ts.
   */
  mpdPriority?: number;
  /** Set by a device-level fault (`echo offline > device/state`). */
  offline: boolean;
  deleted: boolean;
  checker: 'ready' | 'faulty';
  /** Device state as multipathd last read it from sysfs (at its last check). */
  mpdDevState: 'running' | 'offline';
  nextCheckMs: number;
  /** Interval of the current check cycle in seconds (show paths `tick/checkint`). */
  checkIntS: number;
  readonly stat: IoStat;
  mbps: number;
  iops: number;
}

export interface SimLun {
  readonly index: number;
  readonly wwid: string;
  readonly alias: string;
  readonly sizeSectors: number;
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
  readonly grouping: 'failover' | 'multibus' | 'group_by_prio';
  readonly selector: Selector;
  /** From the spec; vmpath.conf may override it on reconfigure. */
  readonly specFailback: Failback;
  readonly noPathRetry: 'fail' | 'queue';
  readonly paths: SimPathDev[];
  readonly shared: boolean;
  vg?: SimVg;
}

export interface SimVg {
  readonly name: string;
  readonly uuid: string;
  /** Next free sector on the PV (after the 1 MiB metadata area). */
  nextSector: number;
}

export interface DmPath {
  readonly dev: SimPathDev;
  failed: boolean;
  failCount: number;
  readonly args: readonly string[];
}

export interface DmGroup {
  readonly selector: string;
  readonly selectorArgs: readonly string[];
  readonly paths: DmPath[];
  bypassed: boolean;
}

export interface MultipathTable {
  readonly kind: 'multipath';
  readonly lengthSectors: number;
  readonly features: string[];
  readonly hwHandler: readonly string[];
  readonly groups: DmGroup[];
  readonly initialPg: number;
}

export interface LinearTable {
  readonly kind: 'linear';
  readonly lengthSectors: number;
  readonly targetDevT: string;
  readonly offset: number;
}

export type DmTable = MultipathTable | LinearTable;

/** multipathd's own record of a map it manages. */
export interface MpdMap {
  readonly lun: SimLun;
  failback: Failback;
  /** What multipathd loaded (its JSON lags the kernel after dmsetup messages). */
  noPathRetry: 'fail' | 'queue';
  /** path_selector from a multipaths entry (absent: the LUN's own selector). */
  pathSelector?: string;
  /** path_grouping_policy from a multipaths entry (absent: the LUN's own grouping). */
  grouping?: SimLun['grouping'];
  action: string;
  pathFaults: number;
  switchGrp: number;
  mapLoads: number;
  /** The group last confirmed best by failback (-1: path states changed since). */
  bestGroup: number;
  /** When set, multipathd re-checks failback at this time. */
  failbackAtMs?: number;
}

export interface DmDev {
  readonly name: string;
  readonly uuid: string;
  readonly minor: number;
  readonly devT: string;
  live: DmTable;
  inactive?: DmTable;
  suspended: boolean;
  eventNr: number;
  /** Kernel multipath state (multipath tables only); 0 = none. */
  currentPg: number;
  nextPg: number;
  queueIo: boolean;
  pgInitCount: number;
  /** While set (simulated ms), a path-group initialisation holds the map's I/O. */
  pgInitUntilMs?: number;
  /** Set for maps multipathd manages. */
  mpd?: MpdMap;
  /** For per-VM maps: the owning VM id. */
  perVmOf?: string;
  readonly stat: IoStat;
  mbps: number;
  iops: number;
}

export interface SimVmDisk {
  /** The dm device the VM holds open (an LV or a multipath map). */
  readonly devT: string;
  readonly fd: number;
  readonly lun: SimLun;
  readonly sizeSectors: number;
}

export interface CgroupRule {
  rbps: number;
  wbps: number;
  riops: number;
  wiops: number;
}

export interface SimVm {
  readonly id: string;
  readonly name: string;
  readonly kind: 'proxmox' | 'libvirt';
  readonly pid: number;
  /** Relative to the controller mount, starting with `/`. */
  readonly cgroupPath: string;
  readonly disks: SimVmDisk[];
  readonly workload: SimWorkload;
  readonly tags: readonly string[];
  readonly policy?: Readonly<Record<string, unknown>>;
  runState: 'running' | 'paused' | 'gone';
  migrateAtMs?: number;
  migrateTarget?: string;
  /** Limits read back from the cgroup, by device MAJ:MIN. */
  limits: Map<string, CgroupRule>;
  /** Weights: `default` and per device. */
  weightDefault: number;
  weights: Map<string, number>;
  /** Per-device byte/io counters for io.stat. */
  ioStat: Map<string, { rbytes: number; wbytes: number; rios: number; wios: number }>;
  // metrics (last tick) and counters
  mbps: number;
  readMBps: number;
  writeMBps: number;
  iops: number;
  latencyMs: number;
  errors: number;
  queued: number;
  completedIos: number;
}
