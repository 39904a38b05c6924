/**
 * Bandwidth allocation (DESIGN §3.3). Reservations are admitted in priority order onto the paths
 * each VM disk uses, never beyond `reservableFraction` of a path's capacity; what does not fit is
 * degraded or refused with a warning naming the VM and who holds the paths. Limits are written
 * on the device the VM opened (VmDisk.devT): the VM's limit split evenly over its disks, capped
 * at the capacity of the disk's paths, and — when other VMs hold reservations on those paths —
 * at the capacity they leave (that is what makes a reservation real with io.max). Read and
 * write are capped separately; MB = 10^6 bytes.
 */
import type { CgroupIoLimit } from '../model/plan';
import type { IoRate, VmPolicy } from '../model/policy';
import type { PathDevice, Vm } from '../model/snapshot';
import type { Topology } from './topology';
import { physicalPath } from './topology';
import type { EngineConfig } from './types';

export interface DiskAlloc {
  readonly devT: string;
  /** Effective paths of the disk's map for this VM ([] when all paths are down). */
  readonly paths: readonly string[];
}

export interface VmAlloc {
  readonly vm: Vm;
  readonly policy: VmPolicy;
  readonly disks: readonly DiskAlloc[];
}

interface Dim {
  readonly name: 'MBps' | 'Iops';
  readonly rate: readonly [keyof IoRate, keyof IoRate];
  readonly kernel: readonly [keyof CgroupIoLimit, keyof CgroupIoLimit];
  readonly unit: number;
  readonly capacity: (d: PathDevice | undefined, cfg: EngineConfig) => number;
  readonly floor: (cfg: EngineConfig) => number;
}

export const DIMS: readonly Dim[] = [
  {
    name: 'MBps',
    rate: ['readMBps', 'writeMBps'],
    kernel: ['rbps', 'wbps'],
    unit: 1e6,
    capacity: (d, cfg) => d?.capacityMBps ?? cfg.defaultPathCapacityMBps,
    floor: (cfg) => cfg.minLimitMBps,
  },
  {
    name: 'Iops',
    rate: ['readIops', 'writeIops'],
    kernel: ['riops', 'wiops'],
    unit: 1,
    capacity: (d, cfg) => d?.capacityIops ?? cfg.defaultPathCapacityIops,
    floor: (cfg) => cfg.minLimitIops,
  },
];

export interface Grant {
  readonly wanted: number;
  readonly granted: number;
}

export interface BandwidthResult {
  /** vmId → devT → desired limit (null = unlimited). */
  readonly limits: ReadonlyMap<string, ReadonlyMap<string, CgroupIoLimit | null>>;
  /** vmId → dimension → reservation wanted/granted (MB/s or IO/s). */
  readonly grants: ReadonlyMap<string, Readonly<Partial<Record<Dim['name'], Grant>>>>;
  /** physical path (topology.physicalPath) → dimension → vmId → reserved amount. */
  readonly reserved: ReadonlyMap<string, Readonly<Record<Dim['name'], ReadonlyMap<string, number>>>>;
  readonly problems: readonly {
    vmId: string;
    code: 'reservation-degraded' | 'reservation-refused';
    message: string;
  }[];
}

const sum = (xs: Iterable<number>): number => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

const MAX_HOLDERS = 5;
const READ_WRITE = [0, 1] as const;

