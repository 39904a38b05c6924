/**
 * The fault injector: timed fail / restore / flap / delete of links (path ids, fabrics,
 * adapters, `all`) or devices (sdX, or every path device of a LUN), and a looping fault plan.
 * A link fault blocks the transport (FC rport Blocked, iSCSI session FAILED, devices
 * transport-offline); a device fault is `echo offline > device/state`. Faults only change the
 * hardware: the kernel notices on the next I/O, multipathd at its next check.
 */
import { ScenarioInvalidError } from '../model/errors';
import type { SimCtx } from './dm-kernel';
import { removePath } from './multipathd';
import type { SimFault } from './spec';
import type { SimLink, SimPathDev } from './state';

type Target = { links: SimLink[]; devs: SimPathDev[] };
interface Due {
  readonly atMs: number;
  readonly seq: number;
  readonly op: 'fail' | 'restore' | 'delete';
  readonly target: string;
}

export interface FaultRecord {
  readonly timeMs: number;
  readonly op: 'fail' | 'restore' | 'delete';
  readonly target: string;
}

export class FaultInjector {
  private queue: Due[] = [];
  private seq = 0;
  private plan?: { events: readonly SimFault[]; loopMs: number; nextStartMs: number };
  /** Applied faults, oldest first (bounded). */
  readonly history: FaultRecord[] = [];

  constructor(
    private readonly ctx: SimCtx,
    private readonly touchLink: (l: SimLink) => void,
  ) {}

  resolve(name: string): Target {
    const s = this.ctx.state;
    if (name === 'all') return { links: [...s.links], devs: [] };
    const byId = s.links.filter((l) => l.id === name);
    if (byId.length) return { links: byId, devs: [] };
    const byFabric = s.links.filter((l) => l.fabric === name);
    if (byFabric.length) return { links: byFabric, devs: [] };
    const byAdapter = s.links.filter((l) => l.adapterLabel === name || `host${l.hostNo}` === name);
    if (byAdapter.length) return { links: byAdapter, devs: [] };
    const dev = s.paths.find((p) => p.dev === name || p.devT === name);
    if (dev) return { links: [], devs: [dev] };
    const lun = s.luns.find((l) => l.wwid === name || l.alias === name);
    if (lun) return { links: [], devs: [...lun.paths] };
    throw new ScenarioInvalidError(
      `fault target ${JSON.stringify(name)} matches no path, fabric, adapter, device or LUN`,
      {
        field: 'target',
      },
    );
  }

  /** Schedule one fault (validated now). `at` is in seconds; default: now. */
  inject(f: SimFault): void {
    const now = this.ctx.nowMs();
    const atMs = f.at === undefined ? now : Math.round(f.at * 1000);
    const ops = (['fail', 'restore', 'delete', 'flap'] as const).filter((k) => f[k] !== undefined);
    if (ops.length !== 1)
      throw new ScenarioInvalidError('a fault needs exactly one of fail, restore, flap, delete', {
        field: 'fault',
      });
    const op = ops[0] as 'fail' | 'restore' | 'delete' | 'flap';
    const target = f[op] as string;
    this.resolve(target);
    if (op !== 'flap') {
      this.push(atMs, op, target);
      return;
    }
    const period = Math.round((f.periodS ?? 5) * 1000);
    if (!(period > 0)) throw new ScenarioInvalidError('flap periodS must be positive', { field: 'periodS' });
    const count = f.count ?? 10;
    for (let i = 0; i < count; i++) {
      this.push(atMs + 2 * i * period, 'fail', target);
      this.push(atMs + (2 * i + 1) * period, 'restore', target);
    }
  }

  /** Run a fault plan from now, repeating every `loopS` seconds when given. */
  setPlan(events: readonly SimFault[], loopS?: number): void {
    for (const e of events) this.resolve((e.fail ?? e.restore ?? e.flap ?? e.delete) as string);
    this.plan = { events, loopMs: loopS ? loopS * 1000 : 0, nextStartMs: this.ctx.nowMs() };
    this.expandPlan();
  }

  private expandPlan(): void {
    const p = this.plan;
    if (!p) return;
    const start = p.nextStartMs;
    for (const e of p.events) this.inject({ ...e, at: start / 1000 + (e.at ?? 0) });
    if (p.loopMs > 0) p.nextStartMs = start + p.loopMs;
    else this.plan = undefined;
  }

  private push(atMs: number, op: Due['op'], target: string): void {
    this.queue.push({ atMs, seq: this.seq++, op, target });
    this.queue.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  }

  /** Pending faults, for the live view. */
  pending(): readonly FaultRecord[] {
    return this.queue.map((d) => ({ timeMs: d.atMs, op: d.op, target: d.target }));
  }

  /** Apply every fault due by `now`. */
  step(now: number): void {
    while (this.plan && this.plan.loopMs > 0 && this.plan.nextStartMs <= now) this.expandPlan();
    while (this.queue.length && (this.queue[0] as Due).atMs <= now) {
      const d = this.queue.shift() as Due;
      this.apply(d.op, d.target);
    }
  }

  apply(op: Due['op'], name: string): void {
    const t = this.resolve(name);
    this.history.push({ timeMs: this.ctx.nowMs(), op, target: name });
    if (this.history.length > 200) this.history.shift();
    for (const l of t.links) {
      if (op === 'delete') continue;
      l.up = op === 'restore';
      this.touchLink(l);
      for (const p of this.ctx.state.paths) if (p.link === l) this.ctx.touchPath(p);
    }
    for (const p of t.devs) {
      if (p.deleted) continue;
      if (op === 'delete') {
        p.deleted = true;
        removePath(this.ctx, p);
      } else p.offline = op === 'fail';
      this.ctx.touchPath(p);
    }
    if (op === 'delete' && t.links.length) {
      for (const l of t.links)
        for (const p of this.ctx.state.paths)
          if (p.link === l && !p.deleted) {
            p.deleted = true;
            removePath(this.ctx, p);
            this.ctx.touchPath(p);
          }
    }
  }
}
