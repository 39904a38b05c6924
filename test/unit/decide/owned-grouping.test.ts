/**
 * EngineConfig.ownedMapGrouping (agent/decide/owned-grouping.ts): only the lone owner of a
 * one-group multipathd map whose chosen paths are a strict subset gets set-path-grouping; once
 * multipathd regrouped the map (applyPlanToSnapshot models the lab's measurement) nothing more is
 * planned; a grouping multipathd did not honour is warned about, not rewritten; a grouping that is
 * no longer wanted (second VM, option off) is removed.
 */
import { decide } from '../../../agent/decide';
import type { EngineConfig } from '../../../agent/decide/types';
import type { Action, HostSnapshot, Plan } from '../../../agent/model';
import type { VmPolicyValues } from '../../../agent/model/policy';
import { applyPlanToSnapshot } from './apply-plan';
import type { HostSpec } from './host';
import { buildHost, builtinRegistry, memory, onFourPorts, policies } from './host';

const NOW = 1_700_000_000_000;
const STEER: Partial<EngineConfig> = { perVmMaps: 'steer', ownedMapGrouping: 'by-choice' };

/** Physical paths p1..p4 (A: p1, p2; B: p3, p4): mpathb failover (raw VM 103), mpathc multibus (raw VM 104). */
function host(): HostSpec {
  const paths = onFourPorts(['sde', 'sdf', 'sdg', 'sdh'], ['sdi', 'sdj', 'sdk', 'sdl']);
  return {
    paths,
    maps: {
      mpathb: { groups: [['sde'], ['sdf'], ['sdg'], ['sdh']] },
      mpathc: { groups: [['sdi', 'sdj', 'sdk', 'sdl']] },
    },
    vms: { '103': { maps: ['mpathb'], raw: true }, '104': { maps: ['mpathc'], raw: true } },
  };
}

function run(
  snapshot: HostSnapshot,
  config: Partial<EngineConfig> = STEER,
  policy: Record<string, Partial<VmPolicyValues>> = {},
): Plan {
  return decide({
    snapshot,
    policies: policies(policy),
    memory: memory(),
    nowMs: NOW,
    config,
    selectors: builtinRegistry(),
  });
}

const of = <K extends Action['kind']>(p: Plan, kind: K): (Action & { kind: K })[] =>
  p.actions.filter((a): a is Action & { kind: K } => a.kind === kind);
const prios = (a: Action & { kind: 'set-path-grouping' }): string[] =>
  (a.grouping?.paths ?? []).map((p) => `${p.hbtl}=${p.prio}`);

