import { virshMetadataReader } from '../../../agent/config';
import { withVmpathNamespace } from '../../../agent/config/libvirt-live';
import { HostPolicies } from '../../../agent/loop/host-policies';
import { CommandNotFoundError } from '../../../agent/model/errors';
import type { CommandResult, CommandRunner } from '../../../agent/model/seams';
import type { Vm } from '../../../agent/model/snapshot';
import type { HostSnapshot } from '../../../agent/model/snapshot';

/** What `virsh metadata --uri NS` prints on libvirt 9.0: the element without its namespace. */
const POLICY = `<policy>
  <priority>90</priority>
</policy>
`;
const WITH_NS = `<policy xmlns="https://vmpath.dev/xmlns/policy/1">
  <priority>90</priority>
</policy>
`;

const vm = (id: string, kind: Vm['kind']): Vm => ({
  id,
  kind,
  name: id,
  pid: 1,
  runState: 'running',
  disks: [],
});

/** Answers virsh per domain name; records every argv. */
function runner(answers: Record<string, CommandResult | Error>): CommandRunner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (argv) => {
      calls.push([...argv]);
      const dom = argv[argv.indexOf('--domain') + 1] as string;
      const a = answers[dom] ?? { exitCode: 1, stdout: '', stderr: 'error: failed to get domain' };
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

describe('libvirt metadata from live domains (virsh metadata)', () => {
  it('asks only libvirt VMs, with argv and the vmpath namespace', async () => {
    const r = runner({ web1: { exitCode: 0, stdout: POLICY, stderr: '' } });
    const out = await virshMetadataReader({ runner: r, uri: 'qemu:///system' })([
      vm('101', 'proxmox'),
      vm('web1', 'libvirt'),
    ]);
    expect(r.calls).toEqual([
      [
        'virsh',
        '-c',
        'qemu:///system',
        'metadata',
        '--domain',
        'web1',
        '--uri',
        'https://vmpath.dev/xmlns/policy/1',
      ],
    ]);
    expect(out).toEqual({ xml: { web1: WITH_NS }, problems: [] });
  });

  it('puts the namespace back only when virsh dropped it', () => {
    expect(withVmpathNamespace(POLICY)).toBe(WITH_NS);
    expect(withVmpathNamespace(WITH_NS)).toBe(WITH_NS);
    const prefixed =
      '<vp:policy xmlns:vp="https://vmpath.dev/xmlns/policy/1"><vp:shares>5</vp:shares></vp:policy>';
    expect(withVmpathNamespace(prefixed)).toBe(prefixed);
  });

  it('no vmpath element is no layer and no problem; other failures are problems, never throws', async () => {
    const r = runner({
      plain: {
        exitCode: 1,
        stdout: '',
        stderr: 'error: metadata not found: Requested metadata element is not present\n',
      },
      gone: { exitCode: 1, stdout: '', stderr: "error: failed to get domain 'gone'\n" },
      novirsh: new CommandNotFoundError('virsh: not found', { argv: ['virsh'] }),
    });
    const out = await virshMetadataReader({ runner: r })([
      vm('plain', 'libvirt'),
      vm('gone', 'libvirt'),
      vm('novirsh', 'libvirt'),
      vm('bad name', 'libvirt'),
    ]);
    expect(out.xml).toEqual({});
    expect(out.problems.map((p) => [p.subject, p.code])).toEqual([
      ['vm gone', 'VMPATH_E_LIBVIRT'],
      ['vm novirsh', 'VMPATH_E_COMMAND_NOT_FOUND'],
      ['vm bad name', 'VMPATH_E_INVALID_NAME'],
    ]);
    expect(out.problems[0]?.message).toMatch(/failed to get domain 'gone'.*other policy sources apply/);
    expect(r.calls).toHaveLength(3); // the invalid name never reached argv
  });

  it('HostPolicies uses it: the domain metadata sets the policy with origin libvirt-metadata', async () => {
    const r = runner({ web1: { exitCode: 0, stdout: POLICY, stderr: '' } });
    const problems: string[] = [];
    const hp = new HostPolicies({
      root: '/nonexistent-root',
      libvirtMetadata: virshMetadataReader({ runner: r }),
      onProblem: (p) => problems.push(p.message),
    });
    const snapshot = { vms: [vm('web1', 'libvirt')] } as unknown as HostSnapshot;
    const set = await hp.forSnapshot(snapshot);
    expect(set.byVm.web1?.[0]).toMatchObject({
      origin: { kind: 'libvirt-metadata' },
      values: { priority: 90 },
    });
    expect(problems).toEqual([]);
    await hp.forSnapshot({ vms: [vm('101', 'proxmox')] } as unknown as HostSnapshot);
    expect(r.calls).toHaveLength(1); // no libvirt VM, no virsh
  });
});
