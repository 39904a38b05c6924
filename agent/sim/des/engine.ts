/**
 * The discrete-event engine: one event heap, simulated time in ms. The I/O path mirrors the
 * kernel's: guest issue → cgroup token buckets (io.max) → the disk's dm-multipath map (group,
 * path selector; queue_if_no_path holds I/O, otherwise EIO to the guest) → the path's queue and
 * server → completion after the path latency. A path that goes down fails every I/O on it after
 * `ioFailMs` (the first I/O error): the kernel marks the path failed in that map and retries the
 * I/O on another valid path. Idle maps learn of failures and recoveries only at multipathd's
 * checker tick (base maps only: nobody but vmpath reinstates paths of per-VM maps).
 * Observers (`hooks`) hear path events so vmpath's loop can react like the real agent.
 */
import type { HeapItem } from './heap';
import type { Components } from './components';
import { Scheduler } from './scheduler';
import { countUnsettled, unsettled } from './settled';
import { checkerPhasesMs } from './detection';
import type { DiskRt, Io, MapRt, PathRt, SimModel, VmRt } from './model';
import type { TokenBucket } from './throttle';
import { admit } from './throttle';
import type { ThrottleFifo } from './throttle-fifo';
import { hstSample, selectPath } from './selectors';
import type { Rng } from './rng';
import { deriveSeed, makeRng } from './rng';

const K_COMPLETE = 0;
const K_IOFAIL = 1;
const K_WAKE = 2;
const K_ARRIVAL = 3;
const K_BURST = 4;
const K_RELEASE = 5;
const K_WORKER = 6;
const K_SCENARIO = 7;
const K_CHECKER = 8;
const K_HOOK = 9;

/** A non-I/O event. I/O events are the Io objects themselves (see model.ts). */
interface Ev extends HeapItem {
  kind: number;
  readonly ref: number;
  readonly fn: (() => void) | undefined;
}

type Item = Ev | Io;

/** Path latency varies uniformly by ±this fraction around latencyMs (array and fabric jitter). */
export const LATENCY_JITTER = 0.25;
/** Guest back-off before a closed-loop worker retries after an I/O error. */
export const ERROR_RETRY_MS = 1000;
/** Open-loop VMs stop issuing beyond this many outstanding I/Os (the guest's queue is full). */
export const OPEN_MAX_OUTSTANDING = 1024;

export type PathEventKind = 'path-down' | 'path-up' | 'kernel-fail' | 'checker-fail' | 'checker-reinstate';

export interface TimelineEntry {
  readonly tMs: number;
  readonly kind: PathEventKind | 'agent' | 'pause' | 'resume' | 'held-error';
  readonly subject: string;
  /** The scenario path id the event concerns, if any. */
  readonly path?: string;
}

export interface EngineHooks {
  /** A map path changed state in the kernel (uevent DM_ACTION=PATH_FAILED/PATH_REINSTATED). */
  onUevent?(engine: Engine): void;
}

export class Engine {
  /** Event queues: one per independent component of the host, one global (scheduler.ts). */
  private readonly sched: Scheduler<Item>;
  private readonly comp: Components;
  /** One reusable arrival event per VM and wake event per path (at most one pending each). */
  private readonly arrivalEv: Ev[];
  private readonly wakeEv: Ev[];
  /** io.max FIFOs of every disk and direction, and one reusable release event per FIFO. */
  private readonly fifos: ThrottleFifo[] = [];
  private readonly releaseEv: Ev[] = [];
  /** Map paths that may emit a uevent before the next global event (settled.ts). */
  private unsettled = 0;
  /** FIFO index → VM index. */
  private readonly fifoVm: number[] = [];
  now = 0;
  readonly endMs: number;
  readonly timeline: TimelineEntry[] = [];
  /** Weighted fair queueing at paths by VM weight (emulates blk-cgroup io.weight). */
  weighted = false;
  hooks: EngineHooks = {};
  /** Latency jitter: one stream per component (components draw in their own order). */
  private readonly rngs: Rng[];
  /** Completed open-loop Io objects, reused by later arrivals (less garbage per I/O). */
  private readonly pool: Io[] = [];

