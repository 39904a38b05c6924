/**
 * Spec → initial state: SCSI hosts and path devices in discovery order (host by host, LUN by
 * LUN, as a SCSI scan names them), multipathd maps dm-0.. in LUN order with groups sorted by
 * priority, LVM volumes on shared LUNs, VMs with pids, cgroups and open disks.
 */
import { ScenarioInvalidError } from '../model/errors';
import { validateBlockDevName, validateDmName, validateVmId } from '../model/names';
import { makeMultipathTable } from './dm-table';
import { lvDmName, lvmUuid, makeRng, mpathAlias, sdDevT, sdName } from './naming';
import type { SimHostSpec, SimVmDiskSpec, SimWorkload } from './spec';
import type { DmDev, DmTable, IoStat, SimLink, SimLun, SimPathDev, SimVm } from './state';

export interface SimState {
  readonly hostname: string;
  readonly kernel: string;
  readonly cgroupVersion: 1 | 2;
  readonly pollingIntervalS: number;
  readonly links: SimLink[];
  readonly luns: SimLun[];
  readonly paths: SimPathDev[];
  readonly pathsByDevT: Map<string, SimPathDev>;
  /** All dm devices by name. */
  readonly dm: Map<string, DmDev>;
  readonly dmByDevT: Map<string, DmDev>;
  nextDmMinor: number;
  readonly vms: SimVm[];
  readonly rng: () => number;
}

export const newIoStat = (): IoStat => ({
  readIos: 0,
  readSectors: 0,
  readTicks: 0,
  writeIos: 0,
  writeSectors: 0,
  writeTicks: 0,
  ioTicks: 0,
  timeInQueue: 0,
  inflightR: 0,
  inflightW: 0,
});

function invalid(field: string, why: string): never {
  throw new ScenarioInvalidError(`simulated host spec: ${field}: ${why}`, { field });
}

function positive(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) invalid(field, 'must be a positive number');
  return v;
}

/** Create a dm device record and index it. */
export function addDm(
  state: SimState,
  name: string,
  uuid: string,
  table: DmTable,
  extra: Partial<DmDev> = {},
): DmDev {
  const minor = state.nextDmMinor++;
  const dev: DmDev = {
    name,
    uuid,
    minor,
    devT: `253:${minor}`,
    live: table,
    suspended: false,
    eventNr: 0,
    currentPg: table.kind === 'multipath' && table.groups.length > 0 ? 1 : 0,
    nextPg: 0,
    queueIo: false,
    pgInitCount: table.kind === 'multipath' ? 1 : 0,
    stat: newIoStat(),
    mbps: 0,
    iops: 0,
    ...extra,
  };
  state.dm.set(name, dev);
  state.dmByDevT.set(dev.devT, dev);
  return dev;
}

function checkWorkload(field: string, w: SimWorkload | undefined): void {
  if (!w || !['closed', 'open', 'idle'].includes(w.type)) invalid(`${field}.type`, 'closed, open or idle');
  if (w.type === 'idle') return;
  positive(`${field}.ioKiB`, w.ioKiB);
  if (w.type === 'closed') positive(`${field}.outstanding`, w.outstanding);
  else if (typeof w.rateMBps !== 'number' || !(w.rateMBps >= 0))
    invalid(`${field}.rateMBps`, 'a number >= 0');
  const pct = w.readPct;
  if (pct !== undefined && (typeof pct !== 'number' || pct < 0 || pct > 100))
    invalid(`${field}.readPct`, '0..100');
}

