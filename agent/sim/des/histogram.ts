/**
 * Fixed-memory latency histogram: log-spaced buckets from 1 µs to ~1000 s with 64 buckets per
 * decade (relative error of a reported quantile < 4 %). Memory does not grow with I/O count.
 */
const PER_DECADE = 64;
const MIN_MS = 0.001;
const DECADES = 9;
const BUCKETS = PER_DECADE * DECADES + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private maxMs = 0;

  add(ms: number): void {
    const b = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log10(ms / MIN_MS) * PER_DECADE));
    this.counts[b] = (this.counts[b] as number) + 1;
    this.n++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.n;
  }

  /** The q-quantile (0..1) in ms: the upper edge of the bucket holding it (0 when empty). */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const want = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b] as number;
      if (seen >= want) return Math.min(this.maxMs, MIN_MS * 10 ** (b / PER_DECADE));
    }
    return this.maxMs;
  }
}
