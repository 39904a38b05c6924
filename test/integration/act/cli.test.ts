/**
 * `vmpath pause|resume|release` end to end on a host root whose Proxmox QMP socket is a real
 * QEMU's: the CLI finds the VM by /var/run/qemu-server/<vmid>.qmp, journals under the root, and
 * release resumes only what vmpath paused.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../agent/cli/run-cli';
import { captureIo } from './helpers/cli-io';
import { QmpVmControl } from '../../../agent/act/vm/qmp-control';
import { TestQemu } from './helpers/qemu';

describe('vmpath pause / resume / release (real QEMU behind a Proxmox-style root)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmpath-root-'));
  const vmId = String(9000 + (process.pid % 900));
  mkdirSync(path.join(root, 'var/run/qemu-server'), { recursive: true });
  const qemu = new TestQemu(vmId, path.join(root, `var/run/qemu-server/${vmId}.qmp`));
  const qmp = new QmpVmControl({ root });
  const ref = { id: vmId, kind: 'proxmox' as const, name: vmId, pid: 0 };

  beforeAll(() => qemu.start());
  afterAll(() => {
    qemu.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('pause, resume, and release resuming what vmpath paused', async () => {
    const a = captureIo();
    expect(await runCli(['pause', vmId, '--root', root, '--reason', 'maintenance'], a)).toBe(0);
    expect(a.text()).toMatch(new RegExp(`pause-vm:${vmId}: applied`));
    expect(await qmp.status(ref)).toBe('paused');

    const dry = captureIo();
    expect(await runCli(['release', '--all', '--root', root, '--dry-run'], dry)).toBe(0);
    expect(dry.text()).toContain(`vm ${vmId} (proxmox): resume`);
    expect(await qmp.status(ref)).toBe('paused');

    const rel = captureIo();
    expect(await runCli(['release', '--all', '--root', root, '--json'], rel)).toBe(0);
    expect(JSON.parse(rel.text()).results).toEqual([expect.objectContaining({ outcome: 'applied' })]);
    expect(await qmp.status(ref)).toBe('running');
  });

  it("resume leaves a pause that is not vmpath's alone unless --force", async () => {
    await qmp.pause(ref);
    const a = captureIo();
    expect(await runCli(['resume', vmId, '--root', root], a)).toBe(0);
    expect(a.text()).toContain('skipped');
    expect(await qmp.status(ref)).toBe('paused');
    const b = captureIo();
    expect(await runCli(['resume', vmId, '--root', root, '--force'], b)).toBe(0);
    expect(await qmp.status(ref)).toBe('running');
  });

  it('release without --all or --vm is a usage error', async () => {
    const a = captureIo();
    expect(await runCli(['release', '--root', root], a)).toBe(2);
  });
});
