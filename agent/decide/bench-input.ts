/**
 * Deterministic synthetic hosts for benchmarking decide() (`npm run bench`) and for tests:
 * scale 1 = 1,000 VMs × 64 multipath maps × 8 paths (2 ALUA groups of 4; 8 physical paths =
 * 4 adapters × 2 target ports, fabrics A/B). A quarter of the maps are VM-owned raw LUNs, the
 * rest are shared LVM LUNs (~20 VMs each). 20 % of VMs are pinned to a fabric, 30 % limited,
 * 10 % reserve bandwidth; ~3 % of paths are failed. Pure (seeded generator, no clock).
 */
import { EMPTY_MEMORY } from '../model/memory';
import type { PolicyLayer, PolicySet } from '../model/policy';
import type { HostSnapshot, MultipathMap, PathDevice, Vm } from '../model/snapshot';
import { SelectorRegistry } from './selector';
import { BUILTIN_SELECTORS } from './selectors';
import type { DecideInput } from './types';

export interface BenchShape {
  readonly vms: number;
  readonly maps: number;
  readonly pathsPerMap: number;
}

export const benchShape = (scale: number): BenchShape => ({
  vms: 1000 * scale,
  maps: 64 * scale,
  pathsPerMap: 8,
});

/** Park–Miller style LCG: deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

export function benchInput(scale = 1, seed = 42): DecideInput {
  const shape = benchShape(scale);
  const rand = rng(seed);
  const paths: PathDevice[] = [];
  const maps: MultipathMap[] = [];
  let minor = 0;
  for (let m = 0; m < shape.maps; m++) {
    const groups: { dev: string; devT: string; dmState: 'active' | 'failed' }[][] = [[], []];
    for (let p = 0; p < shape.pathsPerMap; p++) {
      const dev = `sd${m}x${p}`;
      const devT = `${8 + Math.floor(minor / 16) * 57}:${(minor % 16) * 16}`;
      minor++;
      const adapter = `host${(p % 4) + 1}`;
      paths.push({
        dev,
        devT,
        deviceState: 'running',
        inflight: { read: Math.floor(rand() * 8), write: Math.floor(rand() * 4) },
        transport: { kind: 'fc', adapter, targetPort: `0x5000${p < 4 ? 'a' : 'b'}${(p % 4) + 1}` },
        fabric: p % 2 ? 'B' : 'A',
        capacityMBps: 1600,
      });
      (groups[p < shape.pathsPerMap / 2 ? 0 : 1] as (typeof groups)[number]).push({
        dev,
        devT,
        dmState: rand() < 0.03 ? 'failed' : 'active',
      });
    }
    maps.push({
      name: `mpath${m}`,
      wwid: `3600a0980${String(m).padStart(23, '0')}`,
      dm: `dm-${m}`,
      devT: `253:${m}`,
      sizeSectors: 2147483648,
      features: ['queue_if_no_path'],
      queueIfNoPath: true,
      queueMode: 'rq',
      hwHandler: '1 alua',
      groups: groups.map((ps, gi) => ({
        index: gi + 1,
        state: gi ? 'enabled' : 'active',
        selector: 'service-time',
        selectorArgs: [],
        paths: ps,
      })),
      activeGroup: 1,
      nextGroup: 1,
      failback: 'manual',
      owner: 'multipathd',
      holders: [],
    });
  }
  const owned = Math.floor(shape.maps / 4);
  const vms: Vm[] = [];
  const byVm: Record<string, PolicyLayer[]> = {};
  for (let v = 0; v < shape.vms; v++) {
    const id = String(100 + v);
    const mapIdx = v < owned ? v : owned + ((v - owned) % (shape.maps - owned));
    const disk = (map: MultipathMap, n: number, raw: boolean): Vm['disks'][number] => {
      const mp = { dev: map.dm, devT: map.devT, kind: 'multipath' as const };
      if (raw) return { devT: map.devT, dev: map.dm, chain: [mp], maps: [map.name] };
      const devT = `252:${v * 4 + n}`;
      const lv = {
        dev: `dm-${1000 + v * 4 + n}`,
        dmName: `pve-vm--${id}--disk--${n}`,
        devT,
        kind: 'lv' as const,
        table: `0 67108864 linear ${map.devT} ${2048 + v * 67108864}`,
      };
      return { devT, dev: lv.dev, chain: [lv, mp], maps: [map.name] };
    };
    const first = maps[mapIdx] as MultipathMap;
    const disks = [disk(first, 0, v < owned)];
    if (v >= owned && v % 10 === 0)
      disks.push(disk(maps[owned + ((v * 7) % (shape.maps - owned))] as MultipathMap, 1, false));
    vms.push({
      id,
      kind: 'proxmox',
      name: `vm${id}`,
      pid: 10000 + v,
      cgroup: { version: 2, path: `/qemu.slice/${id}.scope` },
      runState: 'running',
      disks,
      cgroupIo: { limits: {} },
    });
    const r = rand();
    const values: PolicyLayer['values'] = {
      priority: Math.floor(rand() * 100),
      ...(r < 0.2 ? { pin: [{ kind: 'fabric', fabric: rand() < 0.5 ? 'A' : 'B' }] } : {}),
      ...(r >= 0.2 && r < 0.5
        ? { limit: { readMBps: 100 + Math.floor(rand() * 400), writeIops: 5000 } }
        : {}),
      ...(r >= 0.5 && r < 0.6 ? { reservation: { readMBps: 20 + Math.floor(rand() * 60) } } : {}),
    };
    byVm[id] = [{ origin: { kind: 'host-config', source: `bench:${id}` }, values }];
  }
  const snapshot: HostSnapshot = {
    takenAtMs: 0,
    host: { hostname: 'bench', cgroupMode: 'v2' },
    maps,
    paths,
    vms,
    diagnostics: [],
  };
  const policies: PolicySet = { allVms: [], byVm };
  const selectors = new SelectorRegistry();
  for (const s of BUILTIN_SELECTORS) selectors.register(s, 'builtin');
  return { snapshot, policies, memory: EMPTY_MEMORY, nowMs: 1_700_000_000_000, selectors };
}
