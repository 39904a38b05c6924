/** `vmpath explain VM --snapshot FILE --config FILE`: decisions, inputs and policy origins. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../agent/cli/command';
import { runCli } from '../../../agent/cli/run-cli';
import { buildHost } from '../decide/host';

function io(): CliIo & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    isTty: false,
    out: (t: string) => void (o.stdout += t),
    err: (t: string) => void (o.stderr += t),
    readStdin: async () => '',
  };
  return o;
}

function files(): { snapshot: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vmpath-explain-'));
  const host = buildHost({
    paths: { sda: { fabric: 'A' }, sdb: { fabric: 'A' }, sdc: { fabric: 'B' }, sdd: { fabric: 'B' } },
    maps: {
      mpatha: {
        groups: [
          ['sda', 'sdb'],
          ['sdc', 'sdd'],
        ],
        failback: 'immediate',
      },
    },
    vms: { '101': { maps: ['mpatha'], raw: true } },
  });
  const snap = { ...host, vms: host.vms.map((v) => ({ ...v, tags: ['vmpath-prio-70', 'vmpath-nonsense'] })) };
  const snapshot = join(dir, 'snap.json');
  writeFileSync(snapshot, JSON.stringify(snap));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    '{\n  "vms": {\n    "101": {\n      "pin": "fabric:B",\n      "limit": {"readMBps": 100}\n    }\n  }\n}\n',
  );
  return { snapshot, config };
}

describe('vmpath explain', () => {
  it('prints policy origins (file:line, tag, default), mechanism, reasons and actions', async () => {
    const f = files();
    const o = io();
    expect(await runCli(['explain', '101', '--snapshot', f.snapshot, '--config', f.config], o)).toBe(0);
    expect(o.stdout).toMatch(/^vm 101 \(vm101, proxmox, running\): state normal/);
    expect(o.stdout).toMatch(
      /pin\s+\[\{"kind":"fabric","fabric":"B"\}\]\s+← host-config \(.*config\.json:4\)/,
    );
    expect(o.stdout).toMatch(/priority\s+70\s+← proxmox-tag \(tag vmpath-prio-70\)/);
    expect(o.stdout).toMatch(/shares\s+100\s+← default/);
    expect(o.stdout).toMatch(/mpatha: switch-group; paths sdc,sdd; chosen sdc,sdd/);
    expect(o.stdout).toMatch(/- pinned to fabric:B/);
    expect(o.stdout).toMatch(/- switch-group map mpatha → group 2\n\s+because vm 101 owns map mpatha/);
    expect(o.stdout).toMatch(/- set-io-limit dev 253:0 \{"rbps":100000000\}/);
    expect(o.stdout).toMatch(/warning: tag vmpath-nonsense: not understood/);
  });

  it('--json gives the same facts as data', async () => {
    const f = files();
    const o = io();
    expect(
      await runCli(['explain', 'vm101', '--snapshot', f.snapshot, '--config', f.config, '--json'], o),
    ).toBe(0);
    const e = JSON.parse(o.stdout);
    expect(e.policy.limit.origin.source).toMatch(/config\.json:5$/);
    expect(e.decision.mechanism).toEqual({ mpatha: 'switch-group' });
    expect(e.actions.map((a: { kind: string }) => a.kind)).toEqual([
      'set-failback-manual',
      'switch-group',
      'set-io-limit',
    ]);
  });

  it('unknown VM → VMPATH_E_VM_NOT_FOUND', async () => {
    const f = files();
    const o = io();
    expect(await runCli(['explain', '999', '--snapshot', f.snapshot], o)).toBe(1);
    expect(o.stderr).toMatch(/VMPATH_E_VM_NOT_FOUND/);
  });
});
