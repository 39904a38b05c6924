/**
 * The kernel's dm-multipath path selectors, written from their documented algorithms
 * (drivers/md/dm-*.c and Documentation/admin-guide/device-mapper/), per map and per path group:
 * - round-robin: cycle through the group's valid paths (repeat_count > 1 is deprecated upstream
 *   and treated as 1);
 * - queue-length: the valid path with the fewest I/Os in flight, after rotating the list head
 *   so ties spread;
 * - service-time: the valid path with the least (in-flight bytes + this I/O) / relative
 *   throughput, with the kernel's tie rules (equal rt → smaller size; equal size → larger rt);
 * - historical-service-time: an EWMA of each path's service time; estimate = EWMA ×
 *   (outstanding + 1), smallest wins; unused paths (EWMA 0) are probed first.
 * In-flight counts are the selector's own: per map, from dispatch to completion (as in the kernel),
 * so two maps over the same path devices do not see each other's load.
 */
export type KernelSelector = 'round-robin' | 'queue-length' | 'service-time' | 'historical-service-time';

export const KERNEL_SELECTORS: readonly KernelSelector[] = [
  'round-robin',
  'queue-length',
  'service-time',
  'historical-service-time',
];

/** Per (map, path) selector state. */
export interface SelPath {
  active: boolean;
  inflight: number;
  inflightBytes: number;
  /** service-time relative_throughput (0..100; multipathd's default 1). */
  rt: number;
  /** historical-service-time EWMA of dispatch→completion time, ms (0 = no sample yet). */
  hstMs: number;
}

/** EWMA weight of the previous value for historical-service-time. */
export const HST_WEIGHT = 0.9;

/**
 * Choose one of `members` (indexes into `paths`) for an I/O of `bytes`; -1 when none is valid.
 * `cursor` is the group's rotation state; the new value is written to `state.cursor`.
 */
export function selectPath(
  kind: KernelSelector,
  paths: readonly SelPath[],
  members: readonly number[],
  state: { cursor: number },
  bytes: number,
  /** Every path of the group has the same relative throughput (what the engine's maps have). */
  uniformRt = false,
): number {
  const n = members.length;
  if (n === 0) return -1;
  const start = state.cursor % n;
  state.cursor = (start + 1) % n;
  // One loop per selector (this runs once per simulated I/O): candidates in rotation order
  // from `start`; a candidate replaces the best only if strictly better.
  if (kind === 'round-robin') {
    for (let k = 0, i = start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const idx = members[i] as number;
      if (!(paths[idx] as SelPath).active) continue;
      state.cursor = i + 1 === n ? 0 : i + 1;
      return idx;
    }
    return -1;
  }
  let best = -1;
  let bestP: SelPath | undefined;
  const st = kind === 'service-time';
  const ql = kind === 'queue-length';
  for (let k = 0, i = start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
    const idx = members[i] as number;
    const p = paths[idx] as SelPath;
    if (!p.active) continue;
    if (
      bestP === undefined ||
      // the usual cases inline: service-time with equal relative throughput, queue-length
      (st && p.rt === bestP.rt
        ? p.inflightBytes < bestP.inflightBytes
        : ql
          ? p.inflight < bestP.inflight
          : better(kind, p, bestP, bytes))
    ) {
      best = idx;
      bestP = p;
      // nothing is strictly better than an idle path (service-time only when rt is uniform)
      if ((ql && p.inflight === 0) || (st && uniformRt && p.inflightBytes === 0)) break;
    }
  }
  return best;
}

function better(kind: KernelSelector, a: SelPath, b: SelPath, bytes: number): boolean {
  if (kind === 'service-time') {
    if (a.rt === b.rt) return a.inflightBytes < b.inflightBytes;
    const sa = a.inflightBytes + bytes;
    const sb = b.inflightBytes + bytes;
    if (sa === sb || a.rt === 0 || b.rt === 0) return a.rt > b.rt;
    return sa * b.rt < sb * a.rt;
  }
  if (kind === 'queue-length') return a.inflight < b.inflight;
  // historical-service-time
  if (a.hstMs === 0 || b.hstMs === 0) {
    if (a.hstMs === 0 && b.hstMs === 0) return a.inflight < b.inflight;
    return a.hstMs === 0 && a.inflight === 0;
  }
  return a.hstMs * (a.inflight + 1) < b.hstMs * (b.inflight + 1);
}

/** Feed a completed I/O's dispatch→completion time into historical-service-time's EWMA. */
export function hstSample(p: SelPath, ms: number): void {
  p.hstMs = p.hstMs === 0 ? ms : p.hstMs * HST_WEIGHT + ms * (1 - HST_WEIGHT);
}
