/**
 * SimHost: the embedded simulated host. It owns a root directory kept in real kernel layouts,
 * answers multipathd/multipath/dmsetup through a CommandRunner, controls VMs through VmControl,
 * keeps simulated time (Clock), turns cgroup writes into I/O effects and emits uevents.
 * Time advances only in `tick(dtMs)`; everything is deterministic for a given spec and seed.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Clock } from '../model/seams';
import { RootedHostFs } from '../os/host-fs';
import { buildState, type SimState } from './build';
import { applyBfqWeight, applyIoMax, applyIoWeight, applyV1, formatRules } from './cgroups';
import type { SimCtx, SimUevent } from './dm-kernel';
import { FaultInjector } from './faults';
import { IoModel } from './io-model';
import { collectMetrics, type SimMetrics } from './metrics';
import { reconfigure, runChecker } from './multipathd';
import { Presenter } from './presenter';
import { cgroupDir, V1_FILES } from './proc-files';
import { SimCommandRunner } from './runner';
import type { SimFault, SimHostSpec } from './spec';
import type { DmDev, SimLink, SimPathDev, SimVm } from './state';
import { SimVmControl } from './vm-control';

export interface SimHostOptions {
  /** Directory to present the host under; default a fresh temp dir (removed by dispose). */
  readonly root?: string;
  /** Clock value at simulated time 0 (ms since the epoch). Default 2026-01-01T00:00:00Z. */
  readonly epochMs?: number;
  /** Longest internal step; longer ticks are split (fault and checker timing). Default 100. */
  readonly maxStepMs?: number;
  /**
   * How often every stat/inflight/io.stat file is rewritten on disk. Default 0: never on a
   * timer; reads through `.fs` always get fresh counters, others call flushStats().
   */
  readonly statFlushMs?: number;
  /** How often cgroup files are polled for writes made outside `.fs`. Default 1000 ms. */
  readonly pollWritesMs?: number;
  /**
   * ALUA path-group initialisation after a group change (switch or failover): the map's I/O
   * waits this long (the lab measured I/O fully moved 0.3-0.45 s after a switch). Default 0.
   */
  readonly pgInitMs?: number;
  /** Simulated duration of a live migration. Default 8000 ms. */
  readonly migrateMs?: number;
}

const COUNTER_WORD = /stat|inflight|io_service_bytes/;

/** A HostFs on the simulated root that lets the host see writes and serve fresh counters. */
export class SimHostFs extends RootedHostFs {
  constructor(
    root: string,
    private readonly host: { beforeRead(p: string): void; afterWrite(p: string): void },
  ) {
    super(root);
  }
  override async readFile(p: string): Promise<string> {
    this.host.beforeRead(p);
    return super.readFile(p);
  }
  override readFileSync(p: string): string {
    this.host.beforeRead(p);
    return super.readFileSync(p);
  }
  override async writeFile(p: string, data: string): Promise<void> {
    await super.writeFile(p, data);
    this.host.afterWrite(p);
  }
}