export function buildState(spec: SimHostSpec): SimState {
  if (!spec || !Array.isArray(spec.paths) || spec.paths.length === 0) invalid('paths', 'at least one path');
  if (!Array.isArray(spec.luns)) invalid('luns', 'must be an array');
  if (!Array.isArray(spec.vms)) invalid('vms', 'must be an array');
  const rng = makeRng(spec.seed ?? 1);
  const state: SimState = {
    hostname: spec.hostname ?? 'pve-sim',
    kernel: spec.kernel ?? '6.1.0-56-amd64',
    cgroupVersion: spec.cgroup === 'v1' ? 1 : 2,
    pollingIntervalS: spec.pollingIntervalS ?? 2,
    links: [],
    luns: [],
    paths: [],
    pathsByDevT: new Map(),
    dm: new Map(),
    dmByDevT: new Map(),
    nextDmMinor: 0,
    vms: [],
    rng,
  };

  // SCSI hosts: one per adapter label, numbered in order of appearance; targets per host.
  const hosts = new Map<string, { hostNo: number; targets: number }>();
  spec.paths.forEach((p, i) => {
    const f = `paths[${i}]`;
    if (typeof p.id !== 'string' || !p.id) invalid(`${f}.id`, 'required');
    if (state.links.some((l) => l.id === p.id)) invalid(`${f}.id`, `duplicate ${p.id}`);
    if (typeof p.fabric !== 'string' || !p.fabric) invalid(`${f}.fabric`, 'required');
    const label = p.adapter ?? `adapter-${p.id}`;
    let host = hosts.get(label);
    if (!host) hosts.set(label, (host = { hostNo: hosts.size, targets: 0 }));
    state.links.push({
      id: p.id,
      fabric: p.fabric,
      adapterLabel: label,
      hostNo: host.hostNo,
      targetNo: host.targets++,
      transport: p.transport ?? 'fc',
      capacityMBps: positive(`${f}.capacityMBps`, p.capacityMBps),
      capacityIops: positive(`${f}.capacityIops`, p.capacityIops),
      latencyMs: positive(`${f}.latencyMs`, p.latencyMs),
      priority: p.priority ?? 50,
      sessionNo: i + 1,
      up: true,
      utilization: 0,
      latencyNowMs: 0,
      mbps: 0,
      iops: 0,
    });
  });

  spec.luns.forEach((l, i) => {
    const f = `luns[${i}]`;
    if (typeof l.wwid !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(l.wwid))
      invalid(`${f}.wwid`, 'invalid');
    if (state.luns.some((x) => x.wwid === l.wwid)) invalid(`${f}.wwid`, `duplicate ${l.wwid}`);
    const alias = l.alias ?? mpathAlias(i);
    validateDmName(alias);
    for (const id of l.paths ?? []) {
      if (!state.links.some((x) => x.id === id)) invalid(`${f}.paths`, `unknown path ${id}`);
    }
    state.luns.push({
      index: i,
      wwid: l.wwid,
      alias,
      sizeSectors: Math.round((l.sizeMiB ?? (l.shared ? 1048576 : 65536)) * 2048),
      vendor: l.vendor ?? 'SIMARRAY',
      product: l.product ?? 'VLUN',
      revision: l.revision ?? '0100',
      grouping: l.grouping ?? 'failover',
      selector: l.selector ?? 'service-time 0',
      specFailback: l.failback ?? 'manual',
      noPathRetry: l.noPathRetry ?? 'fail',
      paths: [],
      shared: l.shared === true,
    });
  });

  // Path devices in scan order: host by host, target by target, LUN by LUN.
  const ordered = [...state.links].sort((a, b) => a.hostNo - b.hostNo || a.targetNo - b.targetNo);
  for (const link of ordered) {
    for (const lun of state.luns) {
      const ids = spec.luns[lun.index]?.paths;
      if (ids && !ids.includes(link.id)) continue;
      const index = state.paths.length;
      const pd: SimPathDev = {
        dev: validateBlockDevName(sdName(index)),
        devT: sdDevT(index),
        hcil: `${link.hostNo}:0:${link.targetNo}:${lun.index}`,
        lunNo: lun.index,
        link,
        lun,
        priority: spec.luns[lun.index]?.priorities?.[link.id] ?? link.priority,
        offline: false,
        deleted: false,
        checker: 'ready',
        mpdDevState: 'running',
        nextCheckMs: ((index * 733) % (state.pollingIntervalS * 1000)) + 1,
        checkIntS: state.pollingIntervalS * 2,
        stat: newIoStat(),
        mbps: 0,
        iops: 0,
      };
      state.paths.push(pd);
      state.pathsByDevT.set(pd.devT, pd);
      lun.paths.push(pd);
    }
  }

  // multipathd maps, dm-0.. in LUN order.
  for (const lun of state.luns) {
    if (lun.paths.length === 0) invalid(`luns[${lun.index}].paths`, 'no path reaches this LUN');
    addDm(state, lun.alias, `mpath-${lun.wwid}`, makeMultipathTable(lun), {
      mpd: {
        lun,
        failback: lun.specFailback,
        noPathRetry: lun.noPathRetry,
        action: 'create',
        pathFaults: 0,
        switchGrp: 0,
        mapLoads: 1,
        bestGroup: -1,
      },
    });
  }

  const owners = new Map<string, string>();
  spec.vms.forEach((v, i) => {
    const f = `vms[${i}]`;
    validateVmId(v.id);
    if (state.vms.some((x) => x.id === v.id)) invalid(`${f}.id`, `duplicate ${v.id}`);
    checkWorkload(`${f}.workload`, v.workload);
    if (!Array.isArray(v.disks)) invalid(`${f}.disks`, 'must be an array');
    const kind = v.kind ?? 'proxmox';
    const name = v.name ?? `vm${v.id}`;
    const pid = 2100 + i * 17;
    const cgroupPath =
      kind === 'proxmox'
        ? `/qemu.slice/${v.id}.scope`
        : `/machine.slice/machine-qemu\\x2d${i + 1}\\x2d${name}.scope`;
    const vm: SimVm = {
      id: v.id,
      name,
      kind,
      pid,
      cgroupPath,
      disks: [],
      workload: v.workload,
      tags: v.tags ?? [],
      policy: v.policy,
      runState: v.running === false ? 'paused' : 'running',
      limits: new Map(),
      weightDefault: 100,
      weights: new Map(),
      ioStat: new Map(),
      mbps: 0,
      readMBps: 0,
      writeMBps: 0,
      iops: 0,
      latencyMs: 0,
      errors: 0,
      queued: 0,
      completedIos: 0,
    };
    v.disks.forEach((d: string | SimVmDiskSpec, k: number) => {
      const ds: SimVmDiskSpec = typeof d === 'string' ? { lun: d } : d;
      const lun = state.luns.find((l) => l.wwid === ds.lun || l.alias === ds.lun);
      if (!lun) invalid(`${f}.disks[${k}]`, `unknown LUN ${ds.lun}`);
      const map = state.dm.get(lun.alias) as DmDev;
      if (!lun.shared) {
        const prev = owners.get(lun.wwid);
        if (prev !== undefined) invalid(`${f}.disks[${k}]`, `LUN ${ds.lun} is owned by VM ${prev}`);
        owners.set(lun.wwid, v.id);
        vm.disks.push({ devT: map.devT, fd: 20 + k, lun, sizeSectors: lun.sizeSectors });
        return;
      }
      if (!lun.vg)
        lun.vg = {
          name: spec.luns[lun.index]?.vg ?? `vmdata${lun.index}`,
          uuid: lvmUuid(rng),
          nextSector: 2048,
        };
      const vg = lun.vg;
      const sectors = Math.round((ds.sizeMiB ?? 4096) * 2048);
      if (vg.nextSector + sectors > lun.sizeSectors) invalid(`${f}.disks[${k}]`, `VG ${vg.name} is full`);
      const lvName = `vm-${v.id}-disk-${k}`;
      const lv = addDm(state, validateDmName(lvDmName(vg.name, lvName)), `LVM-${vg.uuid}${lvmUuid(rng)}`, {
        kind: 'linear',
        lengthSectors: sectors,
        targetDevT: map.devT,
        offset: vg.nextSector,
      });
      vg.nextSector += sectors;
      vm.disks.push({ devT: lv.devT, fd: 20 + k, lun, sizeSectors: sectors });
    });
    state.vms.push(vm);
  });
  return state;
}
