/**
 * What vmpath's observe/ would read from the simulated host, as a HostSnapshot: one path device
 * per (LUN, path) with the path's transport (adapter, target port = the I_T nexus id), fabric and
 * capacity; sysfs device state from the link (an FC rport goes blocked at once when the link
 * drops); dm state per map from the kernel model; multipathd's checker state; VMs with their
 * disk chains (LV → map or per-VM map) and the cgroup I/O settings applied so far.
 */
import type {
  ChainLink,
  HostSnapshot,
  MapPath,
  MultipathMap,
  PathDevice,
  PathGroup,
  Vm,
  VmCgroupIo,
  VmDisk,
} from '../../model/snapshot';
import type { MapRt, PathRt, SimModel, VmRt } from './model';

/** Simulated time 0 as epoch ms (decide/ treats 0 timestamps as "never"). */
export const EPOCH_MS = 1_700_000_000_000;
export const LUN_SECTORS = 2 ** 31;
const LV_SECTORS = 8 * 2 ** 20;

export interface ObservedCgroup {
  readonly limits: Map<string, VmCgroupIo['limits'][string]>;
  weight?: number;
}

export function cgroupPath(vm: VmRt): string {
  return `/qemu.slice/${vm.spec.id}.scope`;
}

/** SCSI H:C:T:L of a path device: host = the path's index, LUN = the LUN's (unique per device). */
export function hcilOf(map: MapRt, e: MapRt['entries'][number]): string {
  return `${e.path}:0:0:${map.lun}`;
}

function deviceState(p: PathRt): PathDevice['deviceState'] {
  return p.up ? 'running' : 'blocked';
}

function mapPath(m: SimModel, map: MapRt, ei: number): MapPath {
  const e = map.entries[ei] as MapRt['entries'][number];
  const p = m.paths[e.path] as PathRt;
  return {
    dev: e.dev,
    devT: e.devT,
    dmState: e.active ? 'active' : 'failed',
    failCount: e.failCount,
    ...(map.owner === 'multipathd' ? { checkerState: e.active ? 'ready' : 'faulty' } : {}),
    deviceState: deviceState(p),
  } as MapPath;
}

function multipathMap(m: SimModel, map: MapRt, holders: string[]): MultipathMap {
  const groups: PathGroup[] = map.groups.map((members, g) => ({
    index: g + 1,
    state: g === map.activeGroup ? 'active' : 'enabled',
    selector: map.selector,
    selectorArgs: [],
    paths: members.map((ei) => mapPath(m, map, ei)),
  }));
  const lun = m.scenario.luns[map.lun] as SimModel['scenario']['luns'][number];
  const vm = map.vm >= 0 ? (m.vms[map.vm] as VmRt) : undefined;
  return {
    name: map.name,
    wwid: lun.wwid,
    dm: `dm-${map.devT.split(':')[1]}`,
    devT: map.devT,
    sizeSectors: LUN_SECTORS,
    features: map.queueIfNoPath ? ['queue_if_no_path'] : [],
    queueIfNoPath: map.queueIfNoPath,
    queueMode: 'rq',
    hwHandler: '0',
    groups,
    activeGroup: map.activeGroup + 1,
    nextGroup: map.activeGroup + 1,
    failback: map.failbackManual ? 'manual' : 'immediate',
    ...(map.grouping ? { vmpathConf: { grouping: map.grouping } } : {}),
    owner: map.owner,
    ...(vm ? { perVm: { vmId: vm.spec.id, baseMap: (m.maps[map.lun] as MapRt).name } } : {}),
    holders,
  };
}

function vmDisks(m: SimModel, vm: VmRt): VmDisk[] {
  return vm.disks.map((d, k): VmDisk => {
    const base = m.maps[d.lun] as MapRt;
    const cur = m.maps[d.map] as MapRt;
    const mpLink: ChainLink = {
      dev: `dm-${cur.devT.split(':')[1]}`,
      devT: cur.devT,
      kind: cur.owner === 'vmpath' ? 'vm-map' : 'multipath',
      dmName: cur.name,
    };
    if (!d.lvName) return { devT: d.devT, dev: d.dev, chain: [mpLink], maps: [base.name] };
    const lv: ChainLink = {
      dev: d.dev,
      devT: d.devT,
      kind: 'lv',
      dmName: d.lvName,
      table: `0 ${LV_SECTORS} linear ${cur.devT} ${2048 + k * LV_SECTORS}`,
    };
    return { devT: d.devT, dev: d.dev, chain: [lv, mpLink], maps: [base.name] };
  });
}

export function buildSnapshot(m: SimModel, nowMs: number, cgroups: readonly ObservedCgroup[]): HostSnapshot {
  const inflight = new Map<string, number>();
  for (const map of m.maps) {
    if (map.removed) continue;
    for (const e of map.entries) inflight.set(e.dev, (inflight.get(e.dev) ?? 0) + e.inflight);
  }
  const paths: PathDevice[] = [];
  for (const map of m.maps) {
    if (map.owner !== 'multipathd') continue;
    for (const e of map.entries) {
      const p = m.paths[e.path] as PathRt;
      paths.push({
        dev: e.dev,
        devT: e.devT,
        hcil: hcilOf(map, e),
        deviceState: deviceState(p),
        inflight: { read: inflight.get(e.dev) ?? 0, write: 0 },
        transport: {
          kind: 'fc',
          adapter: p.spec.adapter,
          targetPort: p.spec.id,
          state: p.up ? 'Online' : 'Blocked',
        },
        fabric: p.spec.fabric,
        capacityMBps: p.spec.capacityMBps,
        capacityIops: p.spec.capacityIops,
      });
    }
  }
  const holders = new Map<number, string[]>();
  for (const vm of m.vms)
    for (const d of vm.disks) if (d.lvName) holders.set(d.map, [...(holders.get(d.map) ?? []), d.dev]);
  const maps = m.maps.filter((x) => !x.removed).map((x) => multipathMap(m, x, holders.get(x.idx) ?? []));
  const vms: Vm[] = m.vms.map((vm) => {
    const cg = cgroups[vm.idx];
    return {
      id: vm.spec.id,
      kind: 'proxmox',
      name: `vm${vm.spec.id}`,
      pid: 10000 + vm.idx,
      cgroup: { version: 2, path: cgroupPath(vm) },
      runState: vm.paused || vm.killed ? 'paused' : 'running',
      disks: vmDisks(m, vm),
      ...(cg
        ? {
            cgroupIo: {
              limits: Object.fromEntries(cg.limits),
              ...(cg.weight !== undefined ? { weight: cg.weight } : {}),
            },
          }
        : {}),
    };
  });
  return {
    takenAtMs: EPOCH_MS + nowMs,
    host: { hostname: 'sim', kernel: '6.1.0-sim', cgroupMode: 'v2' },
    maps,
    paths,
    vms,
    diagnostics: [],
  };
}
