/**
 * Per-VM maps follow their base map's path devices: when multipathd adds or removes a path
 * device of a shared LUN, decide plans `reload-vm-map` with the table create-vm-map would build
 * now, and the base map's unusable paths to fail after it. Table-driven: a host where VM 101
 * already has its per-VM map (made by a first plan), then the base map changes.
 */
import { decide, memoryAfter } from '../../../agent/decide';
import type { DecideInput } from '../../../agent/decide';
import type { Action, Plan } from '../../../agent/model';
import type { VmPolicyValues } from '../../../agent/model/policy';
import type { EngineConfig } from '../../../agent/decide/types';
import { applyPlanToSnapshot } from './apply-plan';
import type { HostSpec, PathSpec } from './host';
import { buildHost, builtinRegistry, memory, policies } from './host';

const NOW = 1_700_000_000_000;
const PATHS: Record<string, PathSpec> = {
  sda: { fabric: 'A', adapter: 'host1', targetPort: 'a1' },
  sdb: { fabric: 'A', adapter: 'host1', targetPort: 'a2' },
  sdc: { fabric: 'B', adapter: 'host2', targetPort: 'b1' },
  sdd: { fabric: 'B', adapter: 'host2', targetPort: 'b2' },
  sde: { fabric: 'B', adapter: 'host3', targetPort: 'b3' },
};
/** sde exists as a device from the start (so its MAJ:MIN is stable); the map may or may not hold it. */
const host = (groups: string[][], failed: string[] = []): HostSpec => ({
  paths: PATHS,
  maps: { mpatha: { groups, failed } },
  vms: { '101': { maps: ['mpatha'] }, '102': { maps: ['mpatha'] } },
});
const BEFORE = [
  ['sda', 'sdb'],
  ['sdc', 'sdd'],
];
const PIN_B: Record<string, Partial<VmPolicyValues>> = { '101': { pin: [{ kind: 'fabric', fabric: 'B' }] } };

const LIMITED: Record<string, Partial<VmPolicyValues>> = {
  '101': { pin: [{ kind: 'fabric', fabric: 'B' }], limit: { readMBps: 100 } },
};

function input(
  snapshot: DecideInput['snapshot'],
  mem = memory(),
  config?: Partial<EngineConfig>,
  policy = PIN_B,
): DecideInput {
  return {
    snapshot,
    policies: policies(policy),
    memory: mem,
    nowMs: NOW,
    selectors: builtinRegistry(),
    ...(config ? { config } : {}),
  };
}

/**
 * VM 101's per-VM map made by a first plan over `BEFORE` (with policy `made`), then the base map
 * replaced by `groups` and decided with policy `now`.
 */
function after(c: Pick<Case, 'groups' | 'failed' | 'config' | 'made' | 'now'>): Plan {
  const { groups, failed = [], config, made: policyMade = PIN_B, now = policyMade } = c;
  const first = buildHost(host(BEFORE));
  const plan1 = decide(input(first, memory(), config, policyMade));
  const made = applyPlanToSnapshot(first, plan1);
  const mem = memoryAfter(memory(), made, plan1, NOW);
  const changed = buildHost(host(groups, failed));
  const snapshot = { ...made, maps: made.maps.map((m) => (m.name === 'mpatha' ? changed.maps[0]! : m)) };
  return decide({ ...input(snapshot, mem, config, now), nowMs: NOW + 60_000 });
}

type Reload = Extract<Action, { kind: 'reload-vm-map' }>;
const brief = (a: Action): string => `${a.kind} ${'name' in a ? a.name : 'map' in a ? a.map : a.vmId}`;

interface Case {
  name: string;
  groups: string[][];
  failed?: string[];
  config?: Partial<EngineConfig>;
  /** VM policies when the per-VM map was made, and now (default: pinned to fabric B). */
  made?: Record<string, Partial<VmPolicyValues>>;
  now?: Record<string, Partial<VmPolicyValues>>;
  actions: string[];
  check?: (reload: Reload, plan: Plan) => void;
}

