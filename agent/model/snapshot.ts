/**
 * HostSnapshot: everything vmpath knows about a host at one instant, as plain immutable data
 * (JSON-serialisable, deep-frozen by `freezeSnapshot`). observe/ builds it, decide/ reads it,
 * sim/ and captures produce the inputs it is built from. Device identities are `MAJ:MIN`
 * strings (`DevT`) because that is what cgroups, dm tables and /proc/PID/fd agree on.
 */
import type { MapSettings } from './vmpath-conf';
import type { CgroupIoLimit } from './plan';

/** `MAJ:MIN`, e.g. `8:16`, `253:0`. */
export type DevT = string;

/** dm-multipath's view of one path inside a map (dm table/status + multipathd). */
export type DmPathState = 'active' | 'failed';
/** multipathd checker states (`chk_st`), as multipathd prints them. */
export type CheckerState =
  | 'ready'
  | 'faulty'
  | 'shaky'
  | 'ghost'
  | 'delayed'
  | 'pending'
  | 'timeout'
  | 'removed'
  | 'i/o pending'
  | 'i/o timeout'
  | 'undef'
  | 'unknown';
/** SCSI `device/state` values (plus NVMe controller states for native multipath). */
export type DeviceState =
  | 'running'
  | 'offline'
  | 'blocked'
  | 'transport-offline'
  | 'created'
  | 'cancel'
  | 'deleted'
  | 'quiesce'
  | 'created-blocked'
  | 'live'
  | 'connecting'
  | 'resetting'
  | 'dead'
  | 'unknown';
/** ALUA access states from `device/access_state`. */
export type AluaState =
  | 'active/optimized'
  | 'active/non-optimized'
  | 'standby'
  | 'unavailable'
  | 'lba-dependent'
  | 'offline'
  | 'transitioning';
export type GroupState = 'active' | 'enabled' | 'disabled';

export interface MapPath {
  readonly dev: string;
  readonly devT: DevT;
  readonly dmState: DmPathState;
  /** Kernel fail count from `dmsetup status`. */
  readonly failCount?: number;
  readonly checkerState?: CheckerState;
  readonly deviceState?: DeviceState;
  readonly priority?: number;
  /** Per-path selector args from the table (e.g. repeat_count / relative throughput). */
  readonly selectorArgs?: readonly string[];
  /** Per-path selector status (e.g. in-flight size for service-time). */
  readonly selectorStatus?: readonly string[];
  readonly marginal?: boolean;
}

export interface PathGroup {
  /** 1-based, as dm-multipath and multipathd number groups. */
  readonly index: number;
  readonly state: GroupState;
  readonly selector: string;
  readonly selectorArgs: readonly string[];
  readonly priority?: number;
  readonly paths: readonly MapPath[];
}

export type QueueMode = 'rq' | 'mq' | 'bio';

export interface MultipathMap {
  readonly name: string;
  /** The map's WWID (multipathd `uuid`); for vmpath per-VM maps the base LUN's WWID. */
  readonly wwid: string;
  /** Kernel name, e.g. `dm-0`. */
  readonly dm: string;
  readonly devT: DevT;
  readonly sizeSectors: number;
  /** dm table features, e.g. ['queue_if_no_path', 'queue_mode', 'bio']. */
  readonly features: readonly string[];
  /** Read from the dm table (multipathd JSON lags the kernel). */
  readonly queueIfNoPath: boolean;
  readonly queueMode: QueueMode;
  readonly hwHandler: string;
  readonly groups: readonly PathGroup[];
  /** 1-based index of the group currently used, if the kernel says. */
  readonly activeGroup?: number;
  /** 1-based index of the group the kernel will use next (changes at once on switch_group). */
  readonly nextGroup?: number;
  readonly failback?: string;
  /**
   * multipathd's `no_path_retry` for the map, from its JSON `queueing` (0.9.x: `on` = queue,
   * `off` = fail, `-` = unset, `N sec`/`N chk` = a retry count): what multipathd will keep the
   * kernel's queue_if_no_path at. Absent when multipathd did not answer or for per-VM maps.
   */
  readonly noPathRetry?: NoPathRetry;
  /**
   * What vmpath's own /etc/multipath/conf.d/vmpath.conf sets for this map's WWID (absent: no
   * entry). The only way to know `failback manual` is in force: multipathd's JSON `failback` is
   * a countdown, `-` for manual and deferred alike.
   */
  readonly vmpathConf?: MapSettings;
  readonly vendor?: string;
  readonly product?: string;
  /** `multipathd` for maps it manages; `vmpath` for per-VM maps (uuid `vmpath-<vm>-<wwid>`). */
  readonly owner: 'multipathd' | 'vmpath';
  /** For per-VM maps: the VM it serves and the base map's name. */
  readonly perVm?: { readonly vmId: string; readonly baseMap: string };
  /** Kernel names of dm devices stacked on this map (LVs, kpartx partitions). */
  readonly holders: readonly string[];
  readonly suspended?: boolean;
}

