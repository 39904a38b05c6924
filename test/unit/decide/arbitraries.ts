/**
 * fast-check generators of random hosts for property tests: a few physical ports (adapter ×
 * target port, fabric A/B), LUN maps over subsets of them in 1–3 groups with failed/offline
 * paths, VMs with 1–2 disks (LVs or raw maps), random policies, memory consistent with the
 * snapshot (pauses, path histories, down-since) and a cluster view.
 */
import fc from 'fast-check';
import type { DecideInput } from '../../../agent/decide';
import type { ClusterView, EngineConfig } from '../../../agent/decide/types';
import type { AgentMemory, HostSnapshot, PathHistory, PolicySet } from '../../../agent/model';
import { isPathUsable } from '../../../agent/model';
import type { PinTarget, VmPolicyValues } from '../../../agent/model/policy';
import type { HostSpec } from './host';
import { buildHost, builtinRegistry, policies } from './host';

export const NOW = 1_700_000_000_000;

const arbPathSpec = fc.record({
  group: fc.integer({ min: 0, max: 2 }),
  fate: fc.integer({ min: 0, max: 9 }), // 0: dm failed, 1: device offline, else fine
  inflight: fc.integer({ min: 0, max: 8 }),
});

const arbMap = (nPorts: number) =>
  fc.record({
    ports: fc.uniqueArray(fc.integer({ min: 0, max: nPorts - 1 }), { minLength: 1, maxLength: nPorts }),
    paths: fc.array(arbPathSpec, { minLength: nPorts, maxLength: nPorts }),
    current: fc.integer({ min: 1, max: 3 }),
    failback: fc.constantFrom('manual', 'immediate'),
    queue: fc.boolean(),
  });

const arbRate = fc.option(
  fc.record(
    {
      readMBps: fc.integer({ min: 10, max: 2000 }),
      writeMBps: fc.integer({ min: 10, max: 2000 }),
      readIops: fc.integer({ min: 100, max: 50000 }),
      writeIops: fc.integer({ min: 100, max: 50000 }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const arbPolicy = fc.record(
  {
    priority: fc.integer({ min: 0, max: 100 }),
    shares: fc.integer({ min: 1, max: 1000 }),
    pin: fc.constantFrom<PinTarget[][]>(
      [],
      [{ kind: 'fabric', fabric: 'A' }],
      [{ kind: 'fabric', fabric: 'B' }],
      [{ kind: 'group', index: 2 }],
      [{ kind: 'adapter', adapter: 'host2' }],
    ),
    pinPath: fc.integer({ min: 0, max: 7 }),
    limit: arbRate,
    reservation: fc.option(
      fc.record(
        { readMBps: fc.integer({ min: 1, max: 1500 }), writeIops: fc.integer({ min: 1, max: 20000 }) },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
    minPaths: fc.integer({ min: 1, max: 3 }),
    onAllPathsDown: fc.constantFrom<VmPolicyValues['onAllPathsDown'][]>(
      { action: 'queue', forSeconds: 0 },
      { action: 'queue', forSeconds: 60 },
      { action: 'pause' },
      { action: 'migrate' },
      { action: 'fail' },
    ),
    resume: fc.constantFrom<VmPolicyValues['resume'][]>(
      { mode: 'auto' },
      { mode: 'leave-paused' },
      { mode: 'kill-after', seconds: 100 },
    ),
    migrateTargets: fc.constantFrom([], ['node2'], ['node3', 'node2']),
    selector: fc.constantFrom('affinity', 'least-pending', 'weighted-share', 'round-robin'),
  },
  { requiredKeys: [] },
);

const arbVm = (nMaps: number) =>
  fc.record({
    maps: fc.uniqueArray(fc.integer({ min: 0, max: nMaps - 1 }), { minLength: 1, maxLength: 2 }),
    raw: fc.boolean(),
    paused: fc.integer({ min: 0, max: 3 }), // 0: paused by vmpath, 1: paused by someone else
    weight: fc.constantFrom(undefined, 100, 300),
    policy: arbPolicy,
    pausedAgoS: fc.integer({ min: 0, max: 200 }),
  });

export interface RandomHost {
  readonly input: DecideInput;
  readonly spec: HostSpec;
}

export const arbConfig: fc.Arbitrary<Partial<EngineConfig>> = fc.record(
  {
    perVmMaps: fc.constantFrom<EngineConfig['perVmMaps'][]>('never', 'pinned', 'pinned-or-limited', 'steer'),
    rebalanceGainThreshold: fc.constantFrom(0, 0.25, 1),
  },
  { requiredKeys: [] },
);

export function arbHost(config: fc.Arbitrary<Partial<EngineConfig>> = arbConfig): fc.Arbitrary<RandomHost> {
  return fc
    .record({
      nPorts: fc.integer({ min: 2, max: 4 }),
      nMaps: fc.integer({ min: 1, max: 4 }),
      nVms: fc.integer({ min: 1, max: 6 }),
    })
    .chain(({ nPorts, nMaps, nVms }) =>
      fc.record({
        nPorts: fc.constant(nPorts),
        caps: fc.array(fc.constantFrom(undefined, 500, 2000), { minLength: nPorts, maxLength: nPorts }),
        maps: fc.array(arbMap(nPorts), { minLength: nMaps, maxLength: nMaps }),
        vms: fc.array(arbVm(nMaps), { minLength: nVms, maxLength: nVms }),
        histories: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 16, maxLength: 16 }),
        downAgoS: fc.array(fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }), {
          minLength: nMaps,
          maxLength: nMaps,
        }),
        healthy: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: nMaps * 2, maxLength: nMaps * 2 }),
        config,
      }),
    )
    .map((r) => {
      const spec: HostSpec = { paths: {}, maps: {}, vms: {} };
      const mapNames = r.maps.map((_, i) => `mpath${String.fromCharCode(97 + i)}`);
      r.maps.forEach((m, mi) => {
        const groups: string[][] = [[], [], []];
        const failed: string[] = [];
        for (const port of [...m.ports].sort()) {
          const dev = `sd${String.fromCharCode(97 + mi)}${port}`;
          const p = m.paths[port] as (typeof m.paths)[number];
          spec.paths[dev] = {
            adapter: `host${(port % 2) + 1}`,
            targetPort: `p${port}`,
            fabric: port % 2 ? 'B' : 'A',
            capacityMBps: r.caps[port],
            inflight: p.inflight,
            state: p.fate === 1 ? 'offline' : 'running',
          };
          if (p.fate === 0) failed.push(dev);
          (groups[p.group] as string[]).push(dev);
        }
        const gs = groups.filter((g) => g.length > 0);
        spec.maps[mapNames[mi] as string] = {
          groups: gs,
          current: Math.min(m.current, gs.length),
          failed,
          failback: m.failback,
          queue: m.queue,
        };
      });
      const byVm: Record<string, Partial<VmPolicyValues>> = {};
      r.vms.forEach((v, i) => {
        const id = String(101 + i);
        spec.vms[id] = {
          maps: v.maps.map((k) => mapNames[k] as string),
          raw: v.raw,
          runState: v.paused <= 1 ? 'paused' : 'running',
          cgroupIo: { limits: {}, ...(v.weight !== undefined ? { weight: v.weight } : {}) },
        };
        const { pinPath, ...pol } = v.policy;
        const devs = Object.keys(spec.paths);
        byVm[id] =
          pinPath === 7 && devs.length
            ? { ...pol, pin: [{ kind: 'path', dev: devs[pinPath % devs.length] as string }] }
            : pol;
      });
      const snapshot = buildHost(spec);
      const memory = memoryFor(
        snapshot,
        r.vms.map((v) => (v.paused === 0 ? v.pausedAgoS : undefined)),
        r.histories,
        r.downAgoS,
      );
      const cluster: ClusterView = {
        nodes: ['node2', 'node3'].map((node, ni) => ({
          node,
          online: true,
          healthyPathsByWwid: Object.fromEntries(
            snapshot.maps.map((m, mi) => [m.wwid, r.healthy[mi * 2 + ni] ?? 0]),
          ),
        })),
      };
      const policySet: PolicySet = policies(byVm);
      const input: DecideInput = {
        snapshot,
        policies: policySet,
        memory,
        nowMs: NOW,
        selectors: builtinRegistry(),
        cluster,
        config: r.config,
      };
      return { input, spec };
    });
}

