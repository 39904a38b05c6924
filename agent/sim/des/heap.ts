/**
 * A binary min-heap ordered by (key, seq): equal keys pop in insertion order, so the simulator
 * is deterministic. Used for the event queue and for weighted fair queues at paths.
 */
export interface HeapItem {
  key: number;
  seq: number;
}

export class MinHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p] as T;
      if (parent.key < item.key || (parent.key === item.key && parent.seq < item.seq)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      const lv = a[l] as T;
      if (r < n) {
        const rv = a[r] as T;
        if (rv.key < lv.key || (rv.key === lv.key && rv.seq < lv.seq)) c = r;
      }
      const cv = a[c] as T;
      if (last.key < cv.key || (last.key === cv.key && last.seq < cv.seq)) break;
      a[i] = cv;
      i = c;
    }
    a[i] = last;
    return top;
  }

  /** Remove and return every item (unordered). */
  drain(): T[] {
    return this.items.splice(0, this.items.length);
  }
}
