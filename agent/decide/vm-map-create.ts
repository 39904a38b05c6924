/**
 * Building a per-VM map (DESIGN §3.2) for one (VM, multipathd map): `create-vm-map` over the
 * map's path devices with the VM's chosen paths as group 1, `fail-path` for the map's unusable
 * paths, and `move-lv` of each of the VM's LVs onto it. Only LVs directly on the map can be slid
 * under (lvOn); mechanism.ts decides when a VM gets one.
 */
import type { Origin } from '../model/policy';
import type { MultipathMap, Vm, VmDisk } from '../model/snapshot';
import { retargetTable, vmMapTable } from './dm-table';
import type { MapOutcome, MechanismContext } from './mechanism';
import type { Selection } from './select';
import { disksOnMap, pathUsable } from './topology';

/**
 * An LV directly on `base` (the only stacking a per-VM map can be slid under). `lv` is its
 * device-mapper name (what dmsetup accepts), never the kernel name `dm-N`.
 */
export function lvOn(disk: VmDisk, lowerDevT: string): { lv: string; table: string } | undefined {
  const [top, next] = disk.chain;
  if (!top || top.kind !== 'lv' || !top.table || !top.dmName || !next || next.devT !== lowerDevT)
    return undefined;
  return { lv: top.dmName, table: top.table };
}

/**
 * create-vm-map `<map>-vm<id>` over the map's paths with `sel.chosen` as group 1, fail its
 * unusable paths, and move every LV of the VM onto it (`bio`: queue_mode bio, for per-path limits). Undefined when a disk is not an LV
 * directly on the map (nothing is planned then).
 */
export function createVmMap(
  ctx: MechanismContext,
  vm: Vm,
  map: MultipathMap,
  sel: Selection,
  bio: boolean,
  origins: readonly Origin[],
  reasons: string[],
): MapOutcome | undefined {
  const { topo, plan } = ctx;
  const disks = disksOnMap(vm, map.name);
  const lvs = disks.map((d) => lvOn(d, map.devT));
  if (lvs.length === 0 || !lvs.every((x) => x !== undefined)) return undefined;
  const users = topo.usersByMap.get(map.name) ?? [];
  const name = `${map.name}-vm${vm.id}`;
  const table = vmMapTable(map, sel.chosen, bio);
  const why =
    users.length > 1
      ? `map ${map.name} is shared by ${users.length} VMs: per-VM map ${name} for vm ${vm.id} on ${sel.chosen.join(',')}`
      : `map ${map.name} has one path group: per-VM map ${name} confines vm ${vm.id} to ${sel.chosen.join(',')}`;
  plan.add({
    kind: 'create-vm-map',
    vmId: vm.id,
    baseMap: map.name,
    name,
    uuid: `vmpath-${vm.id}-${map.wwid}`,
    table,
    reason: why,
    origins: [...origins],
  });
  for (const g of map.groups)
    for (const p of g.paths)
      if (!pathUsable(topo, p))
        plan.add({
          kind: 'fail-path',
          map: name,
          dev: p.dev,
          reason: `path ${p.dev} is not usable on ${map.name}`,
          origins: [],
        });
  for (const lv of lvs) {
    const t = retargetTable(lv.table, map.devT, `/dev/mapper/${name}`) as string;
    plan.add({
      kind: 'move-lv',
      vmId: vm.id,
      lv: lv.lv,
      table: t,
      reason: `LV ${lv.lv} onto ${name}`,
      origins: [...origins],
    });
  }
  reasons.push(why);
  return { mechanism: 'vm-map', paths: [...sel.chosen], ioMap: name, reasons };
}
