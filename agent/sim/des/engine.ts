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
import { MinHeap } from './heap';
import type { HeapItem } from './heap';
import type { Io, MapRt, PathRt, SimModel, VmRt } from './model';
import { admit } from './throttle';
import { hstSample, selectPath } from './selectors';
import type { Rng } from './rng';
import { deriveSeed, makeRng } from './rng';

const K_COMPLETE = 0;
const K_IOFAIL = 1;
const K_WAKE = 2;
const K_ARRIVAL = 3;
const K_BURST = 4;
const K_SUBMIT = 5;
const K_WORKER = 6;
const K_SCENARIO = 7;
const K_CHECKER = 8;
const K_HOOK = 9;

interface Ev extends HeapItem {
  readonly kind: number;
  readonly ref: number;
  readonly io: Io | undefined;
  readonly gen: number;
  readonly fn: (() => void) | undefined;
}

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
}

export interface EngineHooks {
  /** A map path changed state in the kernel (uevent DM_ACTION=PATH_FAILED/PATH_REINSTATED). */
  onUevent?(engine: Engine): void;
}

export class Engine {
  readonly heap = new MinHeap<Ev>();
  now = 0;
  private seq = 0;
  readonly endMs: number;
  readonly timeline: TimelineEntry[] = [];
  /** Weighted fair queueing at paths by VM weight (emulates blk-cgroup io.weight). */
  weighted = false;
  hooks: EngineHooks = {};
  private readonly rng: Rng;

  constructor(readonly m: SimModel) {
    this.endMs = m.scenario.durationS * 1000;
    this.rng = makeRng(deriveSeed(m.scenario.seed, 0x51ed));
  }

  // --- scheduling ----------------------------------------------------------------------------
  private at(t: number, kind: number, ref: number, io?: Io, gen = 0, fn?: () => void): void {
    this.heap.push({ key: t, seq: this.seq++, kind, ref, io, gen, fn });
  }

  /** Run `fn` at simulated time `tMs` (used by vmpath's loop). */
  schedule(tMs: number, fn: () => void): void {
    this.at(tMs, K_HOOK, 0, undefined, 0, fn);
  }

  start(): void {
    const s = this.m.scenario;
    for (const vm of this.m.vms) this.startVm(vm);
    s.events.forEach((e, i) => this.at(e.at * 1000, K_SCENARIO, i));
    for (const map of this.m.maps) {
      const phase = this.rng.next() * s.checkerIntervalS * 1000;
      this.at(phase, K_CHECKER, map.idx);
    }
  }

  run(): void {
    const end = this.endMs;
    for (;;) {
      const ev = this.heap.peek();
      if (!ev || ev.key > end) break;
      this.heap.pop();
      this.now = ev.key;
      this.dispatch(ev);
    }
    this.now = end;
    for (const vm of this.m.vms) {
      vm.maxGapMs = Math.max(vm.maxGapMs, end - vm.lastDoneMs);
      if (vm.paused) vm.pausedMs += end - vm.pausedSince;
    }
  }

  private dispatch(ev: Ev): void {
    switch (ev.kind) {
      case K_COMPLETE:
        if ((ev.io as Io).gen === ev.gen) this.complete(ev.io as Io);
        return;
      case K_IOFAIL:
        if ((ev.io as Io).gen === ev.gen) this.ioFailed(ev.io as Io);
        return;
      case K_WAKE:
        this.wake(this.m.paths[ev.ref] as PathRt);
        return;
      case K_ARRIVAL:
        this.arrival(this.m.vms[ev.ref] as VmRt);
        return;
      case K_BURST:
        this.burstToggle(this.m.vms[ev.ref] as VmRt);
        return;
      case K_SUBMIT:
        this.submitToMap(ev.io as Io);
        return;
      case K_WORKER:
        this.workerReady(this.m.vms[ev.ref] as VmRt);
        return;
      case K_SCENARIO:
        this.scenarioEvent(ev.ref);
        return;
      case K_CHECKER:
        this.checker(this.m.maps[ev.ref] as MapRt);
        return;
      case K_HOOK:
        (ev.fn as () => void)();
        return;
    }
  }

  // --- workloads ----------------------------------------------------------------------------
  private startVm(vm: VmRt): void {
    const w = vm.spec.workload;
    if (w.type === 'closed') {
      for (let i = 0; i < w.outstanding; i++) this.issue(vm, true);
      return;
    }
    if (w.rateMBps <= 0) return;
    if (w.burst) this.at(vm.rng.exp(w.burst.onS * 1000), K_BURST, vm.idx);
    this.at(vm.rng.exp(this.meanGapMs(vm)), K_ARRIVAL, vm.idx);
  }

  private meanGapMs(vm: VmRt): number {
    const w = vm.spec.workload;
    return w.type === 'open' ? (vm.bytesPerIo / (w.rateMBps * 1e6)) * 1000 : 0;
  }

  private arrival(vm: VmRt): void {
    this.at(this.now + vm.rng.exp(this.meanGapMs(vm)), K_ARRIVAL, vm.idx);
    if (!vm.burstOn || vm.paused || vm.killed) return;
    if (vm.outstanding >= OPEN_MAX_OUTSTANDING) {
      vm.overflow++;
      return;
    }
    this.issue(vm, false);
  }

