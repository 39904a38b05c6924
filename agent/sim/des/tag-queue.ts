/** A min-heap of I/Os ordered by (tag, tseq): the fair queue in front of a path. */
import type { Io } from './model';

const before = (a: Io, b: Io): boolean => a.tag < b.tag || (a.tag === b.tag && a.tseq < b.tseq);

export class TagQueue {
  private readonly a: Io[] = [];

  get size(): number {
    return this.a.length;
  }

  push(io: Io): void {
    const a = this.a;
    let i = a.length;
    a.push(io);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p] as Io;
      if (!before(io, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = io;
  }

  pop(): Io | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(a[r] as Io, a[l] as Io) ? r : l;
      if (!before(a[c] as Io, last)) break;
      a[i] = a[c] as Io;
      i = c;
    }
    a[i] = last;
    return top;
  }

  drain(): Io[] {
    return this.a.splice(0, this.a.length);
  }
}
