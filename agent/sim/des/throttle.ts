/**
 * cgroup-like I/O limits (io.max rbps/wbps/riops/wiops) as token buckets in virtual-scheduling
 * form (GCRA): each I/O reserves its cost at the bucket's rate; it may start once the bucket's
 * theoretical arrival time is within `burstMs` of now. Over any window longer than burstMs the
 * admitted rate is at most the limit (+ one burst).
 */
import type { CgroupIoLimit } from '../../model/plan';

export interface TokenBucket {
  readonly limit: CgroupIoLimit;
  /** Theoretical arrival time per dimension, ms: rbps, wbps, riops, wiops. */
  readonly tat: Float64Array;
}

/** Burst tolerance: the admitted amount may run ahead of the rate by this much time. */
export const BURST_MS = 5;

export function newBucket(limit: CgroupIoLimit): TokenBucket {
  return { limit, tat: new Float64Array(4) };
}

/** Reserve an I/O; returns the earliest time (ms) it may start (>= now). */
export function admit(b: TokenBucket, nowMs: number, bytes: number, read: boolean): number {
  const l = b.limit;
  let at = nowMs;
  at = Math.max(at, reserve(b, read ? 0 : 1, read ? l.rbps : l.wbps, bytes, nowMs));
  at = Math.max(at, reserve(b, read ? 2 : 3, read ? l.riops : l.wiops, 1, nowMs));
  return at;
}

function reserve(b: TokenBucket, i: number, perS: number | undefined, cost: number, nowMs: number): number {
  if (perS === undefined || perS <= 0) return nowMs;
  const tat = Math.max(b.tat[i] as number, nowMs - BURST_MS);
  const start = Math.max(nowMs, tat);
  b.tat[i] = tat + (cost * 1000) / perS;
  return start;
}
