/**
 * Per-path limits (DESIGN §3.3): request-based dm-multipath ignores io.max on its path devices,
 * a bio-based map honours it. So only for a VM on its own bio-mode per-VM map
 * (EngineConfig.perVmMaps `pinned-or-limited` with a limit or reservation) the disk limit on
 * that map is also split over the VM's paths, in proportion to path capacity and never above
 * a path's capacity, and written as io.max for each path device (sdX) in the VM's cgroup.
 * Every other path device of the VM's maps gets "no limit" (clears what an earlier plan set) —
 * only when `clears` is true: with no limit observed in the VM's cgroup there is nothing to clear.
 */
import type { CgroupIoLimit } from '../model/plan';
import type { VmPolicy } from '../model/policy';
import type { Vm } from '../model/snapshot';
import { DIMS } from './bandwidth';
import { wantsBio } from './mechanism';
import type { Topology } from './topology';
import { disksOnMap } from './topology';
import type { EngineConfig } from './types';

const NOTHING: ReadonlyMap<string, CgroupIoLimit | null> = new Map();

export function pathLimits(
  topo: Topology,
  cfg: EngineConfig,
  vm: Vm,
  policy: VmPolicy,
  mechanism: Readonly<Record<string, string>>,
  paths: Readonly<Record<string, readonly string[]>>,
  diskLimits: ReadonlyMap<string, CgroupIoLimit | null>,
  clears = true,
): ReadonlyMap<string, CgroupIoLimit | null> {
  const bio = wantsBio(cfg, policy);
  if (!bio && !clears) return NOTHING;
  const out = new Map<string, CgroupIoLimit | null>();
  for (const name of Object.keys(mechanism).sort()) {
    const map = topo.maps.get(name);
    if (!map) continue;
    if (clears)
      for (const g of map.groups) for (const p of g.paths) if (!out.has(p.devT)) out.set(p.devT, null);
    const devs = paths[name] ?? [];
    if (!bio || mechanism[name] !== 'vm-map' || devs.length === 0) continue;
    const total: Record<string, number> = {};
    for (const d of disksOnMap(vm, name)) {
      const l = diskLimits.get(d.devT);
      if (l) for (const [k, v] of Object.entries(l)) if (v !== undefined) total[k] = (total[k] ?? 0) + v;
    }
    if (Object.keys(total).length === 0) continue;
    for (const dim of DIMS) {
      const caps = devs.map((dev) => dim.capacity(topo.devices.get(dev), cfg));
      const sum = caps.reduce((s, c) => s + c, 0);
      devs.forEach((dev, i) => {
        const devT = topo.devices.get(dev)?.devT;
        if (!devT) return;
        const cur: Record<string, number> = { ...(out.get(devT) ?? {}) };
        for (const k of dim.kernel) {
          const t = total[k];
          if (t === undefined) continue;
          const cap = (caps[i] as number) * dim.unit;
          cur[k] = Math.max(1, Math.floor(Math.min((t * (caps[i] as number)) / Math.max(sum, 1), cap)));
        }
        out.set(devT, Object.keys(cur).length ? (cur as CgroupIoLimit) : null);
      });
    }
  }
  return out;
}
