/**
 * Apply a vmpath Plan to the simulated host, action by action, with the kernel effect each has
 * on a real host (DESIGN §3): switch-group moves a map's I/O to that group; create-vm-map loads a
 * per-VM map over the same path devices (table parsed: groups, selector, queue_if_no_path) and —
 * with the move-lv that follows it — routes the VM's disk through it; set-io-limit becomes the
 * disk's token buckets; set-io-weight the VM's weight in the paths' fair queues; pause/resume
 * stop/start the guest's I/O; set-queueing, fail-path and reinstate-path change map state.
 * Returns a note per action the simulator cannot honour (reported, never hidden).
 */
import type { Action, CgroupIoLimit, Plan } from '../../model/plan';
import type { Engine } from './engine';
import type { MapEntry, MapRt, SimModel, VmRt } from './model';
import { newEntry, newMap } from './model';
import type { KernelSelector } from './selectors';
import { KERNEL_SELECTORS } from './selectors';
import { newBucket } from './throttle';
import type { ObservedCgroup } from './vmpath-snapshot';
import { regroupByPrio } from './vmpath-regroup';

export interface ParsedTable {
  readonly queueIfNoPath: boolean;
  readonly initialGroup: number;
  readonly selector: string;
  readonly groups: readonly (readonly string[])[];
}

/** Parse a dm multipath table line (`0 <sectors> multipath <features...> <hw...> <groups...>`). */
export function parseMultipathTable(table: string): ParsedTable | undefined {
  const w = table.trim().split(/\s+/);
  if (w[2] !== 'multipath') return undefined;
  let i = 3;
  const nf = Number(w[i++]);
  const feats = w.slice(i, i + nf);
  i += nf;
  const nh = Number(w[i++]);
  i += nh;
  const npg = Number(w[i++]);
  const initialGroup = Number(w[i++]);
  const groups: string[][] = [];
  let selector = 'service-time';
  for (let g = 0; g < npg; g++) {
    const sel = w[i++] as string;
    if (g === 0) selector = sel;
    const nSelArgs = Number(w[i]);
    i += 1 + nSelArgs;
    const np = Number(w[i++]);
    const na = Number(w[i++]);
    const devs: string[] = [];
    for (let p = 0; p < np; p++) {
      devs.push(w[i++] as string);
      i += na;
    }
    groups.push(devs);
  }
  if (!Number.isFinite(npg) || i > w.length) return undefined;
  return { queueIfNoPath: feats.includes('queue_if_no_path'), initialGroup, selector, groups };
}

export interface ApplyContext {
  readonly engine: Engine;
  readonly m: SimModel;
  readonly cgroups: ObservedCgroup[];
  readonly notes: string[];
}

const vmById = (m: SimModel, id: string): VmRt | undefined => m.vms.find((v) => v.spec.id === id);
const mapByName = (m: SimModel, name: string): MapRt | undefined =>
  m.maps.find((x) => x.name === name && !x.removed);

function setLimit(ctx: ApplyContext, vm: VmRt, devT: string, limit: CgroupIoLimit | null): void {
  const disk = vm.disks.find((d) => d.devT === devT);
  if (!disk) {
    ctx.notes.push(`set-io-limit on ${devT} for vm ${vm.spec.id}: not a VM disk device; not simulated`);
    return;
  }
  disk.buckets = limit ? [newBucket(limit)] : [];
  const cg = ctx.cgroups[vm.idx] as ObservedCgroup;
  if (limit) cg.limits.set(devT, limit);
  else cg.limits.delete(devT);
}

/**
 * create-vm-map, or reload-vm-map (a new table for an existing per-VM map: the kernel swaps it in
 * under suspend --noflush, so I/O held by the old table continues on the new one, every path of
 * the new table starts active and `failPaths` are failed right after).
 */
