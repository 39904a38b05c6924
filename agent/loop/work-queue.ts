/**
 * A keyed, coalescing work queue (controller-runtime style). Events only enqueue a key; one worker
 * drains the queue; a key enqueued while it is queued is merged, and one enqueued while it is being
 * processed runs once more afterwards. `addAfter` schedules a key (requeueAfter, retries).
 */
export type QueueKey = string;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class WorkQueue {
  private readonly queued = new Set<QueueKey>();
  private readonly delayed = new Map<QueueKey, unknown>();
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly timers: Timers = realTimers) {}

  add(key: QueueKey): void {
    if (this.closed) return;
    this.queued.add(key);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Enqueue after a delay; an earlier pending delay for the same key is kept (soonest wins). */
  addAfter(key: QueueKey, delayMs: number): void {
    if (this.closed || this.delayed.has(key)) return;
    const handle = this.timers.setTimeout(
      () => {
        this.delayed.delete(key);
        this.add(key);
      },
      Math.max(0, delayMs),
    );
    this.delayed.set(key, handle);
  }

  get length(): number {
    return this.queued.size;
  }

  /** Take every queued key at once (a reconcile is host-wide; keys say why). Resolves [] when closed. */
  async takeAll(): Promise<QueueKey[]> {
    while (this.queued.size === 0 && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    const keys = [...this.queued].sort();
    this.queued.clear();
    return keys;
  }

  close(): void {
    this.closed = true;
    for (const h of this.delayed.values()) this.timers.clearTimeout(h);
    this.delayed.clear();
    for (const w of this.waiters) w();
    this.waiters = [];
  }
}
