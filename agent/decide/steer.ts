/**
 * EngineConfig.perVmMaps `'steer'`: which paths VMs on shared LUNs leave to VMs that depend on them.
 *
 * A VM whose own map confines it to part of the map's usable paths — a failover-grouped LUN (one
 * path per group: the VM uses one path at a time), or a pinned VM on a multi-group map — cannot
 * go elsewhere. A VM on a shared LUN with its own per-VM map can use any of the LUN's paths. So
 * decide first places the VMs on their own maps (`claim`), then lets the per-VM maps of shared
 * LUNs use a confined VM's path only while that VM keeps its share of it (water-filling by shares,
 * everyone assumed backlogged — decide has no demand figures). Per physical path p confined VMs use:
 *
 *   λ     = usable capacity of the physical paths their maps reach / shares of every VM using them
 *   E_p   = min(C_p, Σ λ · s_dep / n_dep)   (their share-proportional entitlement on p; n = paths each uses)
 *   room_p = Σ s_dep · (C_p / E_p − 1)
 *
 * With weighted fair queueing at the path (io.weight), the dependents keep a weight fraction
 * ≥ E_p / C_p as long as the shares of the VMs vmpath places on p fit in room_p. A VM being placed may
 * use p while its shares fit in the remaining room (they are then taken from it: `take`);
 * otherwise p is left to the dependents. Processing order is decide's (priority, then id), so the
 * result is deterministic; it changes only when confined VMs move, paths fail or return, or
 * shares change — each already damped by hold-down and the confined VMs' own hysteresis.
 */
import type { MultipathMap } from '../model/snapshot';
import type { Topology } from './topology';
import { physicalPath, usablePaths } from './topology';
import type { EngineConfig } from './types';

interface PathClaim {
  /** Confined VMs on this physical path, in placement order. */
  readonly vms: string[];
  /** Σ of their shares (their weight at the path's fair queue). */
  weight: number;
  /** Σ of their entitlements on this path, MB/s (capped at the capacity when the room is computed). */
  entitledMBps: number;
  readonly capacityMBps: number;
  /** Shares other VMs may still add on this path. */
  room: number;
}

export interface SteerBook {
  readonly claims: Map<string, PathClaim>;
  /** λ per set of physical paths (many confined VMs' maps reach the same ports). */
  readonly levels: Map<string, number>;
}

export const newSteerBook = (): SteerBook => ({ claims: new Map(), levels: new Map() });

/** λ: MB/s per share over the usable physical paths `map` reaches, every VM using them counted. */
function waterLevel(
  book: SteerBook,
  topo: Topology,
  cfg: EngineConfig,
  shares: ReadonlyMap<string, number>,
  map: MultipathMap,
): number {
  const scope = new Map<string, number>(); // physical path → capacity
  for (const p of usablePaths(topo, map)) scope.set(physicalPath(topo, p.dev), capacityOf(topo, cfg, p.dev));
  const key = [...scope.keys()].sort().join('\u0000');
  const hit = book.levels.get(key);
  if (hit !== undefined) return hit;
  const byPhys = usersByPhysical(topo);
  const vms = new Set<string>();
  let capacity = 0;
  for (const [phys, c] of scope) {
    capacity += c;
    for (const id of byPhys.get(phys) ?? []) vms.add(id);
  }
  let total = 0;
  for (const id of vms) total += shares.get(id) ?? 0;
  const level = total > 0 ? capacity / total : 0;
  book.levels.set(key, level);
  return level;
}

function capacityOf(topo: Topology, cfg: EngineConfig, dev: string): number {
  return topo.devices.get(dev)?.capacityMBps ?? cfg.defaultPathCapacityMBps;
}

/** Physical path → ids of VMs with a disk on a map through it (built once per plan, steer mode only). */
const usersMemo = new WeakMap<Topology, Map<string, Set<string>>>();
function usersByPhysical(topo: Topology): Map<string, Set<string>> {
  let out = usersMemo.get(topo);
  if (out) return out;
  out = new Map();
  for (const [name, vmIds] of topo.usersByMap) {
    const map = topo.maps.get(name);
    if (!map) continue;
    for (const g of map.groups)
      for (const p of g.paths) {
        const phys = physicalPath(topo, p.dev);
        let s = out.get(phys);
        if (!s) out.set(phys, (s = new Set()));
        for (const id of vmIds) s.add(id);
      }
  }
  usersMemo.set(topo, out);
  return out;
}

/**
 * Record that `vmId` (with `shares`) is confined to `paths` of its own `map` (fewer than the map's
 * usable paths). Call for every confined VM before `seal`.
 */
export function claim(
  book: SteerBook,
  topo: Topology,
  cfg: EngineConfig,
  shares: ReadonlyMap<string, number>,
  vmId: string,
  map: MultipathMap,
  paths: readonly string[],
): void {
  if (paths.length === 0) return;
  const level = waterLevel(book, topo, cfg, shares, map);
  const s = shares.get(vmId) ?? 0;
  for (const dev of paths) {
    const phys = physicalPath(topo, dev);
    let c = book.claims.get(phys);
    if (!c)
      book.claims.set(
        phys,
        (c = { vms: [], weight: 0, entitledMBps: 0, capacityMBps: capacityOf(topo, cfg, dev), room: 0 }),
      );
    if (!c.vms.includes(vmId)) c.vms.push(vmId);
    c.weight += s;
    c.entitledMBps += (level * s) / paths.length;
  }
}

/**
 * After every claim: each claimed path's room. VMs vmpath cannot steer (a VM on its own multibus
 * map) are not counted: the kernel's selector of their map moves their I/O away from a busy path,
 * and counting their full weight starved VMs that vmpath moves off instead (an open-loop VM left
 * with less than its demand queues for hundreds of ms).
 */
export function seal(book: SteerBook): void {
  for (const c of book.claims.values()) {
    const e = Math.min(c.capacityMBps, c.entitledMBps);
    c.room = e <= 0 ? Infinity : Math.max(0, c.weight * (c.capacityMBps / e - 1));
  }
}

/** Why `dev` is left to the VMs confined to it for a VM with `shares`; undefined: it may use it. */
export function leftTo(book: SteerBook, topo: Topology, dev: string, shares: number): string | undefined {
  const c = book.claims.get(physicalPath(topo, dev));
  if (!c || shares <= c.room) return undefined;
  const e = Math.min(c.capacityMBps, c.entitledMBps);
  return (
    `path ${dev} left to vm ${c.vms.join(',')} (confined to it by its own map; ` +
    `entitled to ${Math.round(e)} of its ${Math.round(c.capacityMBps)} MB/s by shares, ` +
    `room for ${Math.floor(c.room)} more shares)`
  );
}

/** A VM with `shares` now uses `devs`: take its shares from the room of claimed paths. */
export function take(book: SteerBook, topo: Topology, devs: readonly string[], shares: number): void {
  for (const dev of devs) {
    const c = book.claims.get(physicalPath(topo, dev));
    if (c && c.room !== Infinity) c.room = Math.max(0, c.room - shares);
  }
}

/** Whether a VM on its own map is confined to part of it (it then claims those paths). */
export function confined(topo: Topology, map: MultipathMap, paths: readonly string[]): boolean {
  return paths.length > 0 && paths.length < usablePaths(topo, map).length;
}
