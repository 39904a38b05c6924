/**
 * The multipathd side: the path checker (polling_interval, staggered per path), failback
 * (`immediate` undoes an operator switch ~0.7 s later, `N` after N s, `manual` never),
 * operator fail/reinstate, path removal and `reconfigure` (reloads every map it manages in
 * priority order, so the group choice resets). Per-VM maps are not its business.
 */
import { makeMultipathTable, groupPriority } from './dm-table';
import type { SimCtx } from './dm-kernel';
import { failPath, findDmPath, isUsable, mpTable, reinstatePath, switchGroup } from './dm-kernel';
import type { Failback } from './spec';
import type { DmDev, SimPathDev } from './state';
import { assignedPrio, hostPrio } from './multipathd-prio';

/** Delay after an operator switchgroup before an `immediate` map fails back (measured ~0.7 s). */
export const FAILBACK_IMMEDIATE_DELAY_MS = 700;
/** After `multipathd fail path`, the checker looks again this soon (measured ~1 s). */
const RECHECK_AFTER_OPERATOR_MS = 1000;

export function managedMaps(ctx: SimCtx): DmDev[] {
  return [...ctx.state.dm.values()].filter((d) => d.mpd);
}

const NONE: DmDev[] = [];
function mapsOfPath(ctx: SimCtx, p: SimPathDev): DmDev[] {
  const m = ctx.state.dm.get(p.lun.alias);
  return m && m.mpd ? [m] : NONE;
}

/** Best group: highest priority among groups with usable paths, first on ties; 0 if none. */
export function bestGroup(dm: DmDev): number {
  const t = mpTable(dm);
  if (!t) return 0;
  let best = 0;
  let bestPri = -1;
  t.groups.forEach((g, i) => {
    if (!g.paths.some((p) => !p.failed && p.dev.checker === 'ready')) return;
    const pri = groupPriority(g, (d) => d.checker === 'ready');
    if (pri > bestPri) {
      bestPri = pri;
      best = i + 1;
    }
  });
  return best;
}

function maybeFailback(ctx: SimCtx, dm: DmDev): void {
  const mpd = dm.mpd;
  if (!mpd || mpd.failback === 'manual') return;
  const best = bestGroup(dm);
  const used = dm.nextPg || dm.currentPg;
  if (best && used && best !== used) {
    switchGroup(ctx, dm, best);
    mpd.switchGrp++;
  }
  mpd.bestGroup = best;
}

export function scheduleFailback(dm: DmDev, now: number, delayMs: number): void {
  const mpd = dm.mpd;
  if (!mpd || mpd.failback === 'manual') return;
  const delay = mpd.failback === 'immediate' ? delayMs : mpd.failback * 1000;
  const at = now + delay;
  if (mpd.failbackAtMs === undefined || at < mpd.failbackAtMs) mpd.failbackAtMs = at;
}

/** Run every check and failback due at `now`. Cheap when nothing is due. */
export function runChecker(ctx: SimCtx, now: number): void {
  const pollMs = ctx.state.pollingIntervalS * 1000;
  for (const p of ctx.state.paths) {
    if (p.deleted || p.nextCheckMs > now) continue;
    const result = isUsable(p) ? 'ready' : 'faulty';
    p.mpdDevState = isUsable(p) ? 'running' : 'offline';
    let changed = result !== p.checker;
    if (changed) {
      p.checker = result;
      ctx.touchPath(p);
    }
    // Shown as `tick/checkint` in show paths; checks themselves run every polling_interval
    // (idle failures are found within 2-3 s, as measured).
    if (result === 'ready')
      for (const dm of mapsOfPath(ctx, p)) if (findDmPath(dm, p.devT)?.failed) changed = true;
    p.checkIntS = changed ? ctx.state.pollingIntervalS : ctx.state.pollingIntervalS * 2;
    p.nextCheckMs = now + pollMs;
    for (const dm of mapsOfPath(ctx, p)) {
      const dp = findDmPath(dm, p.devT);
      if (!dp) continue;
      if (result === 'faulty' && !dp.failed) failPath(ctx, dm, dp);
      else if (result === 'ready' && dp.failed) {
        reinstatePath(ctx, dm, dp);
        scheduleFailback(dm, now, 0);
      }
      // need_switch_pathgroup after path state changes; operator switches use the timer.
      if (dm.mpd?.failback === 'immediate' && dm.mpd.bestGroup < 0) maybeFailback(ctx, dm);
    }
  }
  for (const dm of ctx.state.dm.values()) {
    const at = dm.mpd?.failbackAtMs;
    if (at !== undefined && at <= now) {
      (dm.mpd as NonNullable<DmDev['mpd']>).failbackAtMs = undefined;
      maybeFailback(ctx, dm);
    }
  }
}

