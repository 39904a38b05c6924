/**
 * device-mapper device lifecycle as dmsetup drives it: create (+load +resume), load into the
 * inactive slot, suspend, resume (swaps tables), remove (EBUSY while opened or held), messages.
 * Failures come back as errno names; the runner prints them the way dmsetup does.
 */
import { addDm } from './build';
import type { SimCtx } from './dm-kernel';
import { failPath, findDmPath, mpTable, reinstatePath, setQueueing, switchGroup } from './dm-kernel';
import { parseTable, TableSyntaxError } from './dm-table';
import { FAILBACK_IMMEDIATE_DELAY_MS, scheduleFailback } from './multipathd';
import type { DmDev, DmTable } from './state';

export type DmErrno = 'EBUSY' | 'ENXIO' | 'EINVAL';
export type DmResult = { ok: true } | { ok: false; errno: DmErrno; ioctl: string };

const OK: DmResult = { ok: true };
const fail = (errno: DmErrno, ioctl: string): DmResult => ({ ok: false, errno, ioctl });

/** How many openers a dm device has: dm devices stacked on it (live or loaded) and VMs. */
export function openCount(ctx: SimCtx, dm: DmDev): number {
  let n = 0;
  for (const other of ctx.state.dm.values()) {
    if (other.live.kind === 'linear' && other.live.targetDevT === dm.devT) n++;
    else if (other.inactive?.kind === 'linear' && other.inactive.targetDevT === dm.devT) n++;
  }
  for (const vm of ctx.state.vms) {
    if (vm.runState === 'gone') continue;
    for (const d of vm.disks) if (d.devT === dm.devT) n++;
  }
  return n;
}

function parse(ctx: SimCtx, text: string): DmTable | undefined {
  try {
    return parseTable(
      text,
      (tok) => {
        const byName = /^\/dev\/(sd[a-z]+)$/.exec(tok)?.[1];
        const p = byName ? ctx.state.paths.find((x) => x.dev === byName) : ctx.state.pathsByDevT.get(tok);
        return p && !p.deleted ? p : undefined;
      },
      (tok) => ctx.state.dmByDevT.has(tok) || ctx.state.pathsByDevT.has(tok),
    );
  } catch (e) {
    if (e instanceof TableSyntaxError) return undefined;
    throw e;
  }
}

/** Fresh kernel multipath state for a newly loaded table: I/O starts on its initial group. */
function resetPgState(dm: DmDev): void {
  const t = mpTable(dm);
  dm.currentPg = 0;
  dm.nextPg = t ? t.initialPg || (t.groups.length ? 1 : 0) : 0;
  dm.queueIo = false;
}

export function dmCreate(ctx: SimCtx, name: string, uuid: string, tableText: string): DmResult {
  const { state } = ctx;
  if (state.dm.has(name) || [...state.dm.values()].some((d) => uuid && d.uuid === uuid))
    return fail('EBUSY', 'create');
  const table = parse(ctx, tableText);
  if (!table) return fail('EINVAL', 'reload');
  const perVm = /^vmpath-([A-Za-z0-9_.:]+)-/.exec(uuid)?.[1];
  const dm = addDm(state, name, uuid, table, perVm ? { perVmOf: perVm } : {});
  resetPgState(dm);
  ctx.touchDm(dm);
  ctx.touchTopology();
  return OK;
}

export function dmLoad(ctx: SimCtx, dm: DmDev, tableText: string): DmResult {
  const table = parse(ctx, tableText);
  if (!table || (table.kind === 'linear' && table.targetDevT === dm.devT)) return fail('EINVAL', 'reload');
  dm.inactive = table;
  ctx.touchDm(dm);
  return OK;
}

export function dmSuspend(ctx: SimCtx, dm: DmDev): DmResult {
  dm.suspended = true;
  ctx.touchDm(dm);
  return OK;
}

export function dmResume(ctx: SimCtx, dm: DmDev): DmResult {
  if (dm.inactive) {
    dm.live = dm.inactive;
    dm.inactive = undefined;
    resetPgState(dm);
    ctx.touchTopology();
  }
  dm.suspended = false;
  ctx.touchDm(dm);
  return OK;
}

export function dmRemove(ctx: SimCtx, dm: DmDev): DmResult {
  if (openCount(ctx, dm) > 0) return fail('EBUSY', 'remove');
  ctx.state.dm.delete(dm.name);
  ctx.state.dmByDevT.delete(dm.devT);
  ctx.touchTopology();
  return OK;
}

/** `dmsetup message NAME 0 ...` for multipath targets. */
export function dmMessage(ctx: SimCtx, dm: DmDev, words: readonly string[]): DmResult {
  const [verb, arg, ...rest] = words;
  const bad = fail('EINVAL', 'message');
  if (!mpTable(dm) || rest.length > 0) return bad;
  switch (verb) {
    case 'queue_if_no_path':
    case 'fail_if_no_path':
      return arg === undefined && setQueueing(ctx, dm, verb === 'queue_if_no_path') ? OK : bad;
    case 'switch_group':
      if (arg === undefined || !/^\d+$/.test(arg) || !switchGroup(ctx, dm, Number(arg))) return bad;
      scheduleFailback(dm, ctx.nowMs(), FAILBACK_IMMEDIATE_DELAY_MS);
      return OK;
    case 'fail_path':
    case 'reinstate_path': {
      const byName = arg && /^\/dev\/(sd[a-z]+)$/.exec(arg)?.[1];
      const devT = byName ? ctx.state.paths.find((p) => p.dev === byName)?.devT : arg;
      const p = devT ? findDmPath(dm, devT) : undefined;
      if (!p) return bad;
      if (verb === 'fail_path') failPath(ctx, dm, p);
      else reinstatePath(ctx, dm, p);
      return OK;
    }
    default:
      return bad;
  }
}
