/**
 * One reconcile: observe → decide → act, level-based. It never looks at which event woke it: the
 * keys are only recorded for logs. Failures are contained: a failed observe or act is reported in
 * the result and the loop goes on (with backoff for retryable errors).
 */
import type { HostSnapshot } from '../model/snapshot';
import type { Plan, ActionResult } from '../model/plan';
import type { AgentMemory } from '../model/memory';
import { asVmpathError } from '../model/errors';

export interface ReconcileDeps {
  observe(): Promise<HostSnapshot>;
  decide(snapshot: HostSnapshot, memory: AgentMemory, nowMs: number): Plan;
  /** Executes the plan (or records it in observe-only / dry-run mode). */
  apply(plan: Plan, snapshot: HostSnapshot): Promise<readonly ActionResult[]>;
  /** Memory as of now (journal-backed in the agent). */
  memory(): AgentMemory;
  /** Called after act with what happened, to update memory. */
  remember(snapshot: HostSnapshot, plan: Plan, results: readonly ActionResult[], nowMs: number): void;
  nowMs(): number;
}

export interface ReconcileResult {
  readonly startedMs: number;
  readonly finishedMs: number;
  readonly keys: readonly string[];
  readonly snapshot?: HostSnapshot;
  readonly plan?: Plan;
  readonly results: readonly ActionResult[];
  readonly error?: { code: string; message: string; retryable: boolean };
}

export async function reconcileOnce(deps: ReconcileDeps, keys: readonly string[]): Promise<ReconcileResult> {
  const startedMs = deps.nowMs();
  let snapshot: HostSnapshot | undefined;
  let plan: Plan | undefined;
  try {
    snapshot = await deps.observe();
    plan = deps.decide(snapshot, deps.memory(), deps.nowMs());
    const results = await deps.apply(plan, snapshot);
    deps.remember(snapshot, plan, results, deps.nowMs());
    return { startedMs, finishedMs: deps.nowMs(), keys, snapshot, plan, results };
  } catch (e) {
    const err = asVmpathError(e);
    return {
      startedMs,
      finishedMs: deps.nowMs(),
      keys,
      ...(snapshot ? { snapshot } : {}),
      ...(plan ? { plan } : {}),
      results: [],
      error: { code: err.code, message: err.message, retryable: err.retryable },
    };
  }
}
