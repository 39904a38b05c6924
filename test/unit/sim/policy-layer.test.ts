import { scenarioPolicyLayer, scenarioPolicySet } from '../../../agent/sim/policy-layer';
import { ScenarioInvalidError } from '../../../agent/model/errors';

describe('simulated-host policies → host-config layers', () => {
  it('uses the config file syntax, the MB/s shorthands, and renames fabric labels', () => {
    const layer = scenarioPolicyLayer(
      { priority: 70, pin: 'fabric:B', onAllPathsDown: 'queue:20', resume: 'kill-after:60', limitMBps: 200 },
      'spec vms[2]',
      'vms[2].policy',
      { fabricName: (l) => `0xfab${l}` },
    );
    expect(layer.origin).toEqual({ kind: 'host-config', source: 'spec vms[2]' });
    expect(layer.values).toEqual({
      priority: 70,
      pin: [{ kind: 'fabric', fabric: '0xfabB' }],
      onAllPathsDown: { action: 'queue', forSeconds: 20 },
      resume: { mode: 'kill-after', seconds: 60 },
      limit: { readMBps: 200, writeMBps: 200 },
    });
  });

  it('names the field of a bad value or an unknown key', () => {
    expect(() => scenarioPolicyLayer({ onAllPathsDown: 'explode' }, 's', 'vms[0].policy')).toThrow(
      expect.objectContaining({
        code: 'VMPATH_E_SCENARIO_INVALID',
        message: expect.stringContaining('vms[0].policy.onAllPathsDown'),
      }),
    );
    expect(() => scenarioPolicyLayer({ prioritty: 1 }, 's')).toThrow(ScenarioInvalidError);
    expect(() => scenarioPolicyLayer({ limitMBps: -5 }, 's')).toThrow(ScenarioInvalidError);
  });

  it('builds a set only for VMs with a policy', () => {
    const set = scenarioPolicySet([{ id: '101', policy: { shares: 300 } }, { id: '102' }], 'demo');
    expect(Object.keys(set.byVm)).toEqual(['101']);
    expect(set.byVm['101']![0]!.origin.source).toBe('demo vms[0]');
  });
});
