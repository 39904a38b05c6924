/**
 * The I/O model, one step of `dtMs`. Each running VM disk issues I/O (closed loop: N
 * outstanding; open: a rate), capped by the cgroup limits on the devices of its chain (the
 * device it opens, LVs, the map; path devices only when the map is bio-based). The I/O goes
 * where the kernel would send it: through dm-linear to the multipath map, to its active group
 * (failing dead paths on the way), split over the group's paths by the selector (round-robin:
 * evenly; service-time / queue-length: by capacity). Each path link (I_T nexus) is shared by
 * weighted max-min fairness in "capacity units" (max of MB/s and IOPS utilisation), weights
 * from io.weight. No usable path: queued with queue_if_no_path, else guest-visible errors.
 */
import type { SimCtx } from './dm-kernel';
import { chooseGroupForIo, isUsable, mpTable, queueIfNoPath } from './dm-kernel';
import type { CgroupRule, DmDev, IoStat, SimLink, SimPathDev, SimVm, SimVmDisk } from './state';

interface Segment {
  readonly vm: SimVm;
  readonly flow: Flow;
  readonly path: SimPathDev;
  /** Demand in capacity units (fraction of the link) and what one byte/s costs. */
  demand: number;
  readonly unitPerByte: number;
  readonly weight: number;
  alloc: number;
}

interface Flow {
  readonly vm: SimVm;
  readonly disk: SimVmDisk;
  readonly chain: DmDev[];
  readonly ioBytes: number;
  readonly readFrac: number;
  readonly wl: Workload;
  /** service-time / queue-length: unmet demand moves to less busy paths of the group. */
  readonly adaptive: boolean;
  readonly segs: Segment[];
  bytes: number;
  latencyMs: number;
}

const MB = 1e6;

/** Bytes/s a cgroup rule allows for a read fraction and I/O size. */
export function ruleCap(r: CgroupRule, readFrac: number, ioBytes: number): number {
  const w = 1 - readFrac;
  let cap = Infinity;
  if (readFrac > 0) cap = Math.min(cap, r.rbps / readFrac, (r.riops * ioBytes) / readFrac);
  if (w > 0) cap = Math.min(cap, r.wbps / w, (r.wiops * ioBytes) / w);
  return cap;
}

/** Walk from the device a VM opens down to its multipath map. */
function resolveChain(ctx: SimCtx, devT: string): { chain: DmDev[]; blocked: boolean } {
  const chain: DmDev[] = [];
  let blocked = false;
  let cur = ctx.state.dmByDevT.get(devT);
  for (let depth = 0; cur && depth < 8; depth++) {
    chain.push(cur);
    if (cur.suspended) blocked = true;
    if (cur.live.kind !== 'linear') break;
    cur = ctx.state.dmByDevT.get(cur.live.targetDevT);
  }
  return { chain, blocked };
}

interface Workload {
  readonly ioBytes: number;
  readonly readFrac: number;
  /** Closed loop: I/Os kept in flight (0 for open workloads). */
  readonly outstanding: number;
  /** Open loop: bytes/s offered. */
  readonly rate?: number;
}

function workloadOf(vm: SimVm): Workload | undefined {
  const w = vm.workload;
  if (w.type === 'idle') return undefined;
  const ioBytes = Math.max(512, w.ioKiB * 1024);
  const readFrac = Math.min(1, Math.max(0, (w.readPct ?? 70) / 100));
  if (w.type === 'closed') return { ioBytes, readFrac, outstanding: Math.max(1, w.outstanding) };
  return { ioBytes, readFrac, outstanding: 0, rate: w.rateMBps * MB };
}

function addIo(
  s: IoStat,
  bytes: number,
  ioBytes: number,
  readFrac: number,
  dtMs: number,
  latMs: number,
): void {
  const ios = bytes / ioBytes;
  s.readIos += ios * readFrac;
  s.writeIos += ios * (1 - readFrac);
  s.readSectors += (bytes * readFrac) / 512;
  s.writeSectors += (bytes * (1 - readFrac)) / 512;
  s.readTicks += ios * readFrac * latMs;
  s.writeTicks += ios * (1 - readFrac) * latMs;
  s.timeInQueue += ios * latMs;
  if (bytes > 0) s.ioTicks += dtMs;
}

