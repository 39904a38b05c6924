/**
 * The engine's event queues: one per independent component of the host (components.ts) and
 * one for global events (path faults from the scenario, vmpath's loop), which may touch any
 * component. Time advances in windows that end at the next global event, or sooner when the
 * caller says so (`maxWindowMs`: vmpath reacts to a path uevent after a delay, so while a
 * uevent is possible a window is at most that delay long and the reaction it schedules always
 * lands after the window — see settled.ts). Within a window every component runs its own events
 * in (time, sequence) order; components share no state, so this is the same simulation as one
 * global queue, with each component's working set hot in cache and small heaps (about 3× faster
 * on the 300-VM scale scenario than one heap of everything). Ties: a component's event at
 * exactly a global event's time runs after it.
 */
import type { HeapItem } from './heap';
import { MinHeap } from './heap';

export class Scheduler<T extends HeapItem> {
  readonly global = new MinHeap<T>();
  readonly local: MinHeap<T>[];
  private seq = 0;

  constructor(components: number) {
    this.local = Array.from({ length: components }, () => new MinHeap<T>(64));
  }

  /** Schedule `item` at `t` on component `c` (-1: global). */
  push(c: number, item: T, t: number): void {
    item.key = t;
    item.seq = this.seq++;
    (c < 0 ? this.global : (this.local[c] as MinHeap<T>)).push(item);
  }

  /** A fresh sequence number (tie-breaks elsewhere, e.g. fair queueing). */
  nextSeq(): number {
    return this.seq++;
  }

  /**
   * Run every event with time ≤ endMs. `dispatch(item)` is called with the item's time already
   * set through `setNow`.
   */
  run(
    endMs: number,
    /** Longest window from now (ms), asked at the start of each window. */
    maxWindowMs: () => number,
    setNow: (t: number) => void,
    dispatch: (item: T) => void,
  ): void {
    let now = 0;
    for (;;) {
      const w = Math.min(this.global.topKey(), now + maxWindowMs(), endMs);
      const final = w === endMs;
      for (const h of this.local) {
        for (;;) {
          const k = h.topKey();
          // a global event scheduled from inside the window (never earlier than w unless
          // everything is one component) also stops the component before it
          if (!(k < this.global.topKey() && (k < w || (final && k <= w)))) break;
          const item = h.pop() as T;
          setNow(k);
          dispatch(item);
        }
      }
      const g = this.global.topKey();
      if (g <= w) {
        now = g;
        setNow(g);
        dispatch(this.global.pop() as T);
      } else if (final) return;
      else {
        now = w;
        setNow(w);
      }
    }
  }
}
