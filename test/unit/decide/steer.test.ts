/**
 * perVmMaps 'steer' (agent/decide/steer.ts): VMs on a shared LUN get per-VM maps that leave the
 * path a VM on a failover-grouped LUN depends on to it (weighted by shares), regroup only when
 * that choice changes (not on a plain path failure), and a pinned VM owning a one-group LVM map
 * is confined by a per-VM map instead of a pin-not-enforceable warning.
 */
import { decide, memoryAfter } from '../../../agent/decide';
import type { DecideInput } from '../../../agent/decide';
import type { EngineConfig } from '../../../agent/decide/types';
import type { Action, HostSnapshot, Plan } from '../../../agent/model';
import type { VmPolicyValues } from '../../../agent/model/policy';
import { applyPlanToSnapshot } from './apply-plan';
import type { HostSpec } from './host';
import { buildHost, builtinRegistry, memory, onFourPorts, policies } from './host';

const NOW = 1_700_000_000_000;

/**
 * Four physical paths p1..p4 (fabric A: p1, p2; B: p3, p4). mpatha: shared multibus LUN (VMs 101,
 * 102 as LVs); mpathb: a failover-grouped LUN (one path per group) owned by raw VM 103.
 */
function host(): HostSpec {
  const paths = onFourPorts(['sda', 'sdb', 'sdc', 'sdd'], ['sde', 'sdf', 'sdg', 'sdh']);
  return {
    paths,
    maps: {
      mpatha: { groups: [['sda', 'sdb', 'sdc', 'sdd']] },
      mpathb: { groups: [['sde'], ['sdf'], ['sdg'], ['sdh']] },
    },
    vms: { '101': { maps: ['mpatha'] }, '102': { maps: ['mpatha'] }, '103': { maps: ['mpathb'], raw: true } },
  };
}

const STEER: Partial<EngineConfig> = { perVmMaps: 'steer' };

function input(
  snapshot: HostSnapshot,
  policy: Record<string, Partial<VmPolicyValues>> = {},
  config: Partial<EngineConfig> = STEER,
): DecideInput {
  return {
    snapshot,
    policies: policies(policy),
    memory: memory(),
    nowMs: NOW,
    config,
    selectors: builtinRegistry(),
  };
}

const of = <K extends Action['kind']>(p: Plan, kind: K): (Action & { kind: K })[] =>
  p.actions.filter((a): a is Action & { kind: K } => a.kind === kind);

/** Devices (MAJ:MIN) of group 1 of a multipath table. */
function firstGroup(table: string): string[] {
  const w = table.split(' ');
  let i = 3;
  i += 1 + Number(w[i]); // features
  i += 1 + Number(w[i]); // hardware handler
  i += 2; // nr groups, initial group
  i += 1; // selector
  i += 1 + Number(w[i]); // selector args
  const n = Number(w[i]);
  const nargs = Number(w[i + 1]);
  i += 2;
  const out: string[] = [];
  for (let k = 0; k < n; k++, i += 1 + nargs) out.push(w[i] as string);
  return out;
}