  constructor(readonly m: SimModel) {
    this.endMs = m.scenario.durationS * 1000;
    this.comp = m.comp;
    this.sched = new Scheduler<Item>(this.comp.count);
    const jitter = deriveSeed(m.scenario.seed, 0x51ed);
    this.rngs = Array.from({ length: this.comp.count }, (_, c) =>
      makeRng(c === 0 ? jitter : deriveSeed(jitter, c)),
    );
    this.arrivalEv = m.vms.map((v) => ({ key: 0, seq: 0, kind: K_ARRIVAL, ref: v.idx, fn: undefined }));
    this.wakeEv = m.paths.map((p) => ({ key: 0, seq: 0, kind: K_WAKE, ref: p.idx, fn: undefined }));
    for (const vm of m.vms)
      for (const d of vm.disks)
        for (const f of d.held) {
          this.fifos[f.idx] = f;
          this.fifoVm[f.idx] = vm.idx;
          this.releaseEv[f.idx] = { key: 0, seq: 0, kind: K_RELEASE, ref: f.idx, fn: undefined };
        }
  }

  // --- scheduling ----------------------------------------------------------------------------
  /** The queue an event belongs to: its VM's, path's, map's or FIFO's component, or global. */
  private compOf(kind: number, ref: number): number {
    switch (kind) {
      case K_ARRIVAL:
      case K_BURST:
      case K_WORKER:
        return this.comp.vm[ref] as number;
      case K_WAKE:
        return this.comp.path[ref] as number;
      case K_CHECKER:
        return this.comp.lun[(this.m.maps[ref] as MapRt).lun] as number;
      case K_RELEASE:
        return this.comp.vm[this.fifoVm[ref] as number] as number;
      default:
        return -1;
    }
  }

  private at(t: number, kind: number, ref: number, fn?: () => void): void {
    this.sched.push(this.compOf(kind, ref), { key: 0, seq: 0, kind, ref, fn }, t);
  }

  private atIo(t: number, kind: number, io: Io): void {
    io.kind = kind;
    this.sched.push(this.comp.vm[io.vm] as number, io, t);
  }

  private reuse(ev: Ev, t: number): void {
    this.sched.push(this.compOf(ev.kind, ev.ref), ev, t);
  }

  /** Run `fn` at simulated time `tMs` (used by vmpath's loop). */
  schedule(tMs: number, fn: () => void): void {
    this.at(tMs, K_HOOK, 0, fn);
  }

  start(): void {
    const s = this.m.scenario;
    for (const vm of this.m.vms) this.startVm(vm);
    s.events.forEach((e, i) => this.at(e.at * 1000, K_SCENARIO, i));
    // every policy (and the ideal, detection.ts) sees the same checker phases
    const phases = checkerPhasesMs(s, this.m.maps.length);
    for (const map of this.m.maps) this.at(phases[map.idx] as number, K_CHECKER, map.idx);
  }

  run(): void {
    const end = this.endMs;
    // A window ends at the next global event, and at most a uevent listener's reaction time
    // ahead while some map path may still emit a uevent (scheduler.ts, settled.ts).
    const reaction = this.m.scenario.agentReactionMs;
    const listening = this.hooks.onUevent !== undefined && reaction > 0;
    this.unsettled = countUnsettled(this.m);
    this.sched.run(
      end,
      () => (listening && this.unsettled > 0 ? reaction : Infinity),
      (t) => (this.now = t),
      (item) => this.dispatch(item),
    );
    this.now = end;
    // components ran window by window: put the timeline back in time order (stable)
    this.timeline.sort((a, b) => a.tMs - b.tMs);
    for (const vm of this.m.vms) {
      vm.maxGapMs = Math.max(vm.maxGapMs, end - vm.lastDoneMs);
      if (vm.paused) vm.pausedMs += end - vm.pausedSince;
    }
  }

  private dispatch(item: Item): void {
    switch (item.kind) {
      case K_COMPLETE:
        if (!(item as Io).dead) this.complete(item as Io);
        return;
      case K_IOFAIL:
        this.ioFailed(item as Io);
        return;
    }
    const ev = item as Ev;
    switch (ev.kind) {
      case K_WAKE:
        this.wake(this.m.paths[ev.ref] as PathRt);
        return;
      case K_RELEASE:
        this.release(this.fifos[ev.ref] as ThrottleFifo);
        return;
      case K_ARRIVAL:
        this.arrival(this.m.vms[ev.ref] as VmRt);
        return;
      case K_BURST:
        this.burstToggle(this.m.vms[ev.ref] as VmRt);
        return;
      case K_WORKER:
        this.workerReady(this.m.vms[ev.ref] as VmRt);
        return;
      case K_SCENARIO:
        this.scenarioEvent(ev.ref);
        this.unsettled = countUnsettled(this.m);
        return;
      case K_CHECKER:
        this.checker(this.m.maps[ev.ref] as MapRt);
        return;
      case K_HOOK:
        (ev.fn as () => void)();
        this.unsettled = countUnsettled(this.m);
        return;
    }
  }

