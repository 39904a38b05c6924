import { layersForVm, resolvePolicy, policyValues } from '../../../agent/decide/policy/resolve';
import { POLICY_DEFAULTS, PolicyInvalidError } from '../../../agent/model';
import type { PolicyLayer } from '../../../agent/model';

const L = (
  kind: PolicyLayer['origin']['kind'],
  values: PolicyLayer['values'],
  source: string = kind,
): PolicyLayer => ({ origin: { kind, source }, values });

describe('resolvePolicy', () => {
  it('no layers → defaults, each with origin default', () => {
    const p = resolvePolicy([]);
    expect(policyValues(p)).toEqual(POLICY_DEFAULTS);
    expect(p.priority.origin).toEqual({ kind: 'default' });
  });

  it('higher precedence wins regardless of layer order; same kind: first wins', () => {
    const p = resolvePolicy([
      L('plugin', { priority: 1 }),
      L('host-config', { priority: 2, shares: 5 }, 'a'),
      L('host-config', { shares: 6 }, 'b'),
      L('proxmox-tag', { priority: 3 }),
    ]);
    expect(p.priority).toEqual({ value: 3, origin: { kind: 'proxmox-tag', source: 'proxmox-tag' } });
    expect(p.shares).toEqual({ value: 5, origin: { kind: 'host-config', source: 'a' } });
  });

  it('explicit undefined is "unset": lower layers still apply', () => {
    const p = resolvePolicy([L('vm-override', { priority: undefined }), L('cluster', { priority: 70 })]);
    expect(p.priority.value).toBe(70);
  });

  it('layersForVm: the VM layers before the all-VM layers', () => {
    const set = {
      allVms: [L('host-config', { shares: 1 }, 'all')],
      byVm: { '1': [L('host-config', { shares: 2 }, 'one')] },
    };
    expect(resolvePolicy(layersForVm(set, '1')).shares.origin.source).toBe('one');
    expect(resolvePolicy(layersForVm(set, '2')).shares.origin.source).toBe('all');
  });

  it.each<[string, PolicyLayer['values'], RegExp]>([
    [
      'priority range',
      { priority: 101 },
      /vm 9: policy priority from cluster \(x\.json:4\): expected an integer 0\.\.100/,
    ],
    ['shares range', { shares: 0 }, /policy shares/],
    ['minPaths', { minPaths: 0 }, /policy minPaths/],
    ['negative limit', { limit: { readMBps: -1 } }, /readMBps as a positive number/],
    ['bad pin', { pin: [{ kind: 'rack' } as never] }, /pins of kind/],
    ['queue seconds', { onAllPathsDown: { action: 'queue', forSeconds: -5 } }, /queue with forSeconds/],
    ['kill-after seconds', { resume: { mode: 'kill-after', seconds: 0 } }, /kill-after with seconds/],
    ['selector id', { selector: 'Bad Id' }, /a selector id/],
  ])('%s → PolicyInvalidError naming vm, key, origin', (_n, values, msg) => {
    const run = () => resolvePolicy([L('cluster', values, 'x.json:4')], '9');
    expect(run).toThrow(PolicyInvalidError);
    expect(run).toThrow(msg);
  });

  it('contradiction across sources names both origins', () => {
    expect(() =>
      resolvePolicy(
        [
          L('proxmox-tag', { reservation: { writeIops: 500 } }, 'tag vmpath-resv-wiops-500'),
          L('host-config', { limit: { writeIops: 100 } }, 'c.json:3'),
        ],
        '5',
      ),
    ).toThrow(
      /vm 5: policy reservation\.writeIops=500 from proxmox-tag \(tag vmpath-resv-wiops-500\) exceeds limit\.writeIops=100 from host-config \(c\.json:3\)/,
    );
  });
});