/** `multipathd switchgroup map M group N`. */
export function operatorSwitch(ctx: SimCtx, dm: DmDev, n: number): boolean {
  if (!switchGroup(ctx, dm, n)) return false;
  scheduleFailback(dm, ctx.nowMs(), FAILBACK_IMMEDIATE_DELAY_MS);
  return true;
}

/** `multipathd fail path DEV`: dm fails it, the checker reinstates it ~1 s later if healthy. */
export function operatorFail(ctx: SimCtx, p: SimPathDev): boolean {
  const maps = mapsOfPath(ctx, p);
  if (maps.length === 0) return false;
  for (const dm of maps) {
    const dp = findDmPath(dm, p.devT);
    if (dp) failPath(ctx, dm, dp);
  }
  p.checker = 'faulty';
  p.nextCheckMs = ctx.nowMs() + RECHECK_AFTER_OPERATOR_MS;
  ctx.touchPath(p);
  return true;
}

/** `multipathd reinstate path DEV`. */
export function operatorReinstate(ctx: SimCtx, p: SimPathDev): boolean {
  const maps = mapsOfPath(ctx, p);
  if (maps.length === 0) return false;
  for (const dm of maps) {
    const dp = findDmPath(dm, p.devT);
    if (dp) reinstatePath(ctx, dm, dp);
  }
  return true;
}

/** Reload a managed map's table from its LUN (priority order, first group next). */
export function reloadMap(ctx: SimCtx, dm: DmDev): void {
  const mpd = dm.mpd;
  if (!mpd) return;
  const table = makeMultipathTable(
    mpd.lun,
    mpd.noPathRetry === 'queue' ? ['queue_if_no_path'] : [],
    mpd.pathSelector,
    mpd.grouping,
  );
  for (const g of table.groups)
    for (const p of g.paths) p.failed = p.dev.checker !== 'ready' || !isUsable(p.dev);
  dm.live = table;
  dm.currentPg = 0;
  dm.nextPg = table.groups.length > 0 ? 1 : 0;
  dm.queueIo = false;
  mpd.mapLoads++;
  ctx.touchDm(dm);
  ctx.touchTopology();
}

/** What a `multipaths { multipath { wwid W ... } }` entry sets for one WWID (what the sim understands). */
export interface MultipathEntry {
  failback?: Failback;
  noPathRetry?: 'queue' | 'fail';
  /** `historical-service-time 0` etc.: a selector the simulated kernel knows, with `0` args. */
  pathSelector?: string;
  grouping?: 'failover' | 'multibus' | 'group_by_prio';
  /** Prioritizer name and its `prio_args` (multipathd-prio.ts). */
  prio?: string;
  prioArgs?: string;
}

const PATH_SELECTOR = /^(service-time|round-robin|queue-length|historical-service-time) 0$/;

/**
 * Per-wwid `failback` and `no_path_retry` from multipath.conf text. Only the values vmpath and the
 * scenarios write are understood (failback immediate | manual | N, no_path_retry queue | fail);
 * anything else is ignored like an unknown keyword. Later entries win.
 */
