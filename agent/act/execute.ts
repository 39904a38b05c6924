/**
 * Runs one action through its actuator: prepare (observe + compare) → journal intent → run →
 * journal done/failed. Errors become `failed` results with their VMPATH_E_* code; nothing thrown
 * escapes (a JournalError is reported too and stops the caller from going on, see index.ts).
 */
import type { ActionResult } from '../model/plan';
import { JournalError, asVmpathError } from '../model/errors';
import { prepareIoLimit, prepareIoWeight } from './cgroup-actuators';
import {
  prepareFailbackManual,
  prepareNoPathRetry,
  preparePathSelector,
  preparePathGrouping,
  preparePathState,
  prepareQueueing,
  prepareRestoreFailbackConf,
  prepareSwitchGroup,
} from './dm-actuators';
import {
  prepareCreateVmMap,
  prepareMoveLv,
  prepareReloadVmMap,
  prepareRemoveVmMap,
} from './vm-map-actuators';
import { prepareKill, prepareMigrate, preparePause, prepareResume } from './vm-actuators';
import type { ActAction, ActEnv, Prepared } from './types';

export interface ApplyResult extends ActionResult {
  /** Dry run: this is what would have happened, nothing was changed. */
  readonly dryRun?: boolean;
  /** Commands, file writes and VM calls made (dry run: that would be made). */
  readonly effects?: readonly string[];
}

export interface ExecuteOptions {
  readonly dryRun: boolean;
  /** Operator override: resume a VM vmpath did not pause. */
  readonly forceResume?: boolean;
  /** Release step: the ledger key it restores. */
  readonly releaseOf?: string;
}

export function prepare(
  env: ActEnv,
  a: ActAction,
  options: Pick<ExecuteOptions, 'forceResume'> = {},
): Promise<Prepared> {
  switch (a.kind) {
    case 'set-io-limit':
      return prepareIoLimit(env, a);
    case 'set-io-weight':
      return prepareIoWeight(env, a);
    case 'set-failback-manual':
      return prepareFailbackManual(env, a);
    case 'set-no-path-retry':
      return prepareNoPathRetry(env, a);
    case 'set-path-selector':
      return preparePathSelector(env, a);
    case 'set-path-grouping':
      return preparePathGrouping(env, a);
    case 'restore-failback-conf':
      return prepareRestoreFailbackConf(env, a);
    case 'switch-group':
      return prepareSwitchGroup(env, a);
    case 'set-queueing':
      return prepareQueueing(env, a);
    case 'fail-path':
    case 'reinstate-path':
      return preparePathState(env, a);
    case 'create-vm-map':
      return prepareCreateVmMap(env, a);
    case 'reload-vm-map':
      return prepareReloadVmMap(env, a);
    case 'remove-vm-map':
      return prepareRemoveVmMap(env, a);
    case 'move-lv':
      return prepareMoveLv(env, a);
    case 'pause-vm':
      return preparePause(env, a);
    case 'resume-vm':
      return prepareResume(env, a, options.forceResume ?? false);
    case 'migrate-vm':
      return prepareMigrate(env, a);
    case 'kill-vm':
      return prepareKill(env, a);
  }
}

function failed(a: ActAction, e: unknown): ApplyResult {
  const err = asVmpathError(e);
  return { actionId: a.id, outcome: 'failed', code: err.code, message: err.message };
}

export async function executeAction(
  env: ActEnv,
  a: ActAction,
  options: ExecuteOptions,
): Promise<ApplyResult> {
  let p: Prepared;
  try {
    p = await prepare(env, a, options);
  } catch (e) {
    return failed(a, e);
  }
  if (p.unchanged !== false) {
    // A release step that finds nothing to do still settles its ledger entry.
    if (options.releaseOf && !options.dryRun) {
      const op = await env.journal.intent(a, undefined, options.releaseOf);
      await env.journal.done(op, p.message ?? 'nothing to restore');
    }
    return {
      actionId: a.id,
      outcome: p.unchanged === 'skip' ? 'skipped' : 'unchanged',
      ...(p.message ? { message: p.message } : {}),
    };
  }
  if (options.dryRun) {
    try {
      await p.run();
      return { actionId: a.id, outcome: 'applied', dryRun: true, message: `would: ${p.describe}` };
    } catch (e) {
      return { ...failed(a, e), dryRun: true };
    }
  }
  let op: string;
  try {
    op = await env.journal.intent(a, p.undo, options.releaseOf);
  } catch (e) {
    return failed(a, e instanceof JournalError ? e : new JournalError(String(e), {}, e));
  }
  try {
    const message = (await p.run()) ?? p.describe;
    await env.journal.done(op, message);
    return { actionId: a.id, outcome: 'applied', message };
  } catch (e) {
    const result = failed(a, e);
    try {
      await env.journal.failed(op, result.code ?? 'VMPATH_E_COMMAND_FAILED', result.message ?? '');
    } catch (je) {
      return failed(a, je);
    }
    return result;
  }
}
