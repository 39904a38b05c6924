/**
 * The simulator's mutable runtime state, built from a Scenario. Indexes (not ids) link the
 * objects so the hot loop does no map lookups. Only agent/sim/des/ sees these types.
 *  - PathRt: one I_T nexus: a single server (service time per I/O = max(bytes / MBps, 1 / IOPS))
 *    followed by a pure delay of latencyMs; its queue is FIFO, or start-time fair queueing by
 *    VM weight when the run emulates blk-cgroup weights (vmpath).
 *  - MapRt: one dm-multipath map (multipathd's per LUN, or a vmpath per-VM map): entries are
 *    (path, path device) with per-map kernel state (active/failed, selector counters), groups.
 *  - VmRt / DiskRt: workload state, the map each disk's I/O goes through, token buckets.
 */
import type { PathGrouping } from '../../model/path-grouping';
import { sdDevT, sdName } from '../naming';
import { LatencyHistogram } from './histogram';
import type { Components } from './components';
import { components } from './components';
import { TagQueue } from './tag-queue';
import { ThrottleFifo } from './throttle-fifo';
import type { HeapItem } from './heap';
import type { Rng } from './rng';
import { deriveSeed, makeRng } from './rng';
import type { Scenario, ScenarioLun, ScenarioPath, ScenarioVm } from './scenario';
import type { KernelSelector, SelPath } from './selectors';
import type { TokenBucket } from './throttle';

/**
 * One guest I/O. It is its own event in the engine's heap (key = event time, kind = what
 * happens then), so an Io object is in the heap at most once: when a path dies under it, the
 * engine retires it (`dead`) and continues with a clone.
 */
export interface Io extends HeapItem {
  kind: number;
  vm: number;
  disk: number;
  bytes: number;
  read: boolean;
  /** Guest issue time, ms. */
  t0: number;
  closed: boolean;
  map: number;
  entry: number;
  path: number;
  /** Index in the path's in-flight list, -1 when not on a path. */
  slot: number;
  dead: boolean;
  dispatchMs: number;
  /** Fair-queueing start tag and tie-break at the path queue (weighted runs). */
  tag: number;
  tseq: number;
  /** When io.max releases it (while held in a ThrottleFifo), ms. */
  due: number;
}

export interface PathRt {
  readonly idx: number;
  readonly spec: ScenarioPath;
  /** Index into SimModel.fabrics. */
  readonly fabric: number;
  readonly bytesPerMs: number;
  readonly msPerIo: number;
  up: boolean;
  busyUntil: number;
  busyMs: number;
  /** Weighted runs: I/Os waiting for the path, by fair-queueing tag. FIFO runs need no queue. */
  readonly queue: TagQueue;
  wakePending: boolean;
  /** SFQ virtual time and last finish tag per VM of the path's component, by
   * Components.vmLocal (weighted runs only). */
  vtime: number;
  readonly finishTag: Float64Array;
  /** I/Os queued, in service or in latency on this path. */
  readonly inflight: Io[];
}

export interface MapEntry extends SelPath {
  readonly path: number;
  /** Path device of (LUN, path). */
  readonly dev: string;
  readonly devT: string;
  /** 0-based group index. */
  readonly group: number;
  failCount: number;
}

export interface MapRt {
  readonly idx: number;
  readonly name: string;
  readonly devT: string;
  readonly lun: number;
  readonly owner: 'multipathd' | 'vmpath';
  /** For per-VM maps: the VM index. */
  readonly vm: number;
  readonly entries: MapEntry[];
  /** Entry indexes per group (group g = index g + 1 in dm numbering). */
  readonly groups: number[][];
  readonly cursors: { cursor: number }[];
  activeGroup: number;
  selector: KernelSelector;
  queueIfNoPath: boolean;
  readonly held: Io[];
  removed: boolean;
  failbackManual: boolean;
  /** vmpath.conf's group_by_prio + weightedpath for this map (set-path-grouping), if any. */
  grouping?: PathGrouping;
}

export interface DiskRt {
  readonly lun: number;
  /** Map the disk's I/O goes through now (base map or the VM's per-VM map). */
  map: number;
  /** MAJ:MIN of the device QEMU opened (the map itself for an owned LUN, an LV on a shared one). */
  readonly devT: string;
  readonly dev: string;
  /** LV dm name on a shared LUN. */
  readonly lvName?: string;
  buckets: TokenBucket[];
  /** I/Os io.max holds back: reads, writes (blk-throttle's per-direction FIFOs). */
  readonly held: readonly [ThrottleFifo, ThrottleFifo];
}

export interface VmRt {
  readonly idx: number;
  readonly spec: ScenarioVm;
  readonly rng: Rng;
  readonly disks: DiskRt[];
  readonly bytesPerIo: number;
  /** Hot-loop copies of the workload: read %, closed loop, mean open-loop arrival gap (ms). */
  readonly readPct: number;
  readonly closedLoop: boolean;
  readonly meanGapMs: number;
  nextDisk: number;
  paused: boolean;
  pausedSince: number;
  pausedMs: number;
  killed: boolean;
  /** Closed workload: workers waiting to issue (paused or after an error). */
  idleWorkers: number;
  outstanding: number;
  weight: number;
  burstOn: boolean;
  // results
  /** Bytes the guest issued (offered load), completed or not. */
  issuedBytes: number;
  ios: number;
  bytes: number;
  readBytes: number;
  writeBytes: number;
  ioErrors: number;
  overflow: number;
  lastDoneMs: number;
  maxGapMs: number;
  readonly hist: LatencyHistogram;
  readonly series: Float64Array;
  /** Bytes completed per fabric (index into SimModel.fabrics): where the VM's I/O went. */
  readonly fabricBytes: Float64Array;
}