/** Weighted max-min fair shares of a capacity of 1 among segments. */
export function waterFill(segs: Segment[]): void {
  let total = 0;
  for (const s of segs) total += s.demand;
  if (total <= 1) {
    for (const s of segs) s.alloc = s.demand;
    return;
  }
  const sorted = [...segs].sort((a, b) => a.demand / a.weight - b.demand / b.weight);
  let left = 1;
  let weights = sorted.reduce((n, s) => n + s.weight, 0);
  for (const s of sorted) {
    const fair = (left * s.weight) / weights;
    s.alloc = Math.min(s.demand, fair);
    left -= s.alloc;
    weights -= s.weight;
  }
}

/**
 * Load-aware selectors send more to a path that answers faster: give a flow's unmet demand on
 * saturated paths to the spare capacity of its other paths (most spare first).
 */
function shiftUnmet(f: Flow, spare: Map<SimLink, number>): void {
  let unmetBytes = 0;
  let anySpare = false;
  for (const s of f.segs) {
    unmetBytes += (s.demand - s.alloc) / s.unitPerByte;
    if ((spare.get(s.path.link) ?? 0) > 1e-12) anySpare = true;
  }
  if (unmetBytes <= 0 || !anySpare) return;
  const bySpare = [...f.segs].sort((a, b) => (spare.get(b.path.link) ?? 0) - (spare.get(a.path.link) ?? 0));
  for (const s of bySpare) {
    const left = spare.get(s.path.link) ?? 0;
    if (left <= 1e-12 || unmetBytes <= 0) continue;
    const extra = Math.min(unmetBytes, left / s.unitPerByte);
    s.alloc += extra * s.unitPerByte;
    spare.set(s.path.link, left - extra * s.unitPerByte);
    unmetBytes -= extra;
  }
}

export class IoModel {
  private touched: IoStat[] = [];
  private readonly workloads = new Map<SimVm, Workload | undefined>();

  constructor(private readonly ctx: SimCtx) {}

  step(dtMs: number): void {
    const dtS = dtMs / 1000;
    for (const s of this.touched) s.inflightR = s.inflightW = 0;
    this.touched = [];
    const { state } = this.ctx;
    for (const l of state.links) {
      l.utilization = l.mbps = l.iops = 0;
      l.latencyNowMs = l.latencyMs;
    }
    for (const p of state.paths) p.mbps = p.iops = 0;
    for (const d of state.dm.values()) d.mbps = d.iops = 0;
    const byLink = new Map<SimLink, Segment[]>();
    const flows: Flow[] = [];
    for (const vm of state.vms) {
      vm.mbps = vm.readMBps = vm.writeMBps = vm.iops = vm.latencyMs = 0;
      vm.queued = 0;
      if (vm.runState !== 'running') continue;
      let wl = this.workloads.get(vm);
      if (wl === undefined && !this.workloads.has(vm)) this.workloads.set(vm, (wl = workloadOf(vm)));
      if (!wl) continue;
      for (const disk of vm.disks) this.route(vm, disk, wl, dtS, flows, byLink);
    }
    const spare = new Map<SimLink, number>();
    for (const [link, segs] of byLink) {
      waterFill(segs);
      spare.set(link, 1 - segs.reduce((n, s) => n + s.alloc, 0));
    }
    for (const f of flows) if (f.adaptive && f.segs.length > 1) shiftUnmet(f, spare);
    for (const [link, segs] of byLink) {
      let used = 0;
      for (const s of segs) {
        used += s.alloc;
        const bytes = s.alloc / s.unitPerByte;
        s.flow.bytes += bytes;
        s.path.mbps += bytes / MB;
        s.path.iops += bytes / s.flow.ioBytes;
        link.mbps += bytes / MB;
        link.iops += bytes / s.flow.ioBytes;
      }
      link.utilization = used;
    }
    for (const [link, segs] of byLink) {
      const lat = link.latencyMs / (1 - Math.min(link.utilization, 0.95) * 0.8);
      link.latencyNowMs = lat;
      for (const s of segs) s.flow.latencyMs = Math.max(s.flow.latencyMs, lat);
    }
    for (const f of flows) this.account(f, dtMs, dtS);
  }

