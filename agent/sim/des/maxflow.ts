/**
 * Dinic's max-flow on real-valued capacities (small graphs: VMs + paths). Used by the ideal
 * allocator to test whether a vector of VM rates can be routed over the VM–path graph.
 */
const EPS = 1e-9;

export class FlowGraph {
  private readonly head: number[];
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly next: number[] = [];
  private level: Int32Array;
  private it: number[];

  constructor(readonly n: number) {
    this.head = new Array<number>(n).fill(-1);
    this.level = new Int32Array(n);
    this.it = new Array<number>(n).fill(-1);
  }

  /** Add edge u→v; returns its index (the reverse edge is index ^ 1). */
  addEdge(u: number, v: number, c: number): number {
    const e = this.to.length;
    this.to.push(v, u);
    this.cap.push(c, 0);
    this.next.push(this.head[u] as number, this.head[v] as number);
    this.head[u] = e;
    this.head[v] = e + 1;
    return e;
  }

  setCap(e: number, c: number): void {
    this.cap[e] = c;
    this.cap[e ^ 1] = 0;
  }

  /** Reset flows: every forward edge back to `caps[e]` (the caller's capacities). */
  flowOn(e: number): number {
    return this.cap[e ^ 1] as number;
  }

  private bfs(s: number, t: number): boolean {
    this.level.fill(-1);
    const q = [s];
    this.level[s] = 0;
    for (let qi = 0; qi < q.length; qi++) {
      const u = q[qi] as number;
      for (let e = this.head[u] as number; e >= 0; e = this.next[e] as number) {
        const v = this.to[e] as number;
        if ((this.cap[e] as number) > EPS && (this.level[v] as number) < 0) {
          this.level[v] = (this.level[u] as number) + 1;
          q.push(v);
        }
      }
    }
    return (this.level[t] as number) >= 0;
  }

  private dfs(u: number, t: number, f: number): number {
    if (u === t) return f;
    for (; (this.it[u] as number) >= 0; this.it[u] = this.next[this.it[u] as number] as number) {
      const e = this.it[u] as number;
      const v = this.to[e] as number;
      const c = this.cap[e] as number;
      if (c > EPS && (this.level[v] as number) === (this.level[u] as number) + 1) {
        const d = this.dfs(v, t, Math.min(f, c));
        if (d > EPS) {
          this.cap[e] = c - d;
          this.cap[e ^ 1] = (this.cap[e ^ 1] as number) + d;
          return d;
        }
      }
    }
    return 0;
  }

  maxflow(s: number, t: number): number {
    let flow = 0;
    while (this.bfs(s, t)) {
      this.it = [...this.head];
      for (;;) {
        const f = this.dfs(s, t, Infinity);
        if (f <= EPS) break;
        flow += f;
      }
    }
    return flow;
  }

  /** Nodes that can still reach `t` in the residual graph (after maxflow). */
  canReach(t: number): Uint8Array {
    const out = new Uint8Array(this.n);
    out[t] = 1;
    const q = [t];
    for (let qi = 0; qi < q.length; qi++) {
      const v = q[qi] as number;
      // u can reach v if edge u→v has residual capacity: look at edges into v via reverse edges.
      for (let e = this.head[v] as number; e >= 0; e = this.next[e] as number) {
        const u = this.to[e] as number;
        if (!out[u] && (this.cap[e ^ 1] as number) > EPS) {
          out[u] = 1;
          q.push(u);
        }
      }
    }
    return out;
  }
}
