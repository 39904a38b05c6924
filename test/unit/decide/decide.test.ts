/** Table-driven decisions: a small host in, the expected actions / paths / warnings out. */
import { decide } from '../../../agent/decide';
import type { DecideInput } from '../../../agent/decide';
import type { Action, AgentMemory, Plan } from '../../../agent/model';
import type { VmPolicyValues } from '../../../agent/model/policy';
import type { ClusterView, EngineConfig } from '../../../agent/decide/types';
import type { MultipathMap } from '../../../agent/model/snapshot';
import type { HostSpec } from './host';
import { buildHost, builtinRegistry, memory, policies } from './host';

const NOW = 1_700_000_000_000;

/** Four paths of one LUN: group 1 on fabric A, group 2 on fabric B. */
const owned = (
  over: Partial<HostSpec['maps'][string]> = {},
  vm: Partial<HostSpec['vms'][string]> = {},
): HostSpec => ({
  paths: {
    sda: { fabric: 'A', adapter: 'host1', targetPort: 'a1' },
    sdb: { fabric: 'A', adapter: 'host1', targetPort: 'a2' },
    sdc: { fabric: 'B', adapter: 'host2', targetPort: 'b1' },
    sdd: { fabric: 'B', adapter: 'host2', targetPort: 'b2' },
  },
  maps: {
    mpatha: {
      groups: [
        ['sda', 'sdb'],
        ['sdc', 'sdd'],
      ],
      ...over,
    },
  },
  vms: { '101': { maps: ['mpatha'], raw: true, ...vm } },
});

/** Two LUNs seen over the same two physical paths, one path per group. */
const twoLuns: HostSpec = {
  paths: {
    sda: { adapter: 'host1', targetPort: 'p1' },
    sdb: { adapter: 'host2', targetPort: 'p2' },
    sdc: { adapter: 'host1', targetPort: 'p1' },
    sdd: { adapter: 'host2', targetPort: 'p2' },
  },
  maps: { mpatha: { groups: [['sda'], ['sdb']] }, mpathb: { groups: [['sdc'], ['sdd']] } },
  vms: { '101': { maps: ['mpatha'], raw: true }, '102': { maps: ['mpathb'], raw: true } },
};

/** One LUN shared by two VMs (LVs). */
const shared = (over: Partial<HostSpec['maps'][string]> = {}): HostSpec => ({
  ...owned(over),
  vms: { '101': { maps: ['mpatha'] }, '102': { maps: ['mpatha'] } },
});

interface Case {
  name: string;
  host: HostSpec;
  policy?: Record<string, Partial<VmPolicyValues>>;
  memory?: Partial<AgentMemory>;
  config?: Partial<EngineConfig>;
  cluster?: ClusterView;
  /** Expected actions as `kind target` strings, in order (ids without the prefix). */
  actions: string[];
  paths?: Record<string, Record<string, string[]>>;
  warnings?: string[];
  requeueAfterMs?: number;
  check?: (plan: Plan) => void;
}

const brief = (a: Action): string => {
  switch (a.kind) {
    case 'switch-group':
      return `switch-group ${a.map} ${a.group}`;
    case 'set-queueing':
      return `set-queueing ${a.map} ${a.queue}`;
    case 'set-io-limit':
      return `set-io-limit ${a.vmId} ${a.devT} ${JSON.stringify(a.limit)}`;
    case 'set-io-weight':
      return `set-io-weight ${a.vmId} ${a.weight}`;
    case 'migrate-vm':
      return `migrate-vm ${a.vmId} ${a.target}`;
    default:
      return a.id.replace(/:/, ' ').replace(/:/g, ' ');
  }
};

const cluster = (healthy: Record<string, number>): ClusterView => ({
  nodes: [
    { node: 'node1', online: true, healthyPathsByWwid: healthy },
    { node: 'node2', online: true, healthyPathsByWwid: healthy },
    { node: 'node3', online: false, healthyPathsByWwid: healthy },
  ],
});
const WWID = '36000000000000000';