  // --- workloads ----------------------------------------------------------------------------
  private startVm(vm: VmRt): void {
    const w = vm.spec.workload;
    if (w.type === 'closed') {
      for (let i = 0; i < w.outstanding; i++) this.issue(vm, true, undefined);
      return;
    }
    if (w.rateMBps <= 0) return;
    if (w.burst) this.at(w.burst.onS * 1000, K_BURST, vm.idx);
    this.reuse(this.arrivalEv[vm.idx] as Ev, vm.rng.exp(vm.meanGapMs));
  }

  private arrival(vm: VmRt): void {
    this.reuse(this.arrivalEv[vm.idx] as Ev, this.now + vm.rng.exp(vm.meanGapMs));
    if (!vm.burstOn || vm.paused || vm.killed) return;
    if (vm.outstanding >= OPEN_MAX_OUTSTANDING) {
      vm.overflow++;
      return;
    }
    this.issue(vm, false, undefined);
  }

  private burstToggle(vm: VmRt): void {
    const w = vm.spec.workload;
    if (w.type !== 'open' || !w.burst) return;
    vm.burstOn = !vm.burstOn;
    this.at(this.now + (vm.burstOn ? w.burst.onS : w.burst.offS) * 1000, K_BURST, vm.idx);
  }

  private workerReady(vm: VmRt, recycle?: Io): void {
    if (vm.paused || vm.killed) {
      vm.idleWorkers++;
      return;
    }
    this.issue(vm, true, recycle);
  }

  /** Issue one guest I/O now (reusing a completed Io object that is out of the heap, if given). */
  private issue(vm: VmRt, closed: boolean, recycle: Io | undefined): void {
    const di = vm.nextDisk;
    vm.nextDisk = (di + 1) % vm.disks.length;
    const pct = vm.readPct;
    const read = pct >= 100 ? true : pct <= 0 ? false : vm.rng.next() * 100 < pct;
    const io = recycle ?? this.pool.pop() ?? newIo();
    io.vm = vm.idx;
    io.disk = di;
    io.bytes = vm.bytesPerIo;
    io.read = read;
    io.t0 = this.now;
    io.closed = closed;
    io.map = -1;
    io.entry = -1;
    io.path = -1;
    io.slot = -1;
    io.dead = false;
    vm.outstanding++;
    vm.issuedBytes += io.bytes;
    const disk = vm.disks[di] as DiskRt;
    const buckets = disk.buckets;
    let startAt = this.now;
    for (let i = 0; i < buckets.length; i++)
      startAt = Math.max(startAt, admit(buckets[i] as TokenBucket, this.now, io.bytes, read));
    const fifo = disk.held[read ? 0 : 1];
    if (startAt <= this.now && fifo.size === 0) {
      this.submitToMap(io);
      return;
    }
    io.due = Math.max(startAt, fifo.tailDue());
    fifo.push(io);
    if (fifo.size === 1) this.reuse(this.releaseEv[fifo.idx] as Ev, io.due);
  }

  /** io.max lets the held I/Os whose time has come go on to the map, in FIFO order. */
  private release(fifo: ThrottleFifo): void {
    while (fifo.headDue() <= this.now) this.submitToMap(fifo.shift() as Io);
    if (fifo.size > 0) this.reuse(this.releaseEv[fifo.idx] as Ev, fifo.headDue());
  }

  // --- dm-multipath -------------------------------------------------------------------------
  /** Pick a valid path in the map's active group, switching group when it has none (kernel). */
  pickEntry(map: MapRt, bytes: number): number {
    const g = map.activeGroup;
    const members = map.groups[g];
    if (members) {
      const e = selectPath(
        map.selector,
        map.entries,
        members,
        map.cursors[g] as { cursor: number },
        bytes,
        true,
      );
      if (e >= 0) return e;
    }
    for (let k = 0; k < map.groups.length; k++) {
      if (k === g) continue;
      const e = selectPath(
        map.selector,
        map.entries,
        map.groups[k] as number[],
        map.cursors[k] as { cursor: number },
        bytes,
        true,
      );
      if (e >= 0) {
        map.activeGroup = k;
        return e;
      }
    }
    return -1;
  }

  submitToMap(io: Io): void {
    const vm = this.m.vms[io.vm] as VmRt;
    const map = this.m.maps[(vm.disks[io.disk] as { map: number }).map] as MapRt;
    const ei = this.pickEntry(map, io.bytes);
    if (ei < 0) {
      if (map.queueIfNoPath) map.held.push(io);
      else this.guestError(io);
      return;
    }
    const e = map.entries[ei] as MapRt['entries'][number];
    e.inflight++;
    e.inflightBytes += io.bytes;
    io.map = map.idx;
    io.entry = ei;
    io.dispatchMs = this.now;
    this.pathSubmit(io, this.m.paths[e.path] as PathRt);
  }