const CASES: Case[] = [
  {
    name: 'base map unchanged: no reload (steady state)',
    groups: BEFORE,
    actions: [],
  },
  {
    name: 'path removed (sdd gone from the base map): reload over sda, sdb, sdc; sdc first',
    groups: [['sda', 'sdb'], ['sdc']],
    actions: ['reload-vm-map mpatha-vm101'],
    check: (r, p) => {
      expect(r.table).toBe(
        '0 2097152 multipath 0 1 alua 2 1 service-time 0 1 2 8:32 1 1 service-time 0 2 2 8:0 1 1 8:16 1 1',
      );
      expect(r.failPaths).toEqual([]);
      expect(r.reason).toMatch(/map mpatha changed its path devices \(removed 8:48\): reload per-VM map/);
      expect(r).toMatchObject({ vmId: '101', baseMap: 'mpatha', trigger: 'automatic' });
      expect(p.decisions.find((d) => d.vmId === '101')?.paths).toEqual({ mpatha: ['sdc'] });
    },
  },
  {
    name: 'path added (sde joins group 2): reload with sde; no switch-group against the old table',
    groups: [
      ['sda', 'sdb'],
      ['sdc', 'sdd', 'sde'],
    ],
    actions: ['reload-vm-map mpatha-vm101'],
    check: (r) => {
      expect(r.table).toMatch(/ 8:64 1 1/);
      expect(r.table.split(' ').filter((w) => /^8:\d+$/.test(w))).toHaveLength(5);
      expect(r.reason).toMatch(/\(added 8:64\)/);
    },
  },
  {
    name: 'path added while failed on the base map: reloaded with it, then failed',
    groups: [
      ['sda', 'sdb'],
      ['sdc', 'sdd', 'sde'],
    ],
    failed: ['sde', 'sda'],
    actions: ['reload-vm-map mpatha-vm101'],
    check: (r) => expect(r.failPaths).toEqual(['8:0', '8:64']),
  },
  {
    name: 'path added and one removed at once: both named in the reason',
    groups: [
      ['sda', 'sdb'],
      ['sdc', 'sde'],
    ],
    actions: ['reload-vm-map mpatha-vm101'],
    check: (r) => expect(r.reason).toMatch(/\(added 8:64; removed 8:48\)/),
  },
  {
    name: 'every path removed: reloaded with no path group (initial group 0), so no gone device stays open',
    groups: [],
    actions: ['reload-vm-map mpatha-vm101', 'set-queueing mpatha', 'set-queueing mpatha-vm101'],
    check: (r, p) => {
      expect(r.table).toBe('0 2097152 multipath 0 1 alua 0 0');
      expect(p.decisions.find((d) => d.vmId === '101')?.state).toBe('all-paths-down');
    },
  },
  {
    name: 'a bio-mode per-VM map is reloaded in bio mode',
    groups: [['sda', 'sdb'], ['sdc']],
    config: { perVmMaps: 'pinned-or-limited' },
    made: LIMITED,
    actions: ['reload-vm-map mpatha-vm101', 'set-io-limit 101'], // the per-path limit moves too
    check: (r) => expect(r.table).toMatch(/^0 2097152 multipath 2 queue_mode bio 1 alua /),
  },
  {
    name: 'a request-based per-VM map stays request-based even if the VM now wants bio (no live switch)',
    groups: [['sda', 'sdb'], ['sdc']],
    config: { perVmMaps: 'pinned-or-limited' },
    now: LIMITED,
    actions: ['reload-vm-map mpatha-vm101', 'set-io-limit 101', 'set-io-limit 101'],
    check: (r) => expect(r.table).toMatch(/^0 2097152 multipath 0 1 alua /),
  },
];

describe('decide: per-VM map rebuild when the base map changes', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const plan = after(c);
    expect(plan.actions.map(brief)).toEqual(c.actions);
    const reload = plan.actions.find((a): a is Reload => a.kind === 'reload-vm-map');
    if (reload) c.check?.(reload, plan);
  });

  it('after the reload is applied, the next plan is steady', () => {
    const plan = after({ groups: [['sda', 'sdb'], ['sdc']] });
    const first = buildHost(host(BEFORE));
    const plan1 = decide(input(first));
    const made = applyPlanToSnapshot(first, plan1);
    const changed = buildHost(host([['sda', 'sdb'], ['sdc']]));
    const snapshot = { ...made, maps: made.maps.map((m) => (m.name === 'mpatha' ? changed.maps[0]! : m)) };
    const reloaded = applyPlanToSnapshot(snapshot, plan);
    const mem = memoryAfter(memoryAfter(memory(), made, plan1, NOW), reloaded, plan, NOW + 60_000);
    expect(decide({ ...input(reloaded, mem), nowMs: NOW + 120_000 }).actions.map(brief)).toEqual([]);
  });
});