export interface SimModel {
  readonly scenario: Scenario;
  readonly paths: PathRt[];
  readonly maps: MapRt[];
  readonly vms: VmRt[];
  /** Base (multipathd) map index per LUN. */
  readonly baseMap: number[];
  readonly seriesBinMs: number;
  /** LUN index → VM indexes using it. */
  readonly lunUsers: number[][];
  /** Fabric names, sorted. */
  readonly fabrics: readonly string[];
  /** Independent parts of the host (components.ts): the engine runs each on its own queue. */
  readonly comp: Components;
}

/** Per-path device naming: (LUN i, its j-th path) → discovery index. */
export function buildModel(s: Scenario, selector: KernelSelector, queueIfNoPath: boolean): SimModel {
  const pathIdx = new Map(s.paths.map((p, i) => [p.id, i]));
  const fabrics = [...new Set(s.paths.map((p) => p.fabric))].sort();
  // With no reaction delay, a uevent's reaction must interleave with every event: one queue.
  const comp = components(s, s.agentReactionMs <= 0);
  const paths: PathRt[] = s.paths.map((spec, idx) => ({
    idx,
    spec,
    fabric: fabrics.indexOf(spec.fabric),
    bytesPerMs: spec.capacityMBps * 1000,
    msPerIo: 1000 / spec.capacityIops,
    up: true,
    busyUntil: 0,
    busyMs: 0,
    queue: new TagQueue(),
    wakePending: false,
    vtime: 0,
    finishTag: new Float64Array(comp.vmCount[comp.path[idx] as number] as number),
    inflight: [],
  }));
  let devNo = 0;
  const maps: MapRt[] = s.luns.map((lun, i) => {
    const entries = lun.paths.map((pid, j) => {
      const n = devNo++;
      return newEntry(pathIdx.get(pid) as number, sdName(n), sdDevT(n), lun.grouping === 'failover' ? j : 0);
    });
    return newMap(i, `mpath${alias(i)}`, `253:${i}`, i, 'multipathd', -1, entries, selector, queueIfNoPath);
  });
  const lunIdx = new Map(s.luns.map((l, i) => [l.wwid, i]));
  const lunUsers: number[][] = s.luns.map(() => []);
  const seriesBins = Math.max(1, Math.ceil(s.durationS));
  let lvMinor = s.luns.length;
  let fifos = 0;
  const vms: VmRt[] = s.vms.map((spec, idx) => {
    const disks = spec.disks.map((w, k): DiskRt => {
      const li = lunIdx.get(w) as number;
      (lunUsers[li] as number[]).push(idx);
      const lun = s.luns[li] as ScenarioLun;
      const base = maps[li] as MapRt;
      const held = [new ThrottleFifo(fifos++), new ThrottleFifo(fifos++)] as const;
      if (!lun.shared) return { lun: li, map: li, devT: base.devT, dev: `dm-${li}`, buckets: [], held };
      const m = lvMinor++;
      return {
        lun: li,
        map: li,
        devT: `253:${m}`,
        dev: `dm-${m}`,
        lvName: `vmdata${li}-vm--${spec.id}--disk--${k}`,
        buckets: [],
        held,
      };
    });
    const w = spec.workload;
    const bytesPerIo = Math.round(w.ioKiB * 1024);
    return {
      idx,
      spec,
      rng: makeRng(deriveSeed(s.seed, idx)),
      disks,
      bytesPerIo,
      readPct: w.readPct,
      closedLoop: w.type === 'closed',
      meanGapMs: w.type === 'open' && w.rateMBps > 0 ? (bytesPerIo / (w.rateMBps * 1e6)) * 1000 : 0,
      nextDisk: 0,
      paused: false,
      pausedSince: 0,
      pausedMs: 0,
      killed: false,
      idleWorkers: 0,
      outstanding: 0,
      weight: 100,
      burstOn: true,
      issuedBytes: 0,
      ios: 0,
      bytes: 0,
      readBytes: 0,
      writeBytes: 0,
      ioErrors: 0,
      overflow: 0,
      lastDoneMs: 0,
      maxGapMs: 0,
      hist: new LatencyHistogram(),
      series: new Float64Array(seriesBins),
      fabricBytes: new Float64Array(fabrics.length),
    };
  });
  return {
    scenario: s,
    paths,
    maps,
    vms,
    baseMap: s.luns.map((_, i) => i),
    seriesBinMs: (s.durationS * 1000) / seriesBins,
    lunUsers,
    fabrics,
    comp,
  };
}

export function newEntry(path: number, dev: string, devT: string, group: number): MapEntry {
  return {
    path,
    dev,
    devT,
    group,
    active: true,
    inflight: 0,
    inflightBytes: 0,
    rt: 1, // multipathd's default; every engine map keeps it (selectPath's uniformRt)
    hstMs: 0,
    failCount: 0,
  };
}

export function newMap(
  idx: number,
  name: string,
  devT: string,
  lun: number,
  owner: 'multipathd' | 'vmpath',
  vm: number,
  entries: MapEntry[],
  selector: KernelSelector,
  queueIfNoPath: boolean,
): MapRt {
  const nGroups = entries.reduce((m, e) => Math.max(m, e.group + 1), 0);
  const groups: number[][] = Array.from({ length: nGroups }, () => []);
  entries.forEach((e, i) => (groups[e.group] as number[]).push(i));
  return {
    idx,
    name,
    devT,
    lun,
    owner,
    vm,
    entries,
    groups,
    cursors: groups.map(() => ({ cursor: 0 })),
    activeGroup: 0,
    selector,
    queueIfNoPath,
    held: [],
    removed: false,
    failbackManual: true,
  };
}

/** multipathd-style alias suffix: 0 → a, 25 → z, 26 → aa. */
function alias(i: number): string {
  let n = i;
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}