  private pathSubmit(io: Io, p: PathRt): void {
    io.path = p.idx;
    io.slot = p.inflight.length;
    p.inflight.push(io);
    if (!p.up) {
      this.atIo(this.now + this.m.scenario.ioFailMs, K_IOFAIL, io);
      return;
    }
    if (!this.weighted) {
      // FIFO: the service start is known now; no queue or wake events needed.
      this.startService(io, p);
      return;
    }
    this.tag(io, p);
    if (p.busyUntil <= this.now && p.queue.size === 0) {
      this.startService(io, p);
      return;
    }
    io.tseq = this.sched.nextSeq();
    p.queue.push(io);
    if (!p.wakePending) {
      p.wakePending = true;
      this.reuse(this.wakeEv[p.idx] as Ev, Math.max(p.busyUntil, this.now));
    }
  }

  /** Start-time fair queueing tags: S = max(v, F_vm), F = S + bytes / weight. */
  private tag(io: Io, p: PathRt): void {
    const w = (this.m.vms[io.vm] as VmRt).weight;
    const local = this.comp.vmLocal[io.vm] as number;
    const s = Math.max(p.vtime, p.finishTag[local] as number);
    io.tag = s;
    p.finishTag[local] = s + io.bytes / w;
  }

  private startService(io: Io, p: PathRt): void {
    const svc = Math.max(io.bytes / p.bytesPerMs, p.msPerIo);
    const start = Math.max(this.now, p.busyUntil);
    p.busyUntil = start + svc;
    p.busyMs += svc;
    if (this.weighted) p.vtime = io.tag;
    const rng = this.rngs[this.comp.path[p.idx] as number] as Rng;
    const lat = p.spec.latencyMs * (1 + LATENCY_JITTER * (2 * rng.next() - 1));
    this.atIo(p.busyUntil + lat, K_COMPLETE, io);
  }

  private wake(p: PathRt): void {
    p.wakePending = false;
    if (!p.up) return;
    const io = p.queue.pop();
    if (!io) return;
    this.startService(io, p);
    if (p.queue.size > 0) {
      p.wakePending = true;
      this.reuse(this.wakeEv[p.idx] as Ev, p.busyUntil);
    }
  }

  private offPath(io: Io): void {
    const p = this.m.paths[io.path] as PathRt;
    const last = p.inflight.pop() as Io;
    if (last !== io) {
      p.inflight[io.slot] = last;
      last.slot = io.slot;
    }
    io.slot = -1;
    const map = this.m.maps[io.map] as MapRt;
    const e = map.entries[io.entry];
    if (e) {
      e.inflight--;
      e.inflightBytes -= io.bytes;
    }
  }

  private complete(io: Io): void {
    this.offPath(io);
    const e = (this.m.maps[io.map] as MapRt).entries[io.entry];
    if (e) hstSample(e, this.now - io.dispatchMs);
    const vm = this.m.vms[io.vm] as VmRt;
    vm.outstanding--;
    vm.ios++;
    vm.bytes += io.bytes;
    if (io.read) vm.readBytes += io.bytes;
    else vm.writeBytes += io.bytes;
    vm.hist.add(this.now - io.t0);
    const gap = this.now - vm.lastDoneMs;
    if (gap > vm.maxGapMs) vm.maxGapMs = gap;
    vm.lastDoneMs = this.now;
    const bin = Math.min(vm.series.length - 1, Math.floor(this.now / this.m.seriesBinMs));
    vm.series[bin] = (vm.series[bin] as number) + io.bytes;
    const f = (this.m.paths[io.path] as PathRt).fabric;
    vm.fabricBytes[f] = (vm.fabricBytes[f] as number) + io.bytes;
    if (io.closed) this.workerReady(vm, io);
    else if (this.pool.length < 4096) this.pool.push(io);
  }

  private guestError(io: Io): void {
    const vm = this.m.vms[io.vm] as VmRt;
    vm.outstanding--;
    vm.ioErrors++;
    if (io.closed) this.at(this.now + ERROR_RETRY_MS, K_WORKER, vm.idx);
  }

  /** The first I/O error on a dead path: fail the path in that map (kernel), retry the I/O. */
  private ioFailed(io: Io): void {
    const map = this.m.maps[io.map] as MapRt;
    const ei = io.entry;
    this.offPath(io);
    const e = map.entries[ei];
    if (e && e.active) this.setEntry(map, ei, false, 'kernel-fail');
    this.submitToMap(io);
  }