const CASES: Case[] = [
  {
    name: 'VM-owned LUN pinned to fabric B: failback manual, then switch to group 2',
    host: owned({ failback: 'immediate' }),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    actions: ['set-failback-manual mpatha', 'switch-group mpatha 2'],
    paths: { '101': { mpatha: ['sdc', 'sdd'] } },
  },
  {
    name: "multipathd JSON failback '-' (manual or deferred, it cannot tell): failback manual written",
    host: owned({ failback: '-' }),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    actions: ['set-failback-manual mpatha', 'switch-group mpatha 2'],
  },
  {
    name: "failback '-' and vmpath.conf already says manual for the WWID: only the switch",
    host: owned({ failback: '-', vmpathConf: { failback: 'manual' } }),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    actions: ['switch-group mpatha 2'],
  },
  {
    name: 'pin on an owned one-group (multibus) map: warned, not silently ignored',
    host: owned({ groups: [['sda', 'sdb', 'sdc', 'sdd']] }),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    actions: [],
    warnings: ['pin-not-enforceable'],
    check: (p) => expect(p.warnings[0]?.message).toMatch(/group 1 also holds sda,sdb .*one path group/),
  },
  {
    name: 'ownedMapSelector: owned map with 2 usable paths in its group gets historical-service-time, once',
    host: owned({ failback: 'immediate' }),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    config: { ownedMapSelector: 'historical-service-time' },
    actions: ['set-failback-manual mpatha', 'set-path-selector mpatha', 'switch-group mpatha 2'],
    check: (p) => {
      const a = p.actions.find((x) => x.kind === 'set-path-selector');
      expect(a).toMatchObject({ map: 'mpatha', value: 'historical-service-time 0' });
      expect(a?.reason).toMatch(
        /mpatha is used by vm 101 alone \(2 usable paths in group 2, selector service-time\)/,
      );
    },
  },
  {
    name: 'ownedMapSelector: vmpath.conf already has the selector: not again',
    host: owned({
      vmpathConf: {
        failback: 'manual',
        pathSelector: 'historical-service-time 0',
      } as MultipathMap['vmpathConf'],
    }),
    config: { ownedMapSelector: 'historical-service-time' },
    actions: [],
  },
  {
    name: 'ownedMapSelector: only one usable path in the group the VM uses: nothing',
    host: owned({ failed: ['sda'], failback: 'manual' }),
    config: { ownedMapSelector: 'historical-service-time' },
    actions: [],
  },
  {
    name: 'ownedMapSelector on a map two VMs share: never',
    host: shared({ failback: 'manual' }),
    config: { ownedMapSelector: 'historical-service-time', perVmMaps: 'never' },
    actions: [],
  },
  {
    name: 'ownedMapSelector: a pin the one group cannot enforce: no selector, only the warning',
    host: owned({ groups: [['sda', 'sdb', 'sdc', 'sdd']], failback: 'manual' }),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    config: { ownedMapSelector: 'historical-service-time' },
    actions: [],
    warnings: ['pin-not-enforceable'],
  },
  {
    name: 'ownedMapSelector on a kernel without dm-historical-service-time: not written, warned',
    host: {
      ...owned({ failback: 'manual' }),
      host: {
        kernel: '6.1.0-56-cloud-amd64',
        pathSelectors: ['queue-length', 'round-robin', 'service-time'],
      },
    },
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    config: { ownedMapSelector: 'historical-service-time' },
    actions: ['switch-group mpatha 2'],
    warnings: ['selector-unavailable'],
    check: (p) =>
      expect(p.warnings[0]?.message).toMatch(
        /kernel 6\.1\.0-56-cloud-amd64 has no dm-historical-service-time module .*keeps service-time/,
      ),
  },
  {
    name: 'ownedMapSelector on a kernel that lists dm-historical-service-time: written',
    host: {
      ...owned({ failback: 'manual' }),
      host: { pathSelectors: ['historical-service-time', 'service-time'] },
    },
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    config: { ownedMapSelector: 'historical-service-time' },
    actions: ['set-path-selector mpatha', 'switch-group mpatha 2'],
  },
  {
    name: 'vmpath.conf names a selector the kernel cannot load: taken back out (even with ownedMapSelector keep)',
    host: {
      ...owned({
        failback: 'manual',
        vmpathConf: {
          failback: 'manual',
          pathSelector: 'historical-service-time 0',
        } as MultipathMap['vmpathConf'],
      }),
      host: { pathSelectors: ['round-robin', 'service-time'] },
    },
    actions: ['set-path-selector mpatha'],
    warnings: ['selector-unavailable'],
    check: (p) => {
      expect(p.actions[0]).toMatchObject({ kind: 'set-path-selector', map: 'mpatha', value: null });
      expect(p.actions[0]?.reason).toMatch(/multipathd cannot reload the map with it; removed/);
    },
  },
  {
    name: 'ownedMapSelector keep (the default): nothing written',
    host: owned({ failback: 'manual' }),
    actions: [],
  },
  {
    name: 'already on the pinned group: nothing to do',
    host: owned({ current: 2 }),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    actions: [],
  },
  {
    name: 'pin by path device and by group index',
    host: owned(),
    policy: { '101': { pin: [{ kind: 'path', dev: 'sdd' }] } },
    actions: ['switch-group mpatha 2'],
    check: (p) => expect(p.decisions[0]?.chosen).toEqual({ mpatha: ['sdd'] }),
  },
  {
    name: 'two LUNs over the same physical paths: affinity spreads the VMs',
    host: twoLuns,
    actions: ['switch-group mpathb 2'],
    paths: { '101': { mpatha: ['sda'] }, '102': { mpathb: ['sdd'] } },
  },
  {
    name: 'spread below the gain threshold: the VM stays',
    host: twoLuns,
    config: { rebalanceGainThreshold: 2 },
    actions: [],
  },
  {
    name: 'one path of the group lost: rebalanced onto the survivor, no switch',
    host: owned({ failed: ['sda'] }),
    actions: [],
    paths: { '101': { mpatha: ['sdb'] } },
  },
  {
    name: 'whole group lost: switch to the other group',
    host: owned({ failed: ['sda', 'sdb'] }),
    actions: ['switch-group mpatha 2'],
    paths: { '101': { mpatha: ['sdc', 'sdd'] } },
  },
  {
    name: 'offline device counts as lost even when dm says active',
    host: {
      ...owned(),
      paths: { ...owned().paths, sda: { state: 'offline' }, sdb: { state: 'transport-offline' } },
    },
    actions: ['switch-group mpatha 2'],
  },
  {
    name: 'all paths down, queue 30s, 10s in: queue and requeue at the deadline',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'] }),
    memory: { allPathsDownSince: { mpatha: NOW - 10_000 } },
    actions: ['set-queueing mpatha true'],
    requeueAfterMs: 20_000,
  },
  {
    name: "multipathd's no_path_retry fail under a queue VM: vmpath.conf no_path_retry queue, once per map",
    host: shared({ noPathRetry: 'fail' }),
    actions: ['set-no-path-retry mpatha'],
    check: (p) => {
      const a = p.actions[0];
      expect(a).toMatchObject({ kind: 'set-no-path-retry', value: 'queue', map: 'mpatha' });
      expect(a?.reason).toMatch(/vm 101 \(onAllPathsDown queue\).*no_path_retry is fail/);
    },
  },
  {
    name: 'no_path_retry already queue, or unknown, or every VM on the map wants fail: nothing',
    host: {
      ...twoLuns,
      maps: {
        mpatha: { groups: [['sda'], ['sdb']], noPathRetry: 'queue' },
        mpathb: { groups: [['sdc'], ['sdd']] },
      },
    },
    actions: ['switch-group mpathb 2'],
  },
  {
    name: 'onAllPathsDown fail on a map multipathd does not queue: left alone',
    host: owned({ noPathRetry: 'fail' }),
    policy: { '101': { onAllPathsDown: { action: 'fail' } } },
    actions: [],
  },
  {
    name: 'pause and migrate VMs need multipathd queueing too (retry count is not enough)',
    host: owned({ noPathRetry: 'retry' }),
    policy: { '101': { onAllPathsDown: { action: 'pause' } } },
    actions: ['set-no-path-retry mpatha'],
  },
  {
    name: 'all paths down past the queue deadline: pause',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'], queue: true }),
    memory: { allPathsDownSince: { mpatha: NOW - 31_000 } },
    actions: ['pause-vm 101'],
  },
  {
    name: 'pause policy: a VM vmpath already paused is not paused twice',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'], queue: true }, { runState: 'paused' }),
    policy: { '101': { onAllPathsDown: { action: 'pause' } } },
    memory: { pausedByVmpath: { '101': { sinceMs: NOW - 5000, reason: 'apd' } } },
    actions: [],
  },
  {
    name: 'pause policy: a VM someone else paused is not paused again',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'], queue: true }, { runState: 'paused' }),
    policy: { '101': { onAllPathsDown: { action: 'pause' } } },
    actions: [],
  },
  {
    name: 'paths back: resume the VM vmpath paused (auto)',
    host: owned({}, { runState: 'paused' }),
    memory: { pausedByVmpath: { '101': { sinceMs: NOW - 5000, reason: 'apd' } } },
    actions: ['resume-vm 101'],
  },
  {
    name: 'paths back: never resume a VM someone else paused',
    host: owned({}, { runState: 'paused' }),
    actions: [],
  },
  {
    name: 'paths back, resume leave-paused: warning, no resume',
    host: owned({}, { runState: 'paused' }),
    policy: { '101': { resume: { mode: 'leave-paused' } } },
    memory: { pausedByVmpath: { '101': { sinceMs: NOW - 5000, reason: 'apd' } } },
    actions: [],
    warnings: ['left-paused'],
  },
  {
    name: 'kill-after: still down after the deadline: kill',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'], queue: true }, { runState: 'paused' }),
    policy: { '101': { onAllPathsDown: { action: 'pause' }, resume: { mode: 'kill-after', seconds: 60 } } },
    memory: { pausedByVmpath: { '101': { sinceMs: NOW - 61_000, reason: 'apd' } } },
    actions: ['kill-vm 101'],
  },
  {
    name: 'migrate: to the online node that sees the LUN (never itself)',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'], queue: true }),
    policy: { '101': { onAllPathsDown: { action: 'migrate' } } },
    cluster: cluster({ [WWID]: 2 }),
    actions: ['migrate-vm 101 node2'],
  },
  {
    name: 'migrate: no node has healthy paths to the LUN → pause',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'], queue: true }),
    policy: { '101': { onAllPathsDown: { action: 'migrate' } } },
    cluster: cluster({ [WWID]: 0 }),
    actions: ['pause-vm 101'],
  },
  {
    name: 'fail: queue_if_no_path off',
    host: owned({ failed: ['sda', 'sdb', 'sdc', 'sdd'], queue: true }),
    policy: { '101': { onAllPathsDown: { action: 'fail' } } },
    actions: ['set-queueing mpatha false'],
  },
  {
    name: 'below minPaths: warn; with migrate + targets: proactive migration',
    host: owned({ failed: ['sda', 'sdb', 'sdc'] }),
    policy: { '101': { minPaths: 2, onAllPathsDown: { action: 'migrate' }, migrateTargets: ['node2'] } },
    cluster: cluster({ [WWID]: 4 }),
    actions: ['switch-group mpatha 2', 'migrate-vm 101 node2'],
    warnings: ['below-min-paths'],
  },
  {
    name: 'shared LUN: the pinned VM gets a per-VM map and its LV moves; the other gets limits only',
    host: shared(),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    actions: ['create-vm-map mpatha-vm101', 'move-lv vg-vm--101--disk--0'],
    check: (p) => {
      const create = p.actions[0] as Extract<Action, { kind: 'create-vm-map' }>;
      expect(create.uuid).toBe(`vmpath-101-${WWID}`);
      expect(create.table).toBe(
        '0 2097152 multipath 0 1 alua 2 1 service-time 0 2 2 8:32 1 1 8:48 1 1 service-time 0 2 2 8:0 1 1 8:16 1 1',
      );
      const move = p.actions[1] as Extract<Action, { kind: 'move-lv' }>;
      expect(move.table).toBe('0 1048576 linear /dev/mapper/mpatha-vm101 2048');
      expect(p.decisions.map((d) => d.mechanism)).toEqual([{ mpatha: 'vm-map' }, { mpatha: 'limits-only' }]);
    },
  },
  {
    name: 'shared LUN, pinned-or-limited: a limited VM gets a bio-mode per-VM map',
    host: shared({ queue: true }),
    policy: { '102': { limit: { readMBps: 100 } } },
    config: { perVmMaps: 'pinned-or-limited' },
    actions: [
      'create-vm-map mpatha-vm102',
      'move-lv vg-vm--102--disk--0',
      'set-io-limit 102 253:101 {"rbps":100000000}',
      'set-io-limit 102 8:32 {"rbps":100000000}',
    ],
    check: (p) =>
      expect((p.actions[0] as Extract<Action, { kind: 'create-vm-map' }>).table).toMatch(
        /^0 2097152 multipath 3 queue_if_no_path queue_mode bio 1 alua 3 1 service-time 0 1 2 8:32 1 1 service-time 0 2 2 8:0 1 1 8:16 1 1 service-time 0 1 2 8:48 1 1$/,
      ),
  },
  {
    name: 'limit split over two disks, capped per direction',
    host: {
      ...owned(),
      maps: { ...owned().maps, mpathb: { groups: [['sda'], ['sdc']] } },
      vms: { '101': { maps: ['mpatha', 'mpathb'], raw: true } },
    },
    policy: { '101': { limit: { readMBps: 100, writeIops: 1000 } } },
    actions: [
      'switch-group mpathb 2',
      'set-io-limit 101 253:0 {"rbps":50000000,"wiops":500}',
      'set-io-limit 101 253:1 {"rbps":50000000,"wiops":500}',
    ],
  },
  {
    name: 'reservations beyond path capacity: admitted by priority, the lower one degraded with a warning',
    host: shared(),
    policy: {
      '101': { priority: 90, reservation: { readMBps: 1000 } },
      '102': { priority: 10, reservation: { readMBps: 1000 } },
    },
    actions: [
      'set-io-limit 101 253:100 {"rbps":1200000000,"wbps":1200000000}',
      'set-io-limit 102 253:101 {"rbps":1000000000,"wbps":1000000000}',
    ],
    warnings: ['reservation-degraded'],
    check: (p) => {
      expect(p.warnings[0]?.message).toMatch(
        /vm 102 \(priority 10\): reservation 1000 MBps degraded to 800: paths sda,sdb .*reserved by vm 101/,
      );
      expect(p.decisions[0]?.inputs['reservation']).toEqual({ MBps: { wanted: 1000, granted: 1000 } });
    },
  },
  {
    name: 'limit increase stepped by limitStepFraction, with a requeue',
    host: owned({}, { cgroupIo: { limits: { '253:0': { rbps: 10_000_000 } } } }),
    policy: { '101': { limit: { readMBps: 100 } } },
    actions: ['set-io-limit 101 253:0 {"rbps":15000000}'],
    requeueAfterMs: 5000,
  },
  {
    name: 'limit decrease applies at once; equal observed limit: no action',
    host: owned({}, { cgroupIo: { limits: { '253:0': { rbps: 500_000_000 } }, weight: 200 } }),
    policy: { '101': { limit: { readMBps: 100 }, shares: 200 } },
    actions: ['set-io-limit 101 253:0 {"rbps":100000000}'],
  },
  {
    name: 'shares → io.weight',
    host: owned(),
    policy: { '101': { shares: 300 } },
    actions: ['set-io-weight 101 300'],
  },
  {
    name: 'hold-down: a path back 5s ago is not used for a new assignment',
    config: { holdDownSeconds: 30 },
    host: owned(),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    memory: { paths: { sdc: { usable: true, lastChangeMs: NOW - 5000, transitionsMs: [NOW - 5000] } } },
    actions: ['switch-group mpatha 2'],
    check: (p) => expect(p.decisions[0]?.chosen).toEqual({ mpatha: ['sdd'] }),
  },
  {
    name: 'hold-down: a path the last reconcile saw down and that is back now is held down from now',
    config: { holdDownSeconds: 30 },
    host: owned(),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    memory: { paths: { sdc: { usable: false, lastChangeMs: NOW - 60_000, transitionsMs: [NOW - 60_000] } } },
    actions: ['switch-group mpatha 2'],
    check: (p) => {
      expect(p.decisions[0]?.chosen).toEqual({ mpatha: ['sdd'] });
      expect(p.decisions[0]?.reasons.join('\n')).toMatch(
        /path sdc not used for new assignments: came back 0s ago/,
      );
    },
  },
  {
    name: 'no hold-down by default: a path back now is used at once',
    host: owned(),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    memory: { paths: { sdc: { usable: false, lastChangeMs: NOW - 60_000, transitionsMs: [NOW - 60_000] } } },
    actions: ['switch-group mpatha 2'],
    check: (p) => expect(p.decisions[0]?.chosen).toEqual({ mpatha: ['sdc', 'sdd'] }),
  },
  {
    name: 'flapping path is not used for a new assignment',
    host: owned(),
    policy: { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } },
    memory: {
      paths: {
        sdc: {
          usable: true,
          lastChangeMs: NOW - 100_000,
          transitionsMs: [1, 2, 3, 4, 5].map((i) => NOW - i * 30_000),
        },
      },
    },
    actions: ['switch-group mpatha 2'],
    check: (p) => expect(p.decisions[0]?.chosen).toEqual({ mpatha: ['sdd'] }),
  },
  {
    name: 'invalid policy: the VM is left alone with a warning',
    host: owned(),
    policy: {
      '101': {
        limit: { readMBps: 10 },
        reservation: { readMBps: 20 },
        pin: [{ kind: 'fabric', fabric: 'B' }],
      },
    },
    actions: [],
    warnings: ['VMPATH_E_POLICY_INVALID'],
  },
  {
    name: 'unknown selector: falls back to affinity with a warning',
    host: owned(),
    policy: { '101': { selector: 'nope' } },
    actions: [],
    warnings: ['selector-fallback'],
  },
];

describe('decide: table', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const input: DecideInput = {
      snapshot: buildHost(c.host),
      policies: policies(c.policy ?? {}),
      memory: memory(c.memory),
      nowMs: NOW,
      selectors: builtinRegistry(),
      config: c.config,
      cluster: c.cluster,
    };
    const plan = decide(input);
    expect(plan.actions.map(brief)).toEqual(c.actions);
    for (const a of plan.actions) {
      expect(a.reason.length).toBeGreaterThan(0);
      expect(a.trigger).toBe('automatic');
    }
    if (c.paths)
      for (const [vm, perMap] of Object.entries(c.paths))
        expect(plan.decisions.find((d) => d.vmId === vm)?.paths).toEqual(perMap);
    expect(plan.warnings.map((w) => w.code)).toEqual(c.warnings ?? []);
    if (c.requeueAfterMs !== undefined) expect(plan.requeueAfterMs).toBe(c.requeueAfterMs);
    c.check?.(plan);
    expect(decide(input)).toEqual(plan);
  });
});