  private burstToggle(vm: VmRt): void {
    const w = vm.spec.workload;
    if (w.type !== 'open' || !w.burst) return;
    vm.burstOn = !vm.burstOn;
    this.at(this.now + vm.rng.exp((vm.burstOn ? w.burst.onS : w.burst.offS) * 1000), K_BURST, vm.idx);
  }

  private workerReady(vm: VmRt): void {
    if (vm.paused || vm.killed) {
      vm.idleWorkers++;
      return;
    }
    this.issue(vm, true);
  }

  /** Issue one guest I/O now. */
  private issue(vm: VmRt, closed: boolean): void {
    const di = vm.nextDisk;
    vm.nextDisk = (di + 1) % vm.disks.length;
    const w = vm.spec.workload;
    const read = w.readPct >= 100 ? true : w.readPct <= 0 ? false : vm.rng.next() * 100 < w.readPct;
    const io: Io = {
      key: 0,
      seq: 0,
      vm: vm.idx,
      disk: di,
      bytes: vm.bytesPerIo,
      read,
      t0: this.now,
      closed,
      map: -1,
      entry: -1,
      path: -1,
      slot: -1,
      gen: 0,
      dispatchMs: 0,
    };
    vm.outstanding++;
    let startAt = this.now;
    for (const b of vm.disks[di]?.buckets ?? [])
      startAt = Math.max(startAt, admit(b, this.now, io.bytes, read));
    if (startAt > this.now) this.at(startAt, K_SUBMIT, 0, io);
    else this.submitToMap(io);
  }

  // --- dm-multipath -------------------------------------------------------------------------
  /** Pick a valid path in the map's active group, switching group when it has none (kernel). */
  pickEntry(map: MapRt, bytes: number): number {
    const g = map.activeGroup;
    const members = map.groups[g];
    if (members) {
      const e = selectPath(map.selector, map.entries, members, map.cursors[g] as { cursor: number }, bytes);
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
      this.at(this.now + this.m.scenario.ioFailMs, K_IOFAIL, 0, io, io.gen);
      return;
    }
    if (p.busyUntil <= this.now && p.queue.size === 0) {
      if (this.weighted) this.tag(io, p);
      this.startService(io, p);
      return;
    }
    if (this.weighted) this.tag(io, p);
    else io.key = this.seq++;
    io.seq = this.seq++;
    p.queue.push(io);
    if (!p.wakePending) {
      p.wakePending = true;
      this.at(Math.max(p.busyUntil, this.now), K_WAKE, p.idx);
    }
  }

  /** Start-time fair queueing tags: S = max(v, F_vm), F = S + bytes / weight. */
  private tag(io: Io, p: PathRt): void {
    const w = (this.m.vms[io.vm] as VmRt).weight;
    const s = Math.max(p.vtime, p.finishTag.get(io.vm) ?? 0);
    io.key = s;
    p.finishTag.set(io.vm, s + io.bytes / w);
  }

  private startService(io: Io, p: PathRt): void {
    const svc = Math.max(io.bytes / p.bytesPerMs, p.msPerIo);
    const start = Math.max(this.now, p.busyUntil);
    p.busyUntil = start + svc;
    p.busyMs += svc;
    if (this.weighted) p.vtime = io.key;
    const lat = p.spec.latencyMs * (1 + LATENCY_JITTER * (2 * this.rng.next() - 1));
    this.at(p.busyUntil + lat, K_COMPLETE, 0, io, io.gen);
  }

  private wake(p: PathRt): void {
    p.wakePending = false;
    if (!p.up) return;
    const io = p.queue.pop();
    if (!io) return;
    this.startService(io, p);
    if (p.queue.size > 0) {
      p.wakePending = true;
      this.at(p.busyUntil, K_WAKE, p.idx);
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
    if (io.closed) this.workerReady(vm);
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
    io.gen++;
    this.submitToMap(io);
  }

  /** Set a map path's kernel state; reinstating flushes held I/O. Emits a uevent. */
  setEntry(map: MapRt, ei: number, active: boolean, why: PathEventKind | 'agent'): void {
    const e = map.entries[ei];
    if (!e || e.active === active) return;
    e.active = active;
    if (!active) e.failCount++;
    this.timeline.push({ tMs: this.now, kind: why, subject: `${map.name} ${e.dev}` });
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
    this.timeline.push({ tMs: this.now, kind: up ? 'path-up' : 'path-down', subject: p.spec.id });
    if (up) {
      p.busyUntil = this.now;
      return;
    }
    // Everything on the path errors out after ioFailMs; its queue is gone.
    p.queue.drain();
    p.wakePending = false;
    p.busyUntil = this.now;
    const t = this.now + this.m.scenario.ioFailMs;
    for (const io of p.inflight) {
      io.gen++;
      this.at(t, K_IOFAIL, 0, io, io.gen);
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
    for (let i = 0; i < n; i++) this.issue(vm, true);
  }

  killVm(vm: VmRt): void {
    vm.killed = true;
  }
}