function createVmMap(
  ctx: ApplyContext,
  a: Extract<Action, { kind: 'create-vm-map' | 'reload-vm-map' }>,
): void {
  const { m } = ctx;
  const vm = vmById(m, a.vmId);
  const base = mapByName(m, a.baseMap);
  const t = parseMultipathTable(a.table);
  const old = a.kind === 'reload-vm-map' ? mapByName(m, a.name) : undefined;
  if (!vm || !base || !t || (a.kind === 'reload-vm-map' && (!old || old.owner !== 'vmpath'))) {
    ctx.notes.push(`${a.kind} ${a.name}: unknown vm/map or unparsable table; not simulated`);
    return;
  }
  const byDevT = new Map(base.entries.map((e) => [e.devT, e]));
  const entries: MapEntry[] = [];
  t.groups.forEach((devs, g) => {
    for (const d of devs) {
      const e = byDevT.get(d);
      if (e) entries.push(newEntry(e.path, e.dev, e.devT, g));
    }
  });
  const sel = (KERNEL_SELECTORS as readonly string[]).includes(t.selector)
    ? (t.selector as KernelSelector)
    : base.selector;
  const idx = m.maps.length;
  const map = newMap(
    idx,
    a.name,
    old ? old.devT : `253:${1000 + idx}`,
    base.lun,
    'vmpath',
    vm.idx,
    entries,
    sel,
    t.queueIfNoPath,
  );
  map.activeGroup = Math.max(0, Math.min(map.groups.length - 1, t.initialGroup - 1));
  m.maps.push(map);
  for (const d of vm.disks) if (d.lun === base.lun) d.map = idx;
  if (!old || a.kind !== 'reload-vm-map') return;
  old.removed = true;
  for (const devT of a.failPaths) {
    const ei = map.entries.findIndex((e) => e.devT === devT);
    if (ei >= 0) ctx.engine.setEntry(map, ei, false, 'agent');
  }
  ctx.engine.flushHeld(old);
}

function removeVmMap(ctx: ApplyContext, name: string): void {
  const map = mapByName(ctx.m, name);
  if (!map || map.owner !== 'vmpath') return;
  map.removed = true;
  const vm = ctx.m.vms[map.vm] as VmRt;
  for (const d of vm.disks) if (d.map === map.idx) d.map = d.lun;
  ctx.engine.flushHeld(map);
}

function setPath(ctx: ApplyContext, mapName: string, dev: string, active: boolean): void {
  const map = mapByName(ctx.m, mapName);
  const ei = map ? map.entries.findIndex((e) => e.dev === dev) : -1;
  if (map && ei >= 0) ctx.engine.setEntry(map, ei, active, 'agent');
}

export function applyAction(ctx: ApplyContext, a: Action): void {
  const { m, engine } = ctx;
  switch (a.kind) {
    case 'set-io-limit': {
      const vm = vmById(m, a.vmId);
      if (vm) setLimit(ctx, vm, a.devT, a.limit);
      return;
    }
    case 'set-io-weight': {
      const vm = vmById(m, a.vmId);
      if (!vm) return;
      vm.weight = a.weight;
      (ctx.cgroups[vm.idx] as ObservedCgroup).weight = a.weight;
      return;
    }
    case 'set-failback-manual': {
      const map = mapByName(m, a.map);
      if (map) map.failbackManual = true;
      return;
    }
    case 'set-path-selector': {
      // The simulated kernel loads every selector, so vmpath never takes it back here (null).
      if (a.value === null) return;
      // multipathd reconfigure reloads the map with the selector (fresh per-path state).
      const map = mapByName(m, a.map);
      if (map && map.owner === 'multipathd') {
        map.selector = 'historical-service-time';
        for (const e of map.entries) e.hstMs = 0;
      }
      return;
    }
    case 'set-path-grouping': {
      const map = mapByName(m, a.map);
      if (map && map.owner === 'multipathd') regroupByPrio(ctx, map, a.grouping);
      return;
    }
    case 'set-no-path-retry': {
      // multipathd's own setting: the DES keeps queueing on the map itself (set-queueing).
      return;
    }
    case 'switch-group': {
      const map = mapByName(m, a.map);
      if (map && a.group >= 1 && a.group <= map.groups.length) map.activeGroup = a.group - 1;
      return;
    }
    case 'set-queueing': {
      const map = mapByName(m, a.map);
      if (map) engine.setQueueing(map, a.queue);
      return;
    }
    case 'fail-path':
    case 'reinstate-path':
      setPath(ctx, a.map, a.dev, a.kind === 'reinstate-path');
      return;
    case 'create-vm-map':
    case 'reload-vm-map':
      createVmMap(ctx, a);
      return;
    case 'remove-vm-map':
      removeVmMap(ctx, a.name);
      return;
    case 'move-lv':
      return; // the disk was routed by create-vm-map / remove-vm-map
    case 'pause-vm':
    case 'resume-vm':
    case 'kill-vm':
    case 'migrate-vm': {
      const vm = vmById(m, a.vmId);
      if (!vm) return;
      if (a.kind === 'resume-vm') engine.resumeVm(vm);
      else engine.pauseVm(vm);
      if (a.kind === 'kill-vm' || a.kind === 'migrate-vm') {
        engine.killVm(vm);
        ctx.notes.push(`${a.kind} vm ${a.vmId}: the VM leaves the simulated host`);
      }
      return;
    }
  }
}

export function applyPlan(ctx: ApplyContext, plan: Plan): void {
  for (const a of plan.actions) applyAction(ctx, a);
}
