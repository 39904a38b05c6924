/**
 * act/: executes a Plan against the host. Public surface:
 *
 *   applyPlan(ctx, plan, { dryRun }) → one ApplyResult per action, in plan order
 *   Journal (journal.ts), recoverJournal (recover.ts), releaseChanges (release.ts)
 *   VmControl implementations (vm/), guard files for udev/LVM (guard-files.ts)
 *
 * Per action: observe and compare (unchanged | skipped), journal the intent with its undo, make
 * the change, journal done/failed. One failed action never stops the others, except those that
 * depend on it (dependencies()). A journal that cannot be written stops everything after it:
 * vmpath does not change a host it cannot account for.
 */
import type { Action, Plan } from '../model/plan';
import { makeEnv } from './env';
import { executeAction, type ApplyResult, type ExecuteOptions } from './execute';
import type { ActContext } from './types';

export type { ActContext, ActAction, UndoInfo } from './types';
export type { ApplyResult } from './execute';
export { Journal, DEFAULT_JOURNAL_PATH } from './journal';
export type { LedgerEntry, IntentRecord, JournalRecord } from './journal-records';
export { recoverJournal, type RecoveryResult } from './recover';
export { releaseChanges, releaseSteps, type ReleaseOptions } from './release';
export { openHostActContext, defaultVmControl, type HostContextOptions } from './host-context';
export { installGuardFiles, UDEV_RULE, LVM_SNIPPET } from './guard-files';
export { QmpVmControl } from './vm/qmp-control';
export { QmpSession, qmpCommand } from './vm/qmp-client';
export { ProxmoxApiClient, type ProxmoxApiOptions, type ProxmoxAuth } from './vm/proxmox-api';
export { ProxmoxApiVmControl } from './vm/proxmox-control';
export { LibvirtVmControl } from './vm/libvirt-control';
export { VirshVmControl } from './vm/virsh-control';
export { RoutingVmControl } from './vm/routing-control';
export { RetryingVmControl, withRetry } from './vm/retry';

export interface ApplyOptions {
  /** Record what would run (argv, file writes, VM calls) without changing anything. */
  readonly dryRun: boolean;
  /** Operator override for `vmpath resume --force`: resume a VM vmpath did not pause. */
  readonly forceResume?: boolean;
}

/**
 * Which earlier failure makes an action pointless or unsafe:
 * - move-lv needs its VM's create-vm-map; remove-vm-map needs the VM's LVs moved off it;
 * - switch-group needs `failback manual` for that map (else multipathd undoes it in ~0.7 s);
 * - fail/reinstate-path and switch-group on a per-VM map need its reload (the old table lacks
 *   the new path devices, and its group numbers are not the new table's).
 */
function blockedBy(a: Action, failed: readonly Action[]): Action | undefined {
  return failed.find((f) => {
    if (f.kind === 'reload-vm-map' && 'map' in a && a.map === f.name)
      return a.kind === 'fail-path' || a.kind === 'reinstate-path' || a.kind === 'switch-group';
    if (a.kind === 'move-lv') return f.kind === 'create-vm-map' && f.vmId === a.vmId;
    if (a.kind === 'remove-vm-map') return f.kind === 'move-lv' && f.vmId === a.vmId;
    if (a.kind === 'switch-group') return f.kind === 'set-failback-manual' && f.map === a.map;
    return false;
  });
}

export async function applyPlan(ctx: ActContext, plan: Plan, options: ApplyOptions): Promise<ApplyResult[]> {
  const { env, log } = await makeEnv(ctx, options.dryRun);
  const exec: ExecuteOptions = {
    dryRun: options.dryRun,
    ...(options.forceResume ? { forceResume: true } : {}),
  };
  const results: ApplyResult[] = [];
  const failed: Action[] = [];
  let journalBroken = false;
  for (const a of plan.actions) {
    const blocker = blockedBy(a, failed);
    if (journalBroken || blocker) {
      results.push({
        actionId: a.id,
        outcome: 'skipped',
        message: journalBroken
          ? 'journal unavailable: not acting'
          : `depends on ${blocker?.id} which did not succeed`,
      });
      failed.push(a);
      continue;
    }
    const mark = log.effects.length;
    const r = await executeAction(env, a, exec);
    results.push(options.dryRun ? { ...r, effects: log.since(mark) } : r);
    if (r.outcome === 'failed') {
      failed.push(a);
      if (r.code === 'VMPATH_E_JOURNAL') journalBroken = true;
    }
  }
  return results;
}
