/**
 * Bounded retries with exponential backoff for retryable VmpathErrors (QMP busy, API 5xx, ...).
 * Terminal errors and non-vmpath errors are thrown at once. A VmControl wrapper applies it to
 * every call.
 */
import { VmpathError } from '../../model/errors';
import type { VmControl, VmRef } from '../../model/seams';

export interface RetryPolicy {
  /** Total attempts including the first (default 4). */
  readonly attempts?: number;
  /** First delay, doubled each time, capped by maxDelayMs (defaults 200 / 2000 ms). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const attempts = Math.max(1, policy.attempts ?? 4);
  const sleep = policy.sleep ?? realSleep;
  let delay = policy.baseDelayMs ?? 200;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof VmpathError) || !e.retryable || i >= attempts) throw e;
      await sleep(delay);
      delay = Math.min(delay * 2, policy.maxDelayMs ?? 2000);
    }
  }
}

export class RetryingVmControl implements VmControl {
  constructor(
    private readonly inner: VmControl,
    private readonly policy: RetryPolicy = {},
  ) {}
  status(vm: VmRef) {
    return withRetry(() => this.inner.status(vm), this.policy);
  }
  pause(vm: VmRef) {
    return withRetry(() => this.inner.pause(vm), this.policy);
  }
  resume(vm: VmRef) {
    return withRetry(() => this.inner.resume(vm), this.policy);
  }
  /** Not retried: a migration request that timed out may have started; the caller re-checks. */
  migrate(vm: VmRef, target: string) {
    return this.inner.migrate(vm, target);
  }
  kill(vm: VmRef) {
    return withRetry(() => this.inner.kill(vm), this.policy);
  }
}
