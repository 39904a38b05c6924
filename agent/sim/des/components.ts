/**
 * Independent parts of a simulated host. Two VMs interact only through a path they can both
 * reach (its server and queue) or a map they share; LUNs join their paths, VM disks join VMs to
 * LUNs. The connected components of that graph never touch each other's state, so between two
 * global events (path faults, vmpath's reconciles) each can be simulated on its own event queue
 * for a whole window — the same events in the same order, with its working set hot in cache
 * (scheduler.ts). Component numbers follow the first LUN of each component (deterministic).
 */
import type { Scenario } from './scenario';

export interface Components {
  readonly count: number;
  /** Component of each LUN, VM and path (a path no LUN reaches gets one of its own). */
  readonly lun: Int32Array;
  readonly vm: Int32Array;
  readonly path: Int32Array;
  /** Each VM's index among its component's VMs, and how many VMs each component has. */
  readonly vmLocal: Int32Array;
  readonly vmCount: Int32Array;
}

/** `single`: everything in component 0 (when a listener may react with no delay). */
export function components(s: Scenario, single = false): Components {
  const np = s.paths.length;
  const nl = s.luns.length;
  // union-find over paths (0..np-1) and LUNs (np..np+nl-1)
  const parent = Int32Array.from({ length: np + nl }, (_, i) => i);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  if (single) for (let i = 1; i < np + nl; i++) union(0, i);
  const pathIdx = new Map(s.paths.map((p, i) => [p.id, i]));
  const lunIdx = new Map(s.luns.map((l, i) => [l.wwid, i]));
  s.luns.forEach((l, li) => {
    for (const id of l.paths) union(np + li, pathIdx.get(id) as number);
  });
  for (const vm of s.vms) {
    const [first, ...rest] = vm.disks.map((w) => np + (lunIdx.get(w) as number));
    for (const d of rest) union(first as number, d);
  }
  // number the roots in LUN order, then paths no LUN reaches
  const number = new Map<number, number>();
  const id = (x: number): number => {
    const r = find(x);
    let c = number.get(r);
    if (c === undefined) number.set(r, (c = number.size));
    return c;
  };
  const lun = Int32Array.from({ length: nl }, (_, li) => id(np + li));
  const path = Int32Array.from({ length: np }, (_, p) => id(p));
  const vm = Int32Array.from(s.vms, (v) => lun[lunIdx.get(v.disks[0] as string) as number] as number);
  const vmCount = new Int32Array(number.size);
  const vmLocal = Int32Array.from(vm, (c) => (vmCount[c] = (vmCount[c] as number) + 1) - 1);
  return { count: number.size, lun, vm, path, vmLocal, vmCount };
}
