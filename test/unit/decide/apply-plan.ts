/**
 * applyPlanToSnapshot: a pure simulation of what act/ would do to the host, for idempotence
 * tests (decide → apply → decide again must give an empty plan). Per-VM map tables are parsed
 * back from the dm table string, which also checks their format.
 */
import type { Action, HostSnapshot, MultipathMap, PathGroup, Plan, Vm } from '../../../agent/model';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseMultipathTable(
  table: string,
  byDevT: ReadonlyMap<string, string>,
): Pick<MultipathMap, 'sizeSectors' | 'features' | 'hwHandler' | 'groups'> {
  const w = table.trim().split(/\s+/);
  let i = 0;
  const next = (): string => {
    const x = w[i++];
    if (x === undefined) throw new Error(`table too short: ${table}`);
    return x;
  };
  const num = (): number => {
    const x = Number(next());
    if (!Number.isInteger(x) || x < 0) throw new Error(`expected a count at word ${i} of ${table}`);
    return x;
  };
  if (next() !== '0') throw new Error('start must be 0');
  const sizeSectors = num();
  if (next() !== 'multipath') throw new Error('not a multipath table');
  const features = Array.from({ length: num() }, next);
  const nhw = num();
  const hw = Array.from({ length: nhw }, next);
  const npg = num();
  const initial = num();
  if (initial < 1 || initial > npg) throw new Error('bad initial pg');
  const groups: PathGroup[] = [];
  for (let g = 1; g <= npg; g++) {
    const selector = next();
    const selectorArgs = Array.from({ length: num() }, next);
    const npaths = num();
    const nargs = num();
    const paths = [];
    for (let p = 0; p < npaths; p++) {
      const devT = next();
      const args = Array.from({ length: nargs }, next);
      const dev = byDevT.get(devT);
      if (!dev) throw new Error(`unknown path ${devT}`);
      paths.push({ dev, devT, dmState: 'active' as const, selectorArgs: args });
    }
    groups.push({ index: g, state: g === initial ? 'active' : 'enabled', selector, selectorArgs, paths });
  }
  if (i !== w.length) throw new Error(`trailing words in ${table}`);
  return { sizeSectors, features, hwHandler: nhw ? `${nhw} ${hw.join(' ')}` : '0', groups };
}

