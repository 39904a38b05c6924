/** A tiny DSL for hand-written hosts in table-driven decide/ tests. */
import type {
  AgentMemory,
  HostSnapshot,
  MultipathMap,
  PathDevice,
  PolicyLayer,
  PolicySet,
  Vm,
} from '../../../agent/model';
import { EMPTY_MEMORY } from '../../../agent/model';
import type { VmPolicyValues } from '../../../agent/model/policy';
import { SelectorRegistry } from '../../../agent/decide/selector';
import { BUILTIN_SELECTORS } from '../../../agent/decide/selectors';
import type { DeviceState, VmCgroupIo, VmRunState } from '../../../agent/model/snapshot';

export interface PathSpec {
  fabric?: string;
  adapter?: string;
  targetPort?: string;
  state?: DeviceState;
  capacityMBps?: number;
  inflight?: number;
  /** SCSI H:C:T:L; default `<index>:0:0:0`, `null` for none. */
  hcil?: string | null;
}
export interface MapSpec {
  groups: string[][];
  current?: number;
  failed?: string[];
  failback?: string;
  queue?: boolean;
  /** multipathd's no_path_retry as observed (absent: multipathd's setting not known). */
  noPathRetry?: MultipathMap['noPathRetry'];
  vmpathConf?: MultipathMap['vmpathConf'];
  wwid?: string;
}
export interface VmSpec {
  maps: string[];
  /** Disks are LVs on the map (default) or the raw map. */
  raw?: boolean;
  runState?: VmRunState;
  cgroupIo?: VmCgroupIo;
  noCgroup?: boolean;
}
export interface HostSpec {
  paths: Record<string, PathSpec>;
  maps: Record<string, MapSpec>;
  vms: Record<string, VmSpec>;
  /** Host facts beyond the defaults (hostname node1, cgroup v2). */
  host?: Partial<HostSnapshot['host']>;
}

/**
 * Path devices of LUNs on four physical ports p1..p4 (fabric A: p1, p2 on host1; B: p3, p4 on
 * host2): each list names one LUN's four paths, in port order.
 */
export function onFourPorts(...luns: readonly (readonly string[])[]): HostSpec['paths'] {
  const paths: HostSpec['paths'] = {};
  for (const devs of luns)
    devs.forEach((d, i) => {
      paths[d] = { fabric: i < 2 ? 'A' : 'B', adapter: `host${i < 2 ? 1 : 2}`, targetPort: `p${i + 1}` };
    });
  return paths;
}

export function pathDevT(spec: HostSpec, dev: string): string {
  return `8:${Object.keys(spec.paths).indexOf(dev) * 16}`;
}

export function buildHost(spec: HostSpec): HostSnapshot {
  const paths: PathDevice[] = Object.entries(spec.paths).map(([dev, p], i) => ({
    dev,
    devT: `8:${i * 16}`,
    ...(p.hcil === null ? {} : { hcil: p.hcil ?? `${i}:0:0:0` }),
    deviceState: p.state ?? 'running',
    inflight: { read: p.inflight ?? 0, write: 0 },
    transport: { kind: 'fc', adapter: p.adapter, targetPort: p.targetPort },
    fabric: p.fabric,
    capacityMBps: p.capacityMBps,
  }));
  const maps: MultipathMap[] = Object.entries(spec.maps).map(([name, m], i) => ({
    name,
    wwid: m.wwid ?? `36000000000000${String(i).padStart(3, '0')}`,
    dm: `dm-${i}`,
    devT: `253:${i}`,
    sizeSectors: 2097152,
    features: m.queue ? ['queue_if_no_path'] : [],
    queueIfNoPath: m.queue ?? false,
    queueMode: 'rq',
    hwHandler: '1 alua',
    groups: m.groups.map((devs, gi) => ({
      index: gi + 1,
      state: gi + 1 === (m.current ?? 1) ? 'active' : 'enabled',
      selector: 'service-time',
      selectorArgs: [],
      paths: devs.map((dev) => ({
        dev,
        devT: pathDevT(spec, dev),
        dmState: m.failed?.includes(dev) ? 'failed' : 'active',
      })),
    })),
    activeGroup: m.current ?? 1,
    nextGroup: m.current ?? 1,
    failback: m.failback ?? 'manual',
    ...(m.noPathRetry ? { noPathRetry: m.noPathRetry } : {}),
    ...(m.vmpathConf ? { vmpathConf: m.vmpathConf } : {}),
    owner: 'multipathd',
    holders: [],
  }));
  let lvMinor = 100;
  const vms: Vm[] = Object.entries(spec.vms).map(([id, v]) => ({
    id,
    kind: 'proxmox',
    name: `vm${id}`,
    pid: 1000 + Number(id.replace(/\D/g, '') || 0),
    cgroup: v.noCgroup ? undefined : { version: 2, path: `/qemu.slice/${id}.scope` },
    runState: v.runState ?? 'running',
    cgroupIo: v.cgroupIo ?? { limits: {} },
    disks: v.maps.map((name, j) => {
      const m = maps.find((x) => x.name === name) as MultipathMap;
      const mp = { dev: m.dm, devT: m.devT, kind: 'multipath' as const };
      if (v.raw) return { devT: m.devT, dev: m.dm, chain: [mp], maps: [name] };
      const devT = `253:${lvMinor++}`;
      const lv = {
        dev: `dm-${devT.split(':')[1]}`,
        dmName: `vg-vm--${id}--disk--${j}`,
        devT,
        kind: 'lv' as const,
        table: `0 1048576 linear ${m.devT} 2048`,
      };
      return { devT, dev: lv.dev, chain: [lv, mp], maps: [name] };
    }),
  }));
  return {
    takenAtMs: 0,
    host: { hostname: 'node1', cgroupMode: 'v2', ...spec.host },
    maps,
    paths,
    vms,
    diagnostics: [],
  };
}

export function policies(
  byVm: Record<string, Partial<VmPolicyValues>>,
  allVms: Partial<VmPolicyValues> = {},
): PolicySet {
  const layer = (values: Partial<VmPolicyValues>, source: string): PolicyLayer => ({
    origin: { kind: 'host-config', source },
    values,
  });
  return {
    allVms: Object.keys(allVms).length ? [layer(allVms, 'test:defaults')] : [],
    byVm: Object.fromEntries(Object.entries(byVm).map(([id, v]) => [id, [layer(v, `test:vm ${id}`)]])),
  };
}

export function builtinRegistry(): SelectorRegistry {
  const r = new SelectorRegistry();
  for (const s of BUILTIN_SELECTORS) r.register(s, 'builtin');
  return r;
}

export function memory(partial: Partial<AgentMemory> = {}): AgentMemory {
  return { ...EMPTY_MEMORY, ...partial };
}