export type NoPathRetry = 'queue' | 'fail' | 'unset' | 'retry';

export type TransportKind = 'fc' | 'iscsi' | 'sas' | 'nvme' | 'scsi' | 'unknown';

export interface Transport {
  readonly kind: TransportKind;
  /** FC remote port state / iSCSI session state / NVMe controller state. */
  readonly state?: string;
  /** SCSI host (adapter), e.g. `host3`. */
  readonly adapter?: string;
  /** Target port identity: FC WWPN, iSCSI target name + portal, or NVMe subsystem. */
  readonly targetPort?: string;
  readonly hostPort?: string;
  readonly devLossTmo?: number;
  readonly fastIoFailTmo?: number;
  readonly recoveryTmo?: number;
  /** NVMe native multipath: the subsystem's `iopolicy` (numa, round-robin, queue-depth). */
  readonly iopolicy?: string;
}

export interface IoCounters {
  readonly readIos: number;
  readonly readSectors: number;
  readonly writeIos: number;
  readonly writeSectors: number;
  readonly inFlight: number;
  readonly ioTicksMs: number;
}

/** A path (block) device as sysfs describes it, independent of the maps using it. */
export interface PathDevice {
  readonly dev: string;
  readonly devT: DevT;
  /** SCSI H:C:T:L when known. */
  readonly hcil?: string;
  readonly deviceState: DeviceState;
  readonly accessState?: AluaState;
  readonly inflight: { readonly read: number; readonly write: number };
  readonly stat?: IoCounters;
  readonly transport: Transport;
  /** Operator/admin-visible fabric label (from config or transport), used by pinning. */
  readonly fabric?: string;
  /** Measured or configured capacity, if known (used by bandwidth allocation). */
  readonly capacityMBps?: number;
  readonly capacityIops?: number;
}

export type VmKind = 'proxmox' | 'libvirt' | 'qemu';
export type VmRunState = 'running' | 'paused' | 'unknown';

export interface CgroupRef {
  readonly version: 1 | 2;
  /** Path relative to the controller mount (v1 blkio or the v2 root), starting with `/`. */
  readonly path: string;
}

/** One link in a disk chain, from the VM's open device downwards. */
export interface ChainLink {
  readonly dev: string;
  readonly devT: DevT;
  readonly kind: 'lv' | 'partition' | 'kpartx' | 'multipath' | 'vm-map' | 'path' | 'dm-other' | 'disk';
  /**
   * For dm links (lv, kpartx, dm-other): the live table as `dmsetup table` prints it, without the
   * `name:` prefix, e.g. `0 2097152 linear 253:3 2048`. decide/ needs it to emit `move-lv`
   * (the same table with the lower device swapped for the VM's per-VM map). Optional.
   */
  readonly table?: string;
  /** For dm links: the device-mapper name (`mpatha`, `pve-vm--101--disk--0`); `dev` is the kernel name. */
  readonly dmName?: string;
}

