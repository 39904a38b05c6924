/**
 * A binary min-heap ordered by (key, seq): equal keys pop in insertion order, so the simulator
 * is deterministic. Keys and sequence numbers live in typed arrays beside the items, so sifting
 * compares numbers without touching the items (the engine's hottest loop).
 */
export interface HeapItem {
  key: number;
  seq: number;
}

export class MinHeap<T extends HeapItem> {
  private items: T[] = [];
  private keys: Float64Array;
  private seqs: Float64Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.keys = new Float64Array(Math.max(1, capacity));
    this.seqs = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  peek(): T | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  /** Key of the top item (Infinity when empty). */
  topKey(): number {
    return this.n > 0 ? (this.keys[0] as number) : Infinity;
  }

  push(item: T): void {
    if (this.n === this.keys.length) this.grow();
    const keys = this.keys;
    const seqs = this.seqs;
    const items = this.items;
    const k = item.key;
    const q = item.seq;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      if (pk < k || (pk === k && (seqs[p] as number) < q)) break;
      keys[i] = pk;
      seqs[i] = seqs[p] as number;
      items[i] = items[p] as T;
      i = p;
    }
    keys[i] = k;
    seqs[i] = q;
    items[i] = item;
  }

  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const keys = this.keys;
    const seqs = this.seqs;
    const items = this.items;
    const top = items[0] as T;
    const n = --this.n;
    const lk = keys[n] as number;
    const lq = seqs[n] as number;
    const last = items[n] as T;
    (items as (T | undefined)[])[n] = undefined;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ck = keys[l] as number;
      if (r < n) {
        const rk = keys[r] as number;
        if (rk < ck || (rk === ck && (seqs[r] as number) < (seqs[l] as number))) {
          c = r;
          ck = rk;
        }
      }
      if (lk < ck || (lk === ck && lq < (seqs[c] as number))) break;
      keys[i] = ck;
      seqs[i] = seqs[c] as number;
      items[i] = items[c] as T;
      i = c;
    }
    keys[i] = lk;
    seqs[i] = lq;
    items[i] = last;
    return top;
  }

  private grow(): void {
    const k = new Float64Array(this.keys.length * 2);
    k.set(this.keys);
    const q = new Float64Array(this.seqs.length * 2);
    q.set(this.seqs);
    this.keys = k;
    this.seqs = q;
  }
}