export function parseMultipathEntries(conf: string): Map<string, MultipathEntry> {
  const out = new Map<string, MultipathEntry>();
  for (const b of conf.replace(/#[^\n]*/g, '').match(/multipath\s*\{[^{}]*\}/g) ?? []) {
    const wwid = /\bwwid\s+"?([^\s"]+)"?/.exec(b)?.[1];
    if (!wwid) continue;
    const entry = out.get(wwid) ?? {};
    const fb = /\bfailback\s+"?([^\s"]+)"?/.exec(b)?.[1];
    if (fb === 'immediate' || fb === 'manual') entry.failback = fb;
    else if (fb && /^\d+$/.test(fb)) entry.failback = Number(fb);
    const npr = /\bno_path_retry\s+"?([^\s"]+)"?/.exec(b)?.[1];
    if (npr === 'queue' || npr === 'fail') entry.noPathRetry = npr;
    const sel = /\bpath_selector\s+"([^"]*)"/.exec(b)?.[1];
    if (sel && PATH_SELECTOR.test(sel)) entry.pathSelector = sel;
    const pgp = /\bpath_grouping_policy\s+"?([^\s"]+)"?/.exec(b)?.[1];
    if (pgp === 'failover' || pgp === 'multibus' || pgp === 'group_by_prio') entry.grouping = pgp;
    const prio = /\bprio\s+"?([a-z_]+)"?/.exec(b)?.[1];
    if (prio) entry.prio = prio;
    const args = /\bprio_args\s+"([^"]*)"/.exec(b)?.[1];
    if (args !== undefined) entry.prioArgs = args;
    out.set(wwid, entry);
  }
  return out;
}

/**
 * `multipathd reconfigure`: re-read config, assign path priorities (multipathd-prio.ts), reload
 * every managed map (its groups from the entry's path_grouping_policy, highest priority first).
 */
export function reconfigure(ctx: SimCtx, confTexts: readonly string[]): void {
  const entries = new Map<string, MultipathEntry>();
  for (const text of confTexts)
    for (const [wwid, e] of parseMultipathEntries(text)) entries.set(wwid, { ...entries.get(wwid), ...e });
  const host = hostPrio(confTexts);
  for (const dm of managedMaps(ctx)) {
    const mpd = dm.mpd as NonNullable<DmDev['mpd']>;
    const e = entries.get(mpd.lun.wwid);
    for (const p of mpd.lun.paths) {
      const prio = assignedPrio(p, host, e);
      if (prio === undefined) delete p.mpdPriority;
      else p.mpdPriority = prio;
    }
    if (e?.grouping) mpd.grouping = e.grouping;
    else delete mpd.grouping;
    mpd.noPathRetry = e?.noPathRetry ?? mpd.lun.noPathRetry;
    mpd.failback = e?.failback ?? mpd.lun.specFailback;
    if (e?.pathSelector) mpd.pathSelector = e.pathSelector;
    else delete mpd.pathSelector;
    mpd.failbackAtMs = undefined;
    mpd.action = '';
    reloadMap(ctx, dm);
  }
}

/** A path device was removed: multipathd drops it from its map. */
export function removePath(ctx: SimCtx, p: SimPathDev): void {
  for (const dm of mapsOfPath(ctx, p)) {
    const dp = findDmPath(dm, p.devT);
    if (dp) failPath(ctx, dm, dp);
    const t = mpTable(dm);
    if (!t) continue;
    const keepFail = new Map<string, { failed: boolean; failCount: number }>();
    for (const g of t.groups) for (const q of g.paths) keepFail.set(q.dev.devT, q);
    const used = dm.currentPg;
    reloadMap(ctx, dm);
    const nt = mpTable(dm);
    if (nt)
      for (const g of nt.groups)
        for (const q of g.paths) {
          const old = keepFail.get(q.dev.devT);
          if (old) {
            q.failed = old.failed;
            q.failCount = old.failCount;
          }
        }
    if (used && nt && used <= nt.groups.length) {
      dm.currentPg = used;
      dm.nextPg = 0;
    }
  }
}
