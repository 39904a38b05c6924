import { buildPolicySet, parseConfigText } from '../../../agent/config';
import { layersForVm, resolvePolicy } from '../../../agent/decide/policy/resolve';
import type { Vm } from '../../../agent/model';

const vm = (id: string, tags: string[] = []): Vm => ({
  id,
  kind: 'proxmox',
  name: `vm${id}`,
  pid: 1,
  runState: 'running',
  disks: [],
  tags,
});

describe('buildPolicySet: every source, merged by precedence', () => {
  it('vm-override > libvirt-metadata > proxmox-tag > cluster > host-config > plugin > default', () => {
    const host = parseConfigText(
      '{"defaults": {"priority": 10, "shares": 110, "minPaths": 2},\n"vms": {"101": {"priority": 20, "selector": "round-robin"}}}',
      'host.json',
    );
    const cluster = parseConfigText(
      '{"vms": {"101": {"priority": 30, "shares": 130}}}',
      'cluster.json',
      'cluster',
    );
    const { policies, problems } = buildPolicySet({
      host,
      cluster,
      vms: [vm('101', ['vmpath-prio-40', 'vmpath-bogus'])],
      libvirtXml: {
        '101':
          '<metadata><v:policy xmlns:v="https://vmpath.dev/xmlns/policy/1"><v:priority>50</v:priority></v:policy></metadata>',
      },
      plugin: () => [
        {
          origin: { kind: 'plugin', source: 'acme/src' },
          values: { priority: 60, resume: { mode: 'leave-paused' } },
        },
      ],
      overrides: { '101': { minPaths: 3 } },
    });
    expect(problems.map((p) => p.code)).toEqual(['tag-ignored']);
    const p = resolvePolicy(layersForVm(policies, '101'), '101');
    expect(p.priority).toEqual({
      value: 50,
      origin: { kind: 'libvirt-metadata', source: 'domain vm101 metadata line 1' },
    });
    expect(p.minPaths).toEqual({ value: 3, origin: { kind: 'vm-override', source: 'operator' } });
    expect(p.shares).toEqual({ value: 130, origin: { kind: 'cluster', source: 'cluster.json:1' } });
    expect(p.selector).toEqual({
      value: 'round-robin',
      origin: { kind: 'host-config', source: 'host.json:2' },
    });
    expect(p.resume).toEqual({
      value: { mode: 'leave-paused' },
      origin: { kind: 'plugin', source: 'acme/src' },
    });
    expect(p.onAllPathsDown).toEqual({
      value: { action: 'queue', forSeconds: 30 },
      origin: { kind: 'default' },
    });
  });

  it('a VM with broken metadata gets a problem, not a crash', () => {
    const { policies, problems } = buildPolicySet({
      vms: [vm('7')],
      libvirtXml: {
        '7': '<v:policy xmlns:v="https://vmpath.dev/xmlns/policy/1"><v:priority>high</v:priority></v:policy>',
      },
    });
    expect(problems[0]?.code).toBe('VMPATH_E_CONFIG_INVALID');
    expect(policies.byVm['7']).toEqual([]);
  });
});
