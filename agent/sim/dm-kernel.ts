/**
 * The kernel side of dm-multipath: path failure on I/O, reinstatement, group switching, queueing
 * and path-group choice for I/O, after drivers/md/dm-mpath.c. Every visible change is reported
 * through the context (uevents, sysfs refresh), so the presenter and the agent see it.
 */
import type { SimState } from './build';
import type { DmDev, DmPath, MultipathTable, SimPathDev } from './state';

/** What a kernel uevent for a multipath path event carries (the subset vmpath reads). */
export interface SimUevent {
  readonly ACTION: 'change';
  readonly DM_ACTION: 'PATH_FAILED' | 'PATH_REINSTATED';
  readonly DM_NAME: string;
  readonly DM_UUID: string;
  /** The path as `MAJ:MIN`. */
  readonly DM_PATH: string;
  readonly DM_NR_VALID_PATHS: number;
  readonly DM_SEQNUM: number;
  /** Simulated time of the event. */
  readonly timeMs: number;
}

export interface SimCtx {
  readonly state: SimState;
  /** ALUA path-group initialisation time after a group change; I/O waits meanwhile. 0: none. */
  readonly pgInitMs?: number;
  nowMs(): number;
  emitUevent(ev: SimUevent): void;
  touchPath(p: SimPathDev): void;
  touchDm(dm: DmDev): void;
  /** dm devices were created/removed or their tables changed (holders, slaves, dm/ dirs). */
  touchTopology(): void;
}

export function isUsable(p: SimPathDev): boolean {
  return !p.deleted && !p.offline && p.link.up;
}

export function mpTable(dm: DmDev): MultipathTable | undefined {
  return dm.live.kind === 'multipath' ? dm.live : undefined;
}

export function validPaths(t: MultipathTable): number {
  let n = 0;
  for (const g of t.groups) for (const p of g.paths) if (!p.failed) n++;
  return n;
}

function event(ctx: SimCtx, dm: DmDev, p: DmPath, action: SimUevent['DM_ACTION']): void {
  dm.eventNr++;
  if (dm.mpd) dm.mpd.bestGroup = -1;
  const t = mpTable(dm);
  ctx.touchDm(dm);
  ctx.emitUevent({
    ACTION: 'change',
    DM_ACTION: action,
    DM_NAME: dm.name,
    DM_UUID: dm.uuid,
    DM_PATH: p.dev.devT,
    DM_NR_VALID_PATHS: t ? validPaths(t) : 0,
    DM_SEQNUM: dm.eventNr,
    timeMs: ctx.nowMs(),
  });
}

export function failPath(ctx: SimCtx, dm: DmDev, p: DmPath): void {
  if (p.failed) return;
  p.failed = true;
  p.failCount++;
  if (dm.mpd) {
    // multipathd sees the table change: marks the path down, counts it, checks it within 1 s.
    dm.mpd.pathFaults++;
    p.dev.checker = 'faulty';
    p.dev.nextCheckMs = Math.min(p.dev.nextCheckMs, ctx.nowMs() + 1000);
    ctx.touchPath(p.dev);
  }
  // Like the kernel, the current group stays current until the next I/O looks for a path.
  event(ctx, dm, p, 'PATH_FAILED');
}

export function reinstatePath(ctx: SimCtx, dm: DmDev, p: DmPath): void {
  if (!p.failed) return;
  p.failed = false;
  event(ctx, dm, p, 'PATH_REINSTATED');
}

/** Find a path of a map by `MAJ:MIN`. */
export function findDmPath(dm: DmDev, devT: string): DmPath | undefined {
  const t = mpTable(dm);
  if (!t) return undefined;
  for (const g of t.groups) for (const p of g.paths) if (p.dev.devT === devT) return p;
  return undefined;
}

/** `switch_group N`: clears bypass flags; I/O moves to group N at its next request. */
export function switchGroup(ctx: SimCtx, dm: DmDev, n: number): boolean {
  const t = mpTable(dm);
  if (!t || n < 1 || n > t.groups.length) return false;
  for (const g of t.groups) g.bypassed = false;
  dm.currentPg = 0;
  dm.nextPg = n;
  ctx.touchDm(dm);
  return true;
}

export function setQueueing(ctx: SimCtx, dm: DmDev, on: boolean): boolean {
  const t = mpTable(dm);
  if (!t) return false;
  const i = t.features.indexOf('queue_if_no_path');
  if (on && i < 0) t.features.unshift('queue_if_no_path');
  if (!on && i >= 0) t.features.splice(i, 1);
  if (!on) dm.queueIo = false;
  ctx.touchDm(dm);
  return true;
}

export function queueIfNoPath(dm: DmDev): boolean {
  const t = mpTable(dm);
  return !!t && t.features.includes('queue_if_no_path');
}

/**
 * The group that carries I/O now (1-based) or 0 when no path is usable. As the kernel does when
 * I/O arrives: tries the requested next group, then the current one, then every group in order;
 * a path whose device is gone fails on the spot (PATH_FAILED uevent) and the search goes on.
 */
export function chooseGroupForIo(ctx: SimCtx, dm: DmDev): number {
  const t = mpTable(dm);
  if (!t) return 0;
  const order: number[] = [];
  if (dm.nextPg) order.push(dm.nextPg);
  if (dm.currentPg) order.push(dm.currentPg);
  t.groups.forEach((g, i) => !g.bypassed && order.push(i + 1));
  t.groups.forEach((g, i) => g.bypassed && order.push(i + 1));
  for (const n of order) {
    const g = t.groups[n - 1];
    if (!g) continue;
    let ok = false;
    for (const p of g.paths) {
      if (p.failed) continue;
      if (isUsable(p.dev)) ok = true;
      else failPath(ctx, dm, p);
    }
    if (ok) {
      const now = ctx.nowMs();
      if (dm.currentPg !== n || dm.nextPg) {
        if (dm.currentPg !== n && t.hwHandler.length > 0 && (ctx.pgInitMs ?? 0) > 0)
          dm.pgInitUntilMs = now + (ctx.pgInitMs ?? 0);
        dm.currentPg = n;
        dm.nextPg = 0;
        ctx.touchDm(dm);
      }
      if (dm.pgInitUntilMs !== undefined && dm.pgInitUntilMs <= now) dm.pgInitUntilMs = undefined;
      const initializing = dm.pgInitUntilMs !== undefined;
      if (dm.queueIo !== initializing) {
        dm.queueIo = initializing;
        ctx.touchDm(dm);
      }
      return n;
    }
  }
  dm.pgInitUntilMs = undefined;
  if (dm.currentPg || dm.nextPg) {
    dm.currentPg = 0;
    dm.nextPg = 0;
    ctx.touchDm(dm);
  }
  const q = queueIfNoPath(dm);
  if (dm.queueIo !== q) {
    dm.queueIo = q;
    ctx.touchDm(dm);
  }
  return 0;
}
