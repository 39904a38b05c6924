/**
 * Indexes over a HostSnapshot that every decision step uses: maps by name, path devices by
 * name, which VMs use which multipathd map, and the per-VM maps vmpath already created.
 * Built once per decide() call; all iteration orders are sorted so plans are deterministic.
 */
import type { HostSnapshot, MapPath, MultipathMap, PathDevice, Vm, VmDisk } from '../model/snapshot';
import { isPathUsable } from '../model/snapshot';

export interface Topology {
  readonly snapshot: HostSnapshot;
  readonly maps: ReadonlyMap<string, MultipathMap>;
  readonly devices: ReadonlyMap<string, PathDevice>;
  /** multipathd map name → ids of VMs with a disk on it, sorted. */
  readonly usersByMap: ReadonlyMap<string, readonly string[]>;
  /** `${vmId}\u0000${baseMap}` → the vmpath per-VM map. */
  readonly vmMaps: ReadonlyMap<string, MultipathMap>;
  /** The same per-VM maps by VM id, then base map name (see vmMapOf). */
  readonly vmMapsByVm: ReadonlyMap<string, ReadonlyMap<string, MultipathMap>>;
  readonly vms: ReadonlyMap<string, Vm>;
  /** Path device → physical path key (see physicalPath). */
  readonly physical: ReadonlyMap<string, string>;
  /** Memo of usablePaths per map (a snapshot is immutable). */
  readonly usableMemo: Map<MultipathMap, readonly MapPath[]>;
  /** Memo of groupIndex per map: path device → 1-based index of the first group holding it. */
  readonly groupMemo: Map<MultipathMap, ReadonlyMap<string, number>>;
}

export const vmMapKey = (vmId: string, baseMap: string): string => `${vmId}\u0000${baseMap}`;

export function buildTopology(snapshot: HostSnapshot): Topology {
  const maps = new Map<string, MultipathMap>();
  const vmMaps = new Map<string, MultipathMap>();
  const vmMapsByVm = new Map<string, Map<string, MultipathMap>>();
  for (const m of snapshot.maps) {
    maps.set(m.name, m);
    if (m.owner !== 'vmpath' || !m.perVm) continue;
    const { vmId, baseMap } = m.perVm;
    vmMaps.set(vmMapKey(vmId, baseMap), m);
    let own = vmMapsByVm.get(vmId);
    if (!own) vmMapsByVm.set(vmId, (own = new Map()));
    own.set(baseMap, m);
  }
  const devices = new Map<string, PathDevice>();
  const physical = new Map<string, string>();
  for (const d of snapshot.paths) {
    devices.set(d.dev, d);
    const t = d.transport;
    physical.set(d.dev, t.adapter && t.targetPort ? `${t.adapter}|${t.targetPort}` : d.dev);
  }
  const users = new Map<string, Set<string>>();
  const vms = new Map<string, Vm>();
  for (const vm of snapshot.vms) {
    vms.set(vm.id, vm);
    for (const disk of vm.disks)
      for (const name of disk.maps) {
        const set = users.get(name) ?? new Set<string>();
        set.add(vm.id);
        users.set(name, set);
      }
  }
  const usersByMap = new Map<string, readonly string[]>();
  for (const [name, set] of users) usersByMap.set(name, [...set].sort());
  return {
    snapshot,
    maps,
    devices,
    usersByMap,
    vmMaps,
    vmMapsByVm,
    vms,
    physical,
    usableMemo: new Map(),
    groupMemo: new Map(),
  };
}

/** The vmpath per-VM map of `vmId` over `baseMap`, if it exists (same as vmMaps.get(vmMapKey(...))). */
export function vmMapOf(topo: Topology, vmId: string, baseMap: string): MultipathMap | undefined {
  return topo.vmMapsByVm.get(vmId)?.get(baseMap);
}

export function pathUsable(topo: Topology, p: MapPath): boolean {
  return isPathUsable(p, topo.devices.get(p.dev));
}

/**
 * The physical path a device is on: `adapter|target port` when both are known (every LUN seen
 * through the same HBA port and array port shares it), else the device name. Load spreading and
 * reservations are accounted per physical path.
 */
export function physicalPath(topo: Topology, dev: string): string {
  return topo.physical.get(dev) ?? dev;
}

/** Usable paths of a map in table order. */
export function usablePaths(topo: Topology, map: MultipathMap): readonly MapPath[] {
  let out = topo.usableMemo.get(map);
  if (!out) {
    out = map.groups.flatMap((g) => g.paths.filter((p) => pathUsable(topo, p)));
    topo.usableMemo.set(map, out);
  }
  return out;
}

/** 1-based index of the first group of `map` that holds `dev` (undefined: not in the map). */
export function groupIndex(topo: Topology, map: MultipathMap, dev: string): number | undefined {
  let index = topo.groupMemo.get(map);
  if (!index) {
    const m = new Map<string, number>();
    for (const g of map.groups) for (const p of g.paths) if (!m.has(p.dev)) m.set(p.dev, g.index);
    topo.groupMemo.set(map, (index = m));
  }
  return index.get(dev);
}

/** The VM's disks on a given multipathd map (the VM's own array when that is all of them). */
export function disksOnMap(vm: Vm, map: string): readonly VmDisk[] {
  const only = vm.disks.length === 1 ? vm.disks[0] : undefined;
  if (only) return only.maps.includes(map) ? vm.disks : [];
  return vm.disks.filter((d) => d.maps.includes(map));
}

/** The multipathd maps a VM uses, sorted by name (only maps present in the snapshot). */
export function vmMapNames(topo: Topology, vm: Vm): string[] {
  const only = vm.disks.length === 1 ? vm.disks[0]?.maps : undefined;
  if (only && only.length === 1) return topo.maps.has(only[0] as string) ? [only[0] as string] : [];
  const names: string[] = []; // a VM has a few maps: linear dedupe and insertion sort beat Set + sort()
  for (const d of vm.disks)
    for (const m of d.maps) {
      if (names.includes(m) || !topo.maps.has(m)) continue;
      let i = names.length;
      for (; i > 0 && (names[i - 1] as string) > m; i--) names[i] = names[i - 1] as string;
      names[i] = m;
    }
  return names;
}

/** The group the kernel uses now (next group wins: it changes at once on switch_group). */
export function currentGroup(map: MultipathMap): number | undefined {
  return map.nextGroup ?? map.activeGroup;
}