export function applyPlanToSnapshot(snapshot: HostSnapshot, plan: Plan): HostSnapshot {
  const s = JSON.parse(JSON.stringify(snapshot)) as Mutable<HostSnapshot> & {
    maps: Mutable<MultipathMap>[];
    vms: Mutable<Vm>[];
  };
  const byDevT = new Map(s.paths.map((p) => [p.devT, p.dev]));
  const mapNamed = (n: string): Mutable<MultipathMap> => {
    const m = s.maps.find((x) => x.name === n);
    if (!m) throw new Error(`no map ${n}`);
    return m;
  };
  const vmWith = (id: string): Mutable<Vm> => {
    const v = s.vms.find((x) => x.id === id);
    if (!v) throw new Error(`no vm ${id}`);
    return v;
  };
  let minor = 1000;
  const apply: { [K in Action['kind']]: (a: Action & { kind: K }) => void } = {
    'set-io-limit': (a) => {
      const vm = vmWith(a.vmId);
      const limits = { ...(vm.cgroupIo?.limits ?? {}) };
      if (a.limit) limits[a.devT] = a.limit;
      else delete limits[a.devT];
      vm.cgroupIo = { ...(vm.cgroupIo ?? {}), limits };
    },
    'set-io-weight': (a) => {
      const vm = vmWith(a.vmId);
      vm.cgroupIo = { limits: vm.cgroupIo?.limits ?? {}, weight: a.weight };
    },
    'set-failback-manual': (a) => void (mapNamed(a.map).failback = 'manual'),
    'set-no-path-retry': (a) => {
      // multipathd reloads the map with its new setting: the kernel table queues from then on
      const m = mapNamed(a.map);
      m.noPathRetry = a.value;
      m.queueIfNoPath = true;
      m.features = [...m.features.filter((f) => f !== 'queue_if_no_path'), 'queue_if_no_path'];
    },
    'set-path-selector': (a) => {
      // multipathd reloads the map with the selector (removed: its default, service-time);
      // vmpath.conf now holds it, or no longer does
      const m = mapNamed(a.map);
      const selector = a.value === null ? 'service-time' : 'historical-service-time';
      m.groups = m.groups.map((g) => ({ ...g, selector, selectorArgs: [] }));
      const { pathSelector: _old, ...rest } = m.vmpathConf ?? {};
      m.vmpathConf = (a.value === null ? rest : { ...rest, pathSelector: a.value }) as typeof m.vmpathConf;
    },
    'set-path-grouping': (a) => {
      // multipathd regroups the map: the highest-priority paths first (lab fixture grouping-weightedpath)
      const m = mapNamed(a.map);
      const all = m.groups.flatMap((g) => g.paths);
      const hcil = new Map(s.paths.map((p) => [p.dev, p.hcil]));
      const prio = new Map((a.grouping?.paths ?? []).map((p) => [p.hbtl, p.prio]));
      const of = (dev: string) => prio.get(hcil.get(dev) ?? '') ?? 0;
      const levels = a.grouping ? [...new Set(all.map((p) => of(p.dev)))].sort((x, y) => y - x) : [0];
      const sel = m.groups[0]?.selector ?? 'service-time';
      m.groups = levels.map((lv, i) => ({
        index: i + 1,
        state: i === 0 ? 'active' : 'enabled',
        selector: sel,
        selectorArgs: [],
        ...(a.grouping ? { priority: lv } : {}),
        paths: all
          .filter((p) => !a.grouping || of(p.dev) === lv)
          .map((p) => (a.grouping ? { ...p, priority: of(p.dev) } : p)),
      }));
      m.activeGroup = 1;
      m.nextGroup = 1;
      m.failback = a.grouping ? 'immediate' : m.failback;
      const { grouping: _old, ...rest } = m.vmpathConf ?? {};
      m.vmpathConf = (a.grouping ? { ...rest, grouping: a.grouping } : rest) as typeof m.vmpathConf;
    },
    'switch-group': (a) => {
      const m = mapNamed(a.map);
      m.activeGroup = a.group;
      m.nextGroup = a.group;
    },
    'set-queueing': (a) => {
      const m = mapNamed(a.map);
      m.queueIfNoPath = a.queue;
      m.features = a.queue
        ? [...m.features.filter((f) => f !== 'queue_if_no_path'), 'queue_if_no_path']
        : m.features.filter((f) => f !== 'queue_if_no_path');
    },
    'fail-path': (a) => setPath(mapNamed(a.map), a.dev, 'failed'),
    'reinstate-path': (a) => setPath(mapNamed(a.map), a.dev, 'active'),
    'create-vm-map': (a) => {
      const base = mapNamed(a.baseMap);
      const t = parseMultipathTable(a.table, byDevT);
      s.maps.push({
        ...t,
        name: a.name,
        wwid: base.wwid,
        dm: `dm-${minor}`,
        devT: `253:${minor++}`,
        queueIfNoPath: t.features.includes('queue_if_no_path'),
        queueMode: t.features.includes('bio') ? 'bio' : 'rq',
        nextGroup: 1,
        owner: 'vmpath',
        perVm: { vmId: a.vmId, baseMap: a.baseMap },
        holders: [],
      });
    },
    'reload-vm-map': (a) => {
      const m = mapNamed(a.name);
      const t = parseMultipathTable(a.table, byDevT);
      m.groups = t.groups.map((g) => ({
        ...g,
        paths: g.paths.map((p) => (a.failPaths.includes(p.devT) ? { ...p, dmState: 'failed' as const } : p)),
      }));
      m.activeGroup = 1;
      m.nextGroup = 1;
    },
    'remove-vm-map': (a) => void (s.maps = s.maps.filter((m) => m.name !== a.name)),
    'move-lv': (a) => {
      const vm = vmWith(a.vmId);
      vm.disks = vm.disks.map((d) => {
        if (d.chain[0]?.dmName !== a.lv) return d;
        const words = a.table.split(' ');
        const lower = words[3] as string;
        const target = lower.startsWith('/dev/mapper/')
          ? mapNamed(lower.slice(12))
          : s.maps.find((m) => m.devT === lower);
        if (!target) throw new Error(`move-lv to unknown ${lower}`);
        const table = [...words.slice(0, 3), target.devT, ...words.slice(4)].join(' ');
        const link = {
          dev: target.dm,
          devT: target.devT,
          kind: target.owner === 'vmpath' ? ('vm-map' as const) : ('multipath' as const),
        };
        return {
          ...d,
          chain: [
            { ...(d.chain[0] as Vm['disks'][number]['chain'][number]), table },
            link,
            ...d.chain.slice(2),
          ],
        };
      });
    },
    'pause-vm': (a) => void (vmWith(a.vmId).runState = 'paused'),
    'resume-vm': (a) => void (vmWith(a.vmId).runState = 'running'),
    'migrate-vm': () => undefined, // a live migration takes a while: the VM is still here next time
    'kill-vm': (a) => void (s.vms = s.vms.filter((v) => v.id !== a.vmId)),
  };
  for (const a of plan.actions) (apply[a.kind] as (x: Action) => void)(a);
  return s;
}

function setPath(m: Mutable<MultipathMap>, dev: string, dmState: 'active' | 'failed'): void {
  m.groups = m.groups.map((g) => ({
    ...g,
    paths: g.paths.map((p) => (p.dev === dev ? { ...p, dmState } : p)),
  }));
}
