/**
 * `vmpath release`: put back everything vmpath changed, from the journal's ledger, leaving the
 * host as vmpath found it. Each ledger entry carries the inverse step recorded before the first
 * change (the io.max line before, the LV's previous table, the previous group, ...). Steps run in
 * an order that is safe for device-mapper: LVs back onto their shared maps first, then per-VM maps
 * removed, then groups/paths/queueing, the failback file (+ reconfigure), cgroup limits and
 * weights, and last VMs vmpath paused are resumed (only those: never someone else's pause).
 * Every step is journaled (`releaseOf`) and clears its ledger entry when done.
 */
import { UsageError } from '../model/errors';
import { validateVmId } from '../model/names';
import { makeEnv } from './env';
import { executeAction, type ApplyResult } from './execute';
import type { LedgerEntry } from './journal-records';
import type { ActContext } from './types';

export interface ReleaseOptions {
  /** Release everything (host-level changes too: groups, queueing, failback file). */
  readonly all?: boolean;
  /** Release only what belongs to this VM (limits, weights, per-VM maps, LVs, its pause). */
  readonly vmId?: string;
  readonly dryRun: boolean;
}

const ORDER = [
  'move-lv',
  'remove-vm-map',
  'create-vm-map',
  'reload-vm-map',
  'switch-group',
  'fail-path',
  'reinstate-path',
  'set-queueing',
  'restore-failback-conf',
  'set-io-limit',
  'set-io-weight',
  'resume-vm',
];

const rank = (e: LedgerEntry) => (e.inverse ? ORDER.indexOf(e.inverse.kind) : ORDER.length);

export function releaseSteps(
  ledger: readonly LedgerEntry[],
  options: Omit<ReleaseOptions, 'dryRun'>,
): LedgerEntry[] {
  if (!options.all && options.vmId === undefined) throw new UsageError('release: give --all or --vm ID');
  const vmId = options.vmId === undefined ? undefined : validateVmId(options.vmId);
  return ledger
    .filter((e) => options.all || e.vmId === vmId)
    .sort((a, b) => rank(a) - rank(b) || a.sinceMs - b.sinceMs);
}

export async function releaseChanges(ctx: ActContext, options: ReleaseOptions): Promise<ApplyResult[]> {
  const steps = releaseSteps(ctx.journal.ledger(), options);
  // Observe afresh: a snapshot taken before vmpath's own changes would make every restore look
  // `unchanged`. Without one, the actuators read the host or just apply (idempotent commands).
  const { snapshot: _stale, ...fresh } = ctx;
  const { env, log } = await makeEnv(fresh, options.dryRun);
  const results: ApplyResult[] = [];
  for (const entry of steps) {
    if (!entry.inverse) {
      if (!options.dryRun)
        await ctx.journal.forget(entry.key, 'previous state was not observed: nothing restored');
      results.push({
        actionId: `release:${entry.key}`,
        outcome: 'skipped',
        message: 'previous state was not observed: left as is',
      });
      continue;
    }
    const mark = log.effects.length;
    const r = await executeAction(env, entry.inverse, { dryRun: options.dryRun, releaseOf: entry.key });
    results.push(options.dryRun ? { ...r, effects: log.since(mark) } : r);
  }
  return results;
}