function memoryFor(
  snapshot: HostSnapshot,
  pausedAgoS: readonly (number | undefined)[],
  histories: readonly number[],
  downAgoS: readonly (number | undefined)[],
): AgentMemory {
  const devices = new Map(snapshot.paths.map((d) => [d.dev, d]));
  const paths: Record<string, PathHistory> = {};
  let i = 0;
  for (const m of snapshot.maps)
    for (const g of m.groups)
      for (const p of g.paths) {
        const kind = histories[i++ % histories.length];
        const usable = isPathUsable(p, devices.get(p.dev));
        if (kind === 1) paths[p.dev] = { usable, lastChangeMs: NOW - 5000, transitionsMs: [NOW - 5000] };
        if (kind === 2)
          paths[p.dev] = {
            usable,
            lastChangeMs: NOW - 60_000,
            transitionsMs: [1, 2, 3, 4, 5, 6].map((k) => NOW - k * 10_000),
          };
        if (kind === 3)
          paths[p.dev] = { usable, lastChangeMs: NOW - 600_000, transitionsMs: [NOW - 600_000] };
      }
  const pausedByVmpath: AgentMemory['pausedByVmpath'] = Object.fromEntries(
    snapshot.vms.flatMap((vm, k) => {
      const ago = pausedAgoS[k];
      return ago === undefined ? [] : [[vm.id, { sinceMs: NOW - ago * 1000, reason: 'all paths down' }]];
    }),
  );
  const allPathsDownSince: Record<string, number> = {};
  snapshot.maps.forEach((m, k) => {
    const ago = downAgoS[k];
    const down = m.groups.every((g) => g.paths.every((p) => !isPathUsable(p, devices.get(p.dev))));
    if (down && ago !== undefined) allPathsDownSince[m.name] = NOW - ago * 1000;
  });
  return { pausedByVmpath, allPathsDownSince, paths, assignments: {}, migrations: {} };
}
