/**
 * Timers on simulated time: the Controller's poll/rebalance/backoff timers fire when the simulated
 * clock passes them, so a demo at 10× speed polls 10× as often in real time, as a real host would
 * in simulated time.
 */
import type { Timers } from '../../loop/work-queue';

interface Pending {
  readonly at: number;
  readonly fn: () => void;
  readonly id: number;
}

export class SimTimers implements Timers {
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(private readonly nowMs: () => number) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ at: this.nowMs() + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Fire every timer due by now (in due order). */
  fireDue(): void {
    const now = this.nowMs();
    const due = this.pending.filter((p) => p.at <= now).sort((a, b) => a.at - b.at || a.id - b.id);
    if (due.length === 0) return;
    const ids = new Set(due.map((d) => d.id));
    this.pending = this.pending.filter((p) => !ids.has(p.id));
    for (const d of due) d.fn();
  }
}
