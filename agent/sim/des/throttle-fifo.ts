/**
 * The queue of I/Os a disk's io.max is holding back, one per (disk, direction), as blk-throttle
 * keeps one FIFO of bios per cgroup and direction. Release times (`due`) never decrease along a
 * FIFO: an I/O admitted later by the token buckets (throttle.ts) waits behind the ones already
 * held (only a limit change can make a later I/O's own start earlier). The engine keeps one heap
 * event per non-empty FIFO, at its head's release time, instead of one per held I/O.
 */
import type { Io } from './model';

export class ThrottleFifo {
  private items: Io[] = [];
  private head = 0;

  constructor(
    /** Index of this FIFO in the engine's list (its release event's ref). */
    readonly idx: number,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Release time of the last held I/O (-Infinity when empty). */
  tailDue(): number {
    const n = this.items.length;
    return n > this.head ? (this.items[n - 1] as Io).due : -Infinity;
  }

  /** Release time of the first held I/O (Infinity when empty). */
  headDue(): number {
    return this.items.length > this.head ? (this.items[this.head] as Io).due : Infinity;
  }

  push(io: Io): void {
    this.items.push(io);
  }

  shift(): Io | undefined {
    if (this.head >= this.items.length) return undefined;
    const io = this.items[this.head] as Io;
    (this.items as (Io | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return io;
  }
}