  private route(
    vm: SimVm,
    disk: SimVmDisk,
    wl: Workload,
    dtS: number,
    flows: Flow[],
    byLink: Map<SimLink, Segment[]>,
  ): void {
    const { chain, blocked } = resolveChain(this.ctx, disk.devT);
    const map = chain[chain.length - 1];
    const t = map ? mpTable(map) : undefined;
    const pending = wl.outstanding || ((wl.rate ?? 0) * 0.01) / wl.ioBytes;
    if (!map || !t || blocked) {
      vm.queued += Math.ceil(pending);
      return;
    }
    const g = chooseGroupForIo(this.ctx, map);
    if (g === 0) {
      if (queueIfNoPath(map)) vm.queued += Math.ceil(pending);
      else vm.errors += Math.ceil(wl.outstanding || ((wl.rate ?? 0) * dtS) / wl.ioBytes);
      return;
    }
    if (map.pgInitUntilMs !== undefined) {
      vm.queued += Math.ceil(pending);
      return;
    }
    const group = t.groups[g - 1];
    const paths: SimPathDev[] = [];
    let latSum = 0;
    let totalCap = 0;
    for (const p of group ? group.paths : []) {
      if (p.failed || !isUsable(p.dev)) continue;
      paths.push(p.dev);
      latSum += p.dev.link.latencyMs;
      totalCap += p.dev.link.capacityMBps;
    }
    if (paths.length === 0) return;
    let cap = Infinity;
    for (const d of chain) {
      const r = vm.limits.get(d.devT);
      if (r) cap = Math.min(cap, ruleCap(r, wl.readFrac, wl.ioBytes));
    }
    const bio = t.features.includes('bio');
    const meanLat = latSum / paths.length;
    const want = wl.rate ?? (wl.outstanding * wl.ioBytes) / (meanLat / 1000);
    const demand = Math.min(want, cap);
    const flow: Flow = {
      vm,
      disk,
      chain,
      ioBytes: wl.ioBytes,
      readFrac: wl.readFrac,
      wl,
      adaptive: group?.selector !== 'round-robin',
      segs: [],
      bytes: 0,
      latencyMs: meanLat,
    };
    flows.push(flow);
    const byCapacity = group?.selector !== 'round-robin';
    const weight = vm.weights.get(map.devT) ?? vm.weights.get(disk.devT) ?? vm.weightDefault;
    for (const p of paths) {
      const share = byCapacity ? p.link.capacityMBps / totalCap : 1 / paths.length;
      let d = demand * share;
      const pr = bio ? vm.limits.get(p.devT) : undefined;
      if (pr) d = Math.min(d, ruleCap(pr, wl.readFrac, wl.ioBytes));
      const unitPerByte = Math.max(1 / (p.link.capacityMBps * MB), 1 / (p.link.capacityIops * wl.ioBytes));
      const seg: Segment = { vm, flow, path: p, demand: d * unitPerByte, unitPerByte, weight, alloc: 0 };
      let list = byLink.get(p.link);
      if (!list) byLink.set(p.link, (list = []));
      list.push(seg);
      flow.segs.push(seg);
    }
  }

  private account(f: Flow, dtMs: number, dtS: number): void {
    const { vm, wl } = f;
    const rate = f.bytes;
    let lat = f.latencyMs;
    if (wl.outstanding && rate > 0) lat = Math.max(lat, ((wl.outstanding * wl.ioBytes) / rate) * 1000);
    vm.mbps += rate / MB;
    vm.readMBps += (rate * f.readFrac) / MB;
    vm.writeMBps += (rate * (1 - f.readFrac)) / MB;
    vm.iops += rate / f.ioBytes;
    vm.latencyMs = Math.max(vm.latencyMs, lat);
    vm.completedIos += (rate * dtS) / f.ioBytes;
    const bytes = rate * dtS;
    const inflight = wl.outstanding || Math.round((rate / f.ioBytes) * (lat / 1000));
    for (const d of f.chain) {
      addIo(d.stat, bytes, f.ioBytes, f.readFrac, dtMs, lat);
      d.stat.inflightR += Math.round(inflight * f.readFrac);
      d.stat.inflightW += inflight - Math.round(inflight * f.readFrac);
      this.touched.push(d.stat);
      d.mbps += rate / MB;
      d.iops += rate / f.ioBytes;
      let c = vm.ioStat.get(d.devT);
      if (!c) vm.ioStat.set(d.devT, (c = { rbytes: 0, wbytes: 0, rios: 0, wios: 0 }));
      c.rbytes += bytes * f.readFrac;
      c.wbytes += bytes * (1 - f.readFrac);
      c.rios += (bytes * f.readFrac) / f.ioBytes;
      c.wios += (bytes * (1 - f.readFrac)) / f.ioBytes;
    }
    for (const s of f.segs) {
      if (s.alloc <= 0) continue;
      const b = (s.alloc / s.unitPerByte) * dtS;
      addIo(s.path.stat, b, f.ioBytes, f.readFrac, dtMs, lat);
      const share = rate > 0 ? s.alloc / s.unitPerByte / rate : 0;
      s.path.stat.inflightR += Math.round(inflight * share * f.readFrac);
      s.path.stat.inflightW += Math.round(inflight * share * (1 - f.readFrac));
      this.touched.push(s.path.stat);
    }
  }
}