export interface VmDisk {
  /** What QEMU holds open. */
  readonly devT: DevT;
  readonly dev: string;
  readonly chain: readonly ChainLink[];
  /** Names of the multipathd maps (not per-VM maps) the disk sits on. */
  readonly maps: readonly string[];
}

export interface Vm {
  /** Stable id: Proxmox vmid (`101`) or libvirt domain name. */
  readonly id: string;
  readonly kind: VmKind;
  readonly name: string;
  readonly uuid?: string;
  readonly pid: number;
  readonly cgroup?: CgroupRef;
  readonly runState: VmRunState;
  readonly disks: readonly VmDisk[];
  /** Free-form tags (Proxmox tags) used as a policy source. */
  readonly tags?: readonly string[];
  /** Host path of the QEMU's QMP socket, from its command line (Proxmox: /var/run/qemu-server/<vmid>.qmp). */
  readonly qmpSocket?: string;
  /**
   * Observed cgroup I/O settings of the VM's cgroup (io.max / io.weight on v2; blkio.throttle.* /
   * blkio.weight on v1), in kernel units. decide/ compares desired with this to keep plans
   * minimal; absent = not observed (decide/ then always emits set-io-limit / set-io-weight).
   * `limits` is keyed by the device's MAJ:MIN; a device without an entry has no limit (`max`).
   */
  readonly cgroupIo?: VmCgroupIo;
}

export interface VmCgroupIo {
  readonly limits: Readonly<Record<DevT, CgroupIoLimit>>;
  /** Default weight of the cgroup (v2 `io.weight` "default N", v1 `blkio.weight`). */
  readonly weight?: number;
}

export interface Diagnostic {
  readonly level: 'info' | 'warn' | 'error';
  /** VMPATH_E_* code when it comes from an error. */
  readonly code?: string;
  /** The object it is about, e.g. `map mpatha`, `vm 101`, `path sdb`. */
  readonly subject: string;
  readonly message: string;
}

export interface HostInfo {
  readonly hostname: string;
  readonly kernel?: string;
  /**
   * dm-multipath path selectors this kernel can load (`round-robin`, `queue-length`,
   * `service-time`, `historical-service-time`, `io-affinity`), from depmod's lists; absent when
   * unknown (then nothing may be concluded about a selector).
   */
  readonly pathSelectors?: readonly string[];
  readonly multipathToolsVersion?: string;
  readonly cgroupMode: 'v1' | 'v2' | 'hybrid' | 'none';
  /** Where cgroupfs is mounted (host paths): the v1 blkio controller and/or cgroup2. */
  readonly cgroupMounts?: { readonly v1Blkio?: string; readonly v2?: string };
}

export interface HostSnapshot {
  /** Milliseconds since the epoch at which observation started (an input, never read by decide/). */
  readonly takenAtMs: number;
  readonly host: HostInfo;
  readonly maps: readonly MultipathMap[];
  readonly paths: readonly PathDevice[];
  readonly vms: readonly Vm[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Recursively freeze a value so nothing downstream can mutate a snapshot or a plan. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    // No Object.values/keys: an array per object made freezing a large host's snapshot its
    // biggest source of garbage.
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
    else {
      const record = value as Record<string, unknown>;
      for (const key in record) if (Object.hasOwn(record, key)) deepFreeze(record[key]);
    }
  }
  return value;
}

export function freezeSnapshot(snapshot: HostSnapshot): HostSnapshot {
  return deepFreeze(snapshot);
}

/** Paths of a map, across all groups, in table order. */
export function mapPaths(map: MultipathMap): MapPath[] {
  return map.groups.flatMap((g) => [...g.paths]);
}

/** A path is usable when the kernel has it active and its device is running. */
export function isPathUsable(mapPath: MapPath, device?: PathDevice): boolean {
  if (mapPath.dmState !== 'active') return false;
  if (device && device.deviceState !== 'running' && device.deviceState !== 'live') return false;
  return true;
}