describe('ownedMapGrouping by-choice', () => {
  it('the lone VM on a multibus map leaves the failover VM its path through multipathd grouping, once', () => {
    const snap = buildHost(host());
    const p = run(snap);
    const [g, ...more] = of(p, 'set-path-grouping');
    expect(more).toEqual([]);
    expect(g?.map).toBe('mpathc');
    // sde (p1, host index 0) is 103's: sdi (p1) prio 10, sdj..sdl (host indexes 5..7) prio 50
    expect(g && prios(g)).toEqual(['4:0:0:0=10', '5:0:0:0=50', '6:0:0:0=50', '7:0:0:0=50']);
    expect(g?.reason).toMatch(/vm 104 alone on one-group map mpathc uses sdj,sdk,sdl .*sdi prio 10/);
    expect(p.decisions.find((d) => d.vmId === '104')?.paths).toEqual({ mpathc: ['sdj', 'sdk', 'sdl'] });
    expect(of(p, 'set-failback-manual').map((a) => a.map)).not.toContain('mpathc');

    const after = applyPlanToSnapshot(snap, p);
    const again = run(after);
    expect(of(again, 'set-path-grouping')).toEqual([]);
    expect(of(again, 'set-failback-manual').map((a) => a.map)).not.toContain('mpathc');
    expect(of(again, 'switch-group').map((a) => a.map)).not.toContain('mpathc');
    expect(again.decisions.find((d) => d.vmId === '104')?.paths).toEqual({ mpathc: ['sdj', 'sdk', 'sdl'] });
  });

  it('keep (the default): no grouping, the VM stays on the whole group', () => {
    const p = run(buildHost(host()), { perVmMaps: 'steer' });
    expect(of(p, 'set-path-grouping')).toEqual([]);
    expect(p.decisions.find((d) => d.vmId === '104')?.paths.mpathc).toHaveLength(4);
  });

  it('a grouping multipathd did not honour (split by ALUA instead) is warned about, not rewritten', () => {
    const first = run(buildHost(host()));
    const [g] = of(first, 'set-path-grouping');
    const spec = host();
    spec.maps.mpathc = {
      groups: [['sdj'], ['sdk', 'sdl'], ['sdi']],
      failback: 'immediate', // the entry's
      vmpathConf: { grouping: g?.grouping ?? undefined },
    };
    const p = run(buildHost(spec));
    expect(of(p, 'set-path-grouping')).toEqual([]);
    expect(p.warnings.map((w) => w.code)).toContain('grouping-not-honoured');
    expect(p.warnings.find((w) => w.code === 'grouping-not-honoured')?.message).toMatch(/detect_prio/);
    expect(of(p, 'set-failback-manual').map((a) => a.map)).not.toContain('mpathc');
  });

  it('removed when the option is turned off, and when a second VM uses the map', () => {
    const [g] = of(run(buildHost(host())), 'set-path-grouping');
    const grouped = host();
    grouped.maps.mpathc = {
      groups: [['sdj', 'sdk', 'sdl'], ['sdi']],
      vmpathConf: { grouping: g?.grouping ?? undefined },
    };
    const off = run(buildHost(grouped), { perVmMaps: 'steer' });
    expect(of(off, 'set-path-grouping').map((a) => [a.map, a.grouping])).toEqual([['mpathc', null]]);

    grouped.vms = { ...grouped.vms, '104': { maps: ['mpathc'] }, '105': { maps: ['mpathc'] } };
    const shared = run(buildHost(grouped));
    expect(of(shared, 'set-path-grouping').map((a) => [a.map, a.grouping])).toEqual([['mpathc', null]]);
    expect(of(shared, 'set-path-grouping')[0]?.reason).toMatch(/used by 2 VMs/);
  });

  it('never for a map with several groups (failover) nor when a path has no H:C:T:L', () => {
    const p = run(buildHost(host()));
    expect(of(p, 'set-path-grouping').map((a) => a.map)).not.toContain('mpathb');
    const spec = host();
    spec.paths.sdk = { ...spec.paths.sdk, hcil: null };
    expect(of(run(buildHost(spec)), 'set-path-grouping')).toEqual([]);
  });
});

describe('ownedMapGrouping without steer', () => {
  /** One raw VM alone on a multibus map of four paths, sda/sdb on fabric A, sdc/sdd on B. */
  const lone = (): HostSpec => ({
    paths: {
      sda: { fabric: 'A', adapter: 'host1', targetPort: 'a1' },
      sdb: { fabric: 'A', adapter: 'host1', targetPort: 'a2' },
      sdc: { fabric: 'B', adapter: 'host2', targetPort: 'b1' },
      sdd: { fabric: 'B', adapter: 'host2', targetPort: 'b2' },
    },
    maps: { mpatha: { groups: [['sda', 'sdb', 'sdc', 'sdd']] } },
    vms: { '101': { maps: ['mpatha'], raw: true } },
  });
  const pinB = { '101': { pin: [{ kind: 'fabric' as const, fabric: 'B' }] } };

  it('a pin one group cannot enforce is enforced by grouping (no pin-not-enforceable warning)', () => {
    const p = run(buildHost(lone()), { ownedMapGrouping: 'by-choice' }, pinB);
    const [g] = of(p, 'set-path-grouping');
    expect(g && prios(g)).toEqual(['0:0:0:0=10', '1:0:0:0=10', '2:0:0:0=50', '3:0:0:0=50']);
    expect(p.warnings.map((w) => w.code)).not.toContain('pin-not-enforceable');
  });

  it('an unpinned lone VM is not narrowed to its selector minPaths choice', () => {
    const p = run(buildHost(lone()), { ownedMapGrouping: 'by-choice' });
    expect(of(p, 'set-path-grouping')).toEqual([]);
    expect(p.decisions[0]?.paths.mpatha).toHaveLength(4);
  });

  it('keep: the pin stays unenforceable, as before', () => {
    const p = run(buildHost(lone()), {}, pinB);
    expect(of(p, 'set-path-grouping')).toEqual([]);
    expect(p.warnings.map((w) => w.code)).toContain('pin-not-enforceable');
  });
});