  /** Set a map path's kernel state; reinstating flushes held I/O. Emits a uevent. */
  setEntry(map: MapRt, ei: number, active: boolean, why: PathEventKind | 'agent'): void {
    const e = map.entries[ei];
    if (!e || e.active === active) return;
    const before = unsettled(this.m, map, e);
    e.active = active;
    this.unsettled += unsettled(this.m, map, e) - before;
    if (!active) e.failCount++;
    const path = (this.m.paths[e.path] as PathRt).spec.id;
    this.timeline.push({ tMs: this.now, kind: why, subject: `${map.name} ${e.dev}`, path });
    if (active) this.flushHeld(map);
    this.hooks.onUevent?.(this);
  }

  flushHeld(map: MapRt): void {
    if (map.held.length === 0) return;
    const held = map.held.splice(0, map.held.length);
    for (const io of held) this.submitToMap(io);
  }

  /** Turn queue_if_no_path on/off; off with no valid path errors the held I/O (kernel). */
  setQueueing(map: MapRt, on: boolean): void {
    map.queueIfNoPath = on;
    if (!on && map.held.length) {
      const held = map.held.splice(0, map.held.length);
      this.timeline.push({ tMs: this.now, kind: 'held-error', subject: `${map.name} ${held.length} I/Os` });
      for (const io of held) this.submitToMap(io);
    }
  }

  // --- faults and multipathd ----------------------------------------------------------------
  private scenarioEvent(i: number): void {
    const e = this.m.scenario.events[i];
    if (!e) return;
    const target = (e.fail ?? e.restore) as string;
    const up = e.restore !== undefined;
    for (const p of this.m.paths) {
      const s = p.spec;
      if (target === 'all' || s.id === target || s.fabric === target || s.adapter === target)
        this.setPathUp(p, up);
    }
  }

  setPathUp(p: PathRt, up: boolean): void {
    if (p.up === up) return;
    p.up = up;
    this.timeline.push({
      tMs: this.now,
      kind: up ? 'path-up' : 'path-down',
      subject: p.spec.id,
      path: p.spec.id,
    });
    if (up) {
      p.busyUntil = this.now;
      return;
    }
    // Everything on the path errors out after ioFailMs; its queue is gone.
    p.queue.drain();
    p.wakePending = false;
    p.busyUntil = this.now;
    const t = this.now + this.m.scenario.ioFailMs;
    for (let i = 0; i < p.inflight.length; i++) {
      const old = p.inflight[i] as Io;
      old.dead = true;
      const io: Io = { ...old, dead: false };
      p.inflight[i] = io;
      this.atIo(t, K_IOFAIL, io);
    }
  }

  private checker(map: MapRt): void {
    if (map.removed) return;
    this.at(this.now + this.m.scenario.checkerIntervalS * 1000, K_CHECKER, map.idx);
    if (map.owner !== 'multipathd') return;
    map.entries.forEach((e, ei) => {
      const up = (this.m.paths[e.path] as PathRt).up;
      if (!up && e.active) this.setEntry(map, ei, false, 'checker-fail');
      else if (up && !e.active) this.setEntry(map, ei, true, 'checker-reinstate');
    });
  }

  /** Start multipathd's checker for a map created during the run (no-op for per-VM maps). */
  addMapChecker(map: MapRt): void {
    this.at(this.now + this.m.scenario.checkerIntervalS * 1000, K_CHECKER, map.idx);
  }

  // --- VM control ---------------------------------------------------------------------------
  pauseVm(vm: VmRt): void {
    if (vm.paused) return;
    vm.paused = true;
    vm.pausedSince = this.now;
    this.timeline.push({ tMs: this.now, kind: 'pause', subject: `vm ${vm.spec.id}` });
  }

  resumeVm(vm: VmRt): void {
    if (!vm.paused) return;
    vm.paused = false;
    vm.pausedMs += this.now - vm.pausedSince;
    this.timeline.push({ tMs: this.now, kind: 'resume', subject: `vm ${vm.spec.id}` });
    const n = vm.idleWorkers;
    vm.idleWorkers = 0;
    for (let i = 0; i < n; i++) this.issue(vm, true, undefined);
  }

  killVm(vm: VmRt): void {
    vm.killed = true;
  }
}

function newIo(): Io {
  return {
    key: 0,
    seq: 0,
    kind: 0,
    vm: 0,
    disk: 0,
    bytes: 0,
    read: true,
    t0: 0,
    closed: false,
    map: -1,
    entry: -1,
    path: -1,
    slot: -1,
    dead: false,
    dispatchMs: 0,
    tag: 0,
    tseq: 0,
    due: 0,
  };
}