export function allocate(allocs: readonly VmAlloc[], topo: Topology, cfg: EngineConfig): BandwidthResult {
  const devices = topo.devices;
  const reserved = new Map<string, Record<Dim['name'], Map<string, number>>>();
  const totals = new Map<string, Record<Dim['name'], number>>();
  const ledger = (dev: string): Record<Dim['name'], Map<string, number>> => {
    const key = physicalPath(topo, dev);
    let r = reserved.get(key);
    if (!r) reserved.set(key, (r = { MBps: new Map(), Iops: new Map() }));
    return r;
  };
  /** Sum reserved on a physical path (kept incrementally: the ledger can hold thousands of VMs). */
  const total = (dev: string, dim: Dim['name']): number => totals.get(physicalPath(topo, dev))?.[dim] ?? 0;
  const reserve = (dev: string, dim: Dim['name'], vmId: string, amount: number): void => {
    const m = ledger(dev)[dim];
    m.set(vmId, (m.get(vmId) ?? 0) + amount);
    const key = physicalPath(topo, dev);
    const t = totals.get(key) ?? { MBps: 0, Iops: 0 };
    t[dim] += amount;
    totals.set(key, t);
  };
  const grants = new Map<string, Partial<Record<Dim['name'], Grant>>>();
  const problems: { vmId: string; code: 'reservation-degraded' | 'reservation-refused'; message: string }[] =
    [];

  // 1. admission of reservations, highest priority first (allocs arrive in that order)
  for (const a of allocs) {
    const resv = a.policy.reservation.value;
    if (!resv || a.disks.length === 0) continue;
    const g: Partial<Record<Dim['name'], Grant>> = {};
    for (const dim of DIMS) {
      const wanted = (resv[dim.rate[0]] ?? 0) + (resv[dim.rate[1]] ?? 0);
      if (wanted <= 0) continue;
      const need = wanted / a.disks.length;
      let granted = 0;
      const full: string[] = [];
      for (const disk of a.disks) {
        const avail = disk.paths.map((p) => {
          const cap = dim.capacity(devices.get(p), cfg) * cfg.reservableFraction;
          return Math.max(0, cap - total(p, dim.name));
        });
        const free = sum(avail);
        const take = Math.min(need, free);
        disk.paths.forEach((p, i) => {
          const part = free > 0 ? (take * (avail[i] as number)) / free : 0;
          if (part > 0) reserve(p, dim.name, a.vm.id, part);
          if ((avail[i] as number) - part <= 1e-9) full.push(p);
        });
        granted += take;
      }
      g[dim.name] = { wanted, granted };
      if (granted < wanted - 1e-6) {
        // name up to MAX_HOLDERS of the VMs holding these paths (the list can be thousands long)
        const holders = new Set<string>();
        let more = 0;
        for (const p of new Set(full))
          for (const [id] of ledger(p)[dim.name]) {
            if (id === a.vm.id || holders.has(id)) continue;
            if (holders.size < MAX_HOLDERS) holders.add(id);
            else more++;
            if (more > 0) break;
          }
        const why =
          a.disks.some((d) => d.paths.length === 0) && full.length === 0
            ? 'some disks have no usable path'
            : `paths ${[...new Set(full)].sort().join(',') || '(none)'} have no reservable ${dim.name} left` +
              (holders.size
                ? ` (reserved by vm ${[...holders].sort().join(', vm ')}${more ? ' and others' : ''})`
                : '');
        problems.push({
          vmId: a.vm.id,
          code: granted > 0 ? 'reservation-degraded' : 'reservation-refused',
          message:
            `vm ${a.vm.id} (priority ${a.policy.priority.value}): reservation ${round(wanted)} ${dim.name} ` +
            (granted > 0 ? `degraded to ${round(granted)}` : 'refused') +
            `: ${why}`,
        });
      }
    }
    grants.set(a.vm.id, g);
  }

  // 2. limits per disk
  const limits = new Map<string, Map<string, CgroupIoLimit | null>>();
  for (const a of allocs) {
    const perDisk = new Map<string, CgroupIoLimit | null>();
    const limit = a.policy.limit.value;
    const n = a.disks.length;
    for (const disk of a.disks) {
      if (!limit && totals.size === 0) {
        perDisk.set(disk.devT, null); // nothing to cap: no limit, nobody reserves
        continue;
      }
      const out: Record<string, number> = {};
      for (const dim of DIMS) {
        let pathCap = 0;
        for (const p of disk.paths) pathCap += dim.capacity(devices.get(p), cfg);
        let others = 0;
        if (totals.size > 0)
          for (const p of disk.paths) {
            const t = total(p, dim.name);
            if (t > 0) others += t - (reserved.get(physicalPath(topo, p))?.[dim.name].get(a.vm.id) ?? 0);
          }
        for (const i of READ_WRITE) {
          const policyValue = limit?.[dim.rate[i]];
          let v: number | undefined;
          if (policyValue !== undefined) {
            v = (policyValue * dim.unit) / n;
            if (disk.paths.length) v = Math.min(v, pathCap * dim.unit);
          }
          if (others > 0) {
            const headroom = Math.max((pathCap - others) * dim.unit, dim.floor(cfg) * dim.unit);
            v = v === undefined ? headroom : Math.min(v, headroom);
          }
          if (v !== undefined) out[dim.kernel[i]] = Math.max(1, Math.floor(v));
        }
      }
      perDisk.set(disk.devT, Object.keys(out).length ? (out as CgroupIoLimit) : null);
    }
    limits.set(a.vm.id, perDisk);
  }
  return { limits, grants, reserved, problems };
}

function round(x: number): string {
  return String(Math.round(x * 10) / 10);
}

const LIMIT_KEYS: readonly (keyof CgroupIoLimit)[] = ['rbps', 'wbps', 'riops', 'wiops'];

export function normalizeLimit(l: CgroupIoLimit | null | undefined): CgroupIoLimit | null {
  if (!l) return null;
  const out: Record<string, number> = {};
  for (const k of LIMIT_KEYS) if (l[k] !== undefined) out[k] = l[k] as number;
  return Object.keys(out).length ? (out as CgroupIoLimit) : null;
}

export function sameLimit(a: CgroupIoLimit | null | undefined, b: CgroupIoLimit | null | undefined): boolean {
  const x = normalizeLimit(a);
  const y = normalizeLimit(b);
  if (x === null || y === null) return x === y;
  return LIMIT_KEYS.every((k) => x[k] === y[k]);
}

/**
 * Bound the increase from the observed limit to at most +fraction per reconcile (per key, only
 * where both are finite). Decreases apply at once: a VM's limit and others' reservations hold
 * at every step. Returns the stepped limit and whether it was bounded.
 */
export function stepLimit(
  observed: CgroupIoLimit | null,
  desired: CgroupIoLimit | null,
  fraction: number,
): { limit: CgroupIoLimit | null; bounded: boolean } {
  if (!observed || !desired || !Number.isFinite(fraction)) return { limit: desired, bounded: false };
  const out: Record<string, number> = {};
  let bounded = false;
  for (const k of LIMIT_KEYS) {
    const d = desired[k];
    const o = observed[k];
    if (d === undefined) continue;
    if (o === undefined) {
      out[k] = d;
      continue;
    }
    const hi = Math.max(o + 1, Math.floor(o * (1 + fraction)));
    const v = Math.min(d, hi);
    if (v !== d) bounded = true;
    out[k] = v;
  }
  return { limit: Object.keys(out).length ? (out as CgroupIoLimit) : null, bounded };
}