describe("decide: perVmMaps 'steer'", () => {
  it("unpinned VMs on a shared LUN get per-VM maps without the failover VM's path", () => {
    const snap = buildHost(host());
    const plan = decide(input(snap));
    const creates = of(plan, 'create-vm-map');
    expect(creates.map((a) => a.name)).toEqual(['mpatha-vm101', 'mpatha-vm102']);
    // vm 103 owns mpathb (failover): it stays on group 1 = sde = physical p1, so sda (p1) is left to it
    for (const c of creates) expect(firstGroup(c.table)).toEqual(['8:16', '8:32', '8:48']);
    expect(of(plan, 'move-lv').map((a) => a.lv)).toEqual(['vg-vm--101--disk--0', 'vg-vm--102--disk--0']);
    const d101 = plan.decisions.find((d) => d.vmId === '101');
    expect(d101?.paths).toEqual({ mpatha: ['sdb', 'sdc', 'sdd'] });
    expect(d101?.reasons.join('\n')).toMatch(/path sda left to vm 103 \(confined to it by its own map/);
    expect(plan.decisions.find((d) => d.vmId === '103')?.paths).toEqual({ mpathb: ['sde'] });
    expect(plan.warnings).toEqual([]);
  });

  it('the default (pinned) leaves unpinned VMs on the shared map: no per-VM maps', () => {
    const plan = decide(input(buildHost(host()), {}, {}));
    expect(of(plan, 'create-vm-map')).toEqual([]);
    expect(plan.decisions.find((d) => d.vmId === '101')?.mechanism).toEqual({ mpatha: 'limits-only' });
  });

  it('by shares: a VM may share the path while the confined VM keeps its entitlement', () => {
    // 4 paths × 1000 MB/s, shares 1000 + 100 + 100: vm 103 is entitled to 333 MB/s of its path,
    // i.e. a weight fraction of 1/3: room for 200 more shares. 101 (1000) is left out, 102 (100) fits.
    const plan = decide(input(buildHost(host()), { '101': { shares: 1000 } }));
    const first = Object.fromEntries(of(plan, 'create-vm-map').map((c) => [c.vmId, firstGroup(c.table)]));
    expect(first['101']).toEqual(['8:16', '8:32', '8:48']);
    expect(first['102']).toEqual(['8:0', '8:16', '8:32', '8:48']);
  });

  it('VMs vmpath cannot steer (a raw multibus LUN) do not shrink the room', () => {
    const spec = host();
    ['sdi', 'sdj', 'sdk', 'sdl'].forEach(
      (d, i) => (spec.paths[d] = { ...(spec.paths[`sd${'abcd'[i]}`] ?? {}) }),
    );
    spec.maps.mpathc = { groups: [['sdi', 'sdj', 'sdk', 'sdl']] };
    spec.vms['105'] = { maps: ['mpathc'], raw: true };
    // λ = 4000 / 1600 = 2.5 MB/s per share: vm 103 is entitled to 250 MB/s, room for 300 shares;
    // vm 105 (400 shares, over all four paths) is not taken from it, so 102 (100) still fits
    const plan = decide(input(buildHost(spec), { '101': { shares: 1000 }, '105': { shares: 400 } }));
    const first = Object.fromEntries(of(plan, 'create-vm-map').map((c) => [c.vmId, firstGroup(c.table)]));
    expect(first['101']).toEqual(['8:16', '8:32', '8:48']);
    expect(first['102']).toEqual(['8:0', '8:16', '8:32', '8:48']);
  });

  it('minPaths wins over leaving a path: a VM that needs every path keeps it', () => {
    const plan = decide(input(buildHost(host()), { '101': { minPaths: 4 } }));
    const c101 = of(plan, 'create-vm-map').find((c) => c.vmId === '101');
    expect(firstGroup(c101?.table ?? '')).toHaveLength(4);
    expect(plan.decisions.find((d) => d.vmId === '101')?.reasons.join('\n')).toMatch(
      /would be left to confined VMs, but only 3 other\(s\) remain \(minPaths 4\)/,
    );
  });

  it('regroups by reload-vm-map when the confined VM moves; a plain path failure only mirrors', () => {
    let cur = input(buildHost(host()));
    const step = (snapshot: HostSnapshot): Plan => {
      const plan = decide({ ...cur, snapshot });
      cur = {
        ...cur,
        snapshot: applyPlanToSnapshot(snapshot, plan),
        memory: memoryAfter(cur.memory, snapshot, plan, cur.nowMs),
      };
      return plan;
    };
    step(cur.snapshot);
    expect(decide(cur).actions).toEqual([]); // settled

    // p3 (sdc, sdg) goes offline: in the per-VM maps' group 1, but nobody is confined to it
    const offline = (s: HostSnapshot, devs: string[]): HostSnapshot => ({
      ...s,
      paths: s.paths.map((p) => (devs.includes(p.dev) ? { ...p, deviceState: 'offline' } : p)),
    });
    const p3 = step(offline(cur.snapshot, ['sdc', 'sdg']));
    expect(of(p3, 'reload-vm-map')).toEqual([]);
    expect(of(p3, 'fail-path').map((a) => `${a.map} ${a.dev}`)).toEqual([
      'mpatha-vm101 sdc',
      'mpatha-vm102 sdc',
    ]);

    // p1 (sda, sde) goes offline: vm 103 fails over to sdf (p2), so sdb is now left to it
    const p1 = step(offline(cur.snapshot, ['sda', 'sde']));
    expect(of(p1, 'switch-group')).toEqual([expect.objectContaining({ map: 'mpathb', group: 2 })]);
    const reloads = of(p1, 'reload-vm-map');
    expect(reloads.map((a) => a.name)).toEqual(['mpatha-vm101', 'mpatha-vm102']);
    for (const r of reloads) {
      expect(firstGroup(r.table)).toEqual(['8:48']); // sdd: sdb is vm 103's, sda and sdc are down
      expect(r.failPaths).toEqual(['8:0', '8:32']);
      expect(r.reason).toMatch(/regrouped: group 1 sdd \(was sdb,sdd\)/);
    }
    expect(decide(cur).actions).toEqual([]); // applied: nothing more to do
  });

  it('the only VM on a one-group LVM map leaves the failover path through a per-VM map', () => {
    const spec: HostSpec = {
      ...host(),
      vms: { '101': { maps: ['mpatha'] }, '103': host().vms['103'] as HostSpec['vms'][string] },
    };
    const plan = decide(input(buildHost(spec)));
    expect(of(plan, 'create-vm-map').map((a) => firstGroup(a.table))).toEqual([['8:16', '8:32', '8:48']]);
    // without a path to leave, it stays on multipathd's map
    const alone = decide(input(buildHost({ ...spec, vms: { '101': { maps: ['mpatha'] } } })));
    expect(of(alone, 'create-vm-map')).toEqual([]);
  });

  it('a pinned VM owning a one-group LVM map is confined by a per-VM map', () => {
    const spec: HostSpec = { ...host(), vms: { '104': { maps: ['mpatha'] } } };
    const pin = { '104': { pin: [{ kind: 'fabric' as const, fabric: 'B' }] } };
    const steer = decide(input(buildHost(spec), pin));
    const c = of(steer, 'create-vm-map');
    expect(c.map((a) => a.name)).toEqual(['mpatha-vm104']);
    expect(firstGroup(c[0]?.table ?? '')).toEqual(['8:32', '8:48']);
    expect(c[0]?.reason).toMatch(/one path group: per-VM map mpatha-vm104 confines vm 104 to sdc,sdd/);
    expect(steer.warnings.map((w) => w.code)).not.toContain('pin-not-enforceable');
    expect(steer.decisions[0]?.paths).toEqual({ mpatha: ['sdc', 'sdd'] });

    // settled: no removal of its per-VM map although it is the map's only user
    const snap = applyPlanToSnapshot(buildHost(spec), steer);
    expect(
      decide({ ...input(snap, pin), memory: memoryAfter(memory(), buildHost(spec), steer, NOW) }).actions,
    ).toEqual([]);

    // the default mode can only warn
    const pinned = decide(input(buildHost(spec), pin, {}));
    expect(of(pinned, 'create-vm-map')).toEqual([]);
    expect(pinned.warnings.map((w) => w.code)).toContain('pin-not-enforceable');
  });

  it('is deterministic and the same for the same input', () => {
    const a = decide(input(buildHost(host()), { '102': { priority: 90 } }));
    const b = decide(input(buildHost(host()), { '102': { priority: 90 } }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
