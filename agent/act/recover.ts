/**
 * After a crash: settle every intent the journal has without done/failed, by looking at reality.
 *  - move-lv: `dmsetup resume LV` first, always (the crash may have hit between suspend and
 *    resume: an LV must never stay suspended), then the table says whether the move happened.
 *  - pause-vm: VM paused → done (it is ours: pausedByVmpath, so it is resumed or handed to its
 *    resume policy by the next reconcile); running → failed.
 *  - resume-vm: running → done, else failed (still ours, still tracked).
 *  - kill-vm: VM gone → done. migrate-vm: failed (decide/ re-evaluates; PVE refuses a duplicate).
 *  - everything else: the actuator's own desired-vs-observed check: in effect → done, else failed.
 * The ledger keeps each intent's undo either way, so `vmpath release` can still revert it; the
 * next reconcile re-asserts whatever is still wanted (level-based: finishing needs no replay).
 */
import { asVmpathError } from '../model/errors';
import { dmsetup, SUSPEND_TIMEOUT_MS } from './dm-exec';
import { makeEnv } from './env';
import { prepare } from './execute';
import type { IntentRecord } from './journal-records';
import type { ActContext, ActEnv } from './types';

export interface RecoveryResult {
  readonly op: string;
  readonly actionId: string;
  readonly kind: string;
  readonly settled: 'done' | 'failed';
  readonly message: string;
}

async function inEffect(env: ActEnv, intent: IntentRecord): Promise<{ ok: boolean; message: string }> {
  const a = intent.action;
  switch (a.kind) {
    case 'move-lv': {
      let resumed = 'resumed';
      await dmsetup(env.runner, ['resume', a.lv], SUSPEND_TIMEOUT_MS).catch((e: unknown) => {
        resumed = `resume failed: ${(e as Error).message}`;
      });
      const p = await prepare(env, a);
      return { ok: p.unchanged === true, message: `${a.lv} ${resumed}` };
    }
    case 'pause-vm':
    case 'resume-vm': {
      const state = await env.vmControl.status(await env.vmRef(a.vmId));
      const want = a.kind === 'pause-vm' ? 'paused' : 'running';
      return { ok: state === want, message: `vm ${a.vmId} is ${state}` };
    }
    case 'kill-vm':
      try {
        const state = await env.vmControl.status(await env.vmRef(a.vmId));
        return { ok: false, message: `vm ${a.vmId} still ${state}` };
      } catch (e) {
        return { ok: true, message: `vm ${a.vmId} gone (${asVmpathError(e).code})` };
      }
    case 'migrate-vm':
      return { ok: false, message: `migration of ${a.vmId} unconfirmed: re-decided next reconcile` };
    default: {
      const p = await prepare(env, a);
      return { ok: p.unchanged === true, message: p.unchanged === true ? 'in effect' : 'not in effect' };
    }
  }
}

export async function recoverJournal(ctx: ActContext): Promise<RecoveryResult[]> {
  const { env } = await makeEnv(ctx, false);
  const out: RecoveryResult[] = [];
  for (const intent of ctx.journal.pending()) {
    let verdict: { ok: boolean; message: string };
    try {
      verdict = await inEffect(env, intent);
    } catch (e) {
      const err = asVmpathError(e);
      verdict = { ok: false, message: `could not check: ${err.message} [${err.code}]` };
    }
    if (verdict.ok) await ctx.journal.done(intent.op, `recovered: ${verdict.message}`, true);
    else await ctx.journal.failed(intent.op, 'VMPATH_E_JOURNAL', `recovered: ${verdict.message}`, true);
    out.push({
      op: intent.op,
      actionId: intent.action.id,
      kind: intent.action.kind,
      settled: verdict.ok ? 'done' : 'failed',
      message: verdict.message,
    });
  }
  return out;
}