/** Prefer tmpfs (/dev/shm): the tree is many small files. */
function tempBase(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

/** `rm -rf` (argv, no shell) is much faster than a JS walk on big trees; fall back to rmSync. */
function removeTree(dir: string): void {
  const r = spawnSync('rm', ['-rf', '--one-file-system', '--', dir], { stdio: 'ignore' });
  if (r.status !== 0) fs.rmSync(dir, { recursive: true, force: true });
}

export class SimHost extends EventEmitter {
  readonly root: string;
  readonly fs: SimHostFs;
  readonly runner: SimCommandRunner;
  readonly vmControl: SimVmControl;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  /** @internal the mutable model; read it through the seams or metrics(). */
  readonly state: SimState;
  private readonly ctx: SimCtx;
  private readonly presenter: Presenter;
  private readonly io: IoModel;
  private readonly ownsRoot: boolean;
  private readonly epochMs: number;
  private readonly opts: Required<Omit<SimHostOptions, 'root' | 'epochMs'>>;
  private t = 0;
  private lastFlush = 0;
  private lastPoll = 0;
  private readonly dirtyPaths = new Set<SimPathDev>();
  private readonly dirtyLinks = new Set<SimLink>();
  private readonly dirtyDm = new Set<DmDev>();
  private readonly dirtyVms = new Set<SimVm>();
  private topologyDirty = false;
  private disposed = false;

  constructor(spec: SimHostSpec, options: SimHostOptions = {}) {
    super();
    this.state = buildState(spec);
    this.epochMs = options.epochMs ?? Date.UTC(2026, 0, 1);
    this.opts = {
      maxStepMs: options.maxStepMs ?? 100,
      statFlushMs: options.statFlushMs ?? 0,
      pollWritesMs: options.pollWritesMs ?? 1000,
      migrateMs: options.migrateMs ?? 8000,
      pgInitMs: options.pgInitMs ?? 0,
    };
    this.clock = { nowMs: () => this.epochMs + this.t };
    this.ctx = {
      state: this.state,
      pgInitMs: this.opts.pgInitMs,
      nowMs: () => this.t,
      emitUevent: (ev: SimUevent) => this.emit('uevent', ev),
      touchPath: (p) => this.dirtyPaths.add(p),
      touchDm: (d) => this.dirtyDm.add(d),
      touchTopology: () => (this.topologyDirty = true),
    };
    // Everything that can reject the spec runs before the root directory exists.
    this.faults = new FaultInjector(this.ctx, (l) => this.dirtyLinks.add(l));
    if (spec.events?.length) this.faults.setPlan(spec.events, spec.loopEventsS);
    this.ownsRoot = options.root === undefined;
    this.root = options.root ?? fs.mkdtempSync(path.join(tempBase(), 'vmpath-sim-'));
    fs.mkdirSync(this.root, { recursive: true });
    this.presenter = new Presenter(this.root, this.state);
    this.presenter.writeAll();
    this.io = new IoModel(this.ctx);
    this.fs = new SimHostFs(this.root, {
      beforeRead: (p) => this.beforeRead(p),
      afterWrite: (p) => this.afterWrite(p),
    });
    this.runner = new SimCommandRunner(this.ctx, {
      readConfigs: () => this.readConfigs(),
      reconfigure: (confs) => reconfigure(this.ctx, confs),
      changed: () => this.present(),
    });
    this.vmControl = new SimVmControl(
      this.state,
      { nowMs: () => this.t, changed: (vm) => (this.dirtyVms.add(vm), this.present()) },
      this.opts.migrateMs,
    );
  }

  /** Simulated milliseconds since the host was created. */
  get timeMs(): number {
    return this.t;
  }

  override on(event: 'uevent', listener: (ev: SimUevent) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Advance simulated time. */
  tick(dtMs: number): void {
    if (this.disposed) throw new Error('SimHost disposed');
    let left = Math.max(0, dtMs);
    while (left > 0) {
      const step = Math.min(left, this.opts.maxStepMs);
      left -= step;
      this.t += step;
      this.faults.step(this.t);
      this.vmControl.step(this.t);
      this.io.step(step);
      runChecker(this.ctx, this.t);
      this.present();
    }
    if (this.t - this.lastPoll >= this.opts.pollWritesMs) {
      this.lastPoll = this.t;
      this.pollWrites();
    }
    if (this.opts.statFlushMs > 0 && this.t - this.lastFlush >= this.opts.statFlushMs) this.flushStats();
  }

  /** Schedule a fault (see SimFault). */
  inject(fault: SimFault): void {
    this.faults.inject(fault);
    this.faults.step(this.t);
    this.present();
  }

  metrics(): SimMetrics {
    return collectMetrics(this.state, this.t, this.faults);
  }

  /** Write every counter file now. */
  flushStats(): void {
    this.lastFlush = this.t;
    this.presenter.flushStats();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.removeAllListeners();
    if (this.ownsRoot) removeTree(this.root);
  }

  /** Push pending state changes into the root directory. */
  private present(): void {
    for (const l of this.dirtyLinks) this.presenter.writeLink(l);
    for (const p of this.dirtyPaths) this.presenter.writePath(p);
    for (const vm of this.dirtyVms) this.presenter.writeVm(vm);
    if (this.topologyDirty) this.presenter.syncTopology();
    else for (const d of this.dirtyDm) if (this.state.dm.get(d.name) === d) this.presenter.writeDm(d);
    this.dirtyLinks.clear();
    this.dirtyPaths.clear();
    this.dirtyDm.clear();
    this.dirtyVms.clear();
    this.topologyDirty = false;
  }

  private beforeRead(p: string): void {
    // Counter files only (every one's name holds one of these words): most reads skip normalize.
    if (!COUNTER_WORD.test(p)) return;
    this.presenter.refreshCounter(path.posix.normalize('/' + p));
  }

  private readConfigs(): string[] {
    const texts: string[] = [];
    const read = (host: string): void => {
      try {
        texts.push(fs.readFileSync(path.join(this.root, host), 'utf8'));
      } catch {
        /* absent */
      }
    };
    read('/etc/multipath.conf');
    let names: string[];
    try {
      names = fs.readdirSync(path.join(this.root, '/etc/multipath/conf.d')).sort();
    } catch {
      names = [];
    }
    for (const n of names) if (n.endsWith('.conf')) read(`/etc/multipath/conf.d/${n}`);
    return texts;
  }

  /** A file was written through `.fs` (or found changed by the poll): turn it into an effect. */
  private afterWrite(p: string): void {
    const norm = path.posix.normalize('/' + p);
    const dev = /^\/sys\/block\/([^/]+)\/device\/state$/.exec(norm)?.[1];
    if (dev) {
      const pd = this.state.paths.find((x) => x.dev === dev);
      const text = this.readRoot(norm).trim();
      if (pd && (text === 'offline' || text === 'running')) {
        pd.offline = text === 'offline';
        this.presenter.forget(norm);
        this.dirtyPaths.add(pd);
        this.present();
      }
      return;
    }
    for (const vm of this.state.vms) {
      const dir = cgroupDir(this.state.cgroupVersion, vm);
      if (!norm.startsWith(dir + '/')) continue;
      this.applyCgroupFile(vm, norm.slice(dir.length + 1), norm);
      return;
    }
  }

  private readRoot(hostPath: string): string {
    try {
      return fs.readFileSync(path.join(this.root, hostPath), 'utf8');
    } catch {
      return '';
    }
  }

  private applyCgroupFile(vm: SimVm, file: string, full: string): void {
    const text = this.readRoot(full);
    if (file === 'io.max') applyIoMax(vm.limits, text);
    else if (file === 'io.weight') applyIoWeight(vm, text);
    else if (file === 'blkio.bfq.weight') applyBfqWeight(vm, text);
    else if (file.startsWith('blkio.throttle.'))
      applyV1(vm.limits, file.slice('blkio.throttle.'.length), text);
    else return;
    // Rewrite every control file in the kernel's full form.
    this.presenter.forget(full);
    if (this.state.cgroupVersion === 1) {
      const cg = cgroupDir(1, vm);
      for (const f of V1_FILES) {
        this.presenter.forget(`${cg}/blkio.throttle.${f}`);
        this.presenter.put(`${cg}/blkio.throttle.${f}`, formatRules(vm.limits, 1, f));
      }
    }
    this.dirtyVms.add(vm);
    this.present();
  }

  /** Notice cgroup writes made outside `.fs` (e.g. a shell `echo`). */
  private pollWrites(): void {
    const files =
      this.state.cgroupVersion === 2 ? ['io.max', 'io.weight'] : V1_FILES.map((f) => `blkio.throttle.${f}`);
    for (const vm of this.state.vms) {
      if (vm.runState === 'gone') continue;
      const dir = cgroupDir(this.state.cgroupVersion, vm);
      for (const f of files) {
        const full = `${dir}/${f}`;
        if (this.presenter.cached(full) !== this.readRoot(full)) this.applyCgroupFile(vm, f, full);
      }
    }
  }
}
