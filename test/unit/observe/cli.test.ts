import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../agent/cli/run-cli';
import type { CliIo } from '../../../agent/cli/command';
import { captureHost, encodeCapture } from '../../../agent/observe/capture';
import { HostTree, clock, fixtureRunner, withFixtureMap } from './host-tree';

function io(): CliIo & { text: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readStdin: async () => '',
    isTty: false,
    text: () => out,
    errors: () => err,
  };
}

describe('vmpath snapshot / capture', () => {
  const t = withFixtureMap(new HostTree(), ['dm-1'])
    .dm('dm-1', '253:1', { name: 'vg0-vm--101--disk--0', uuid: 'LVM-' + 'd'.repeat(64), slaves: ['dm-0'] })
    .qemu(77, {
      argv: ['/usr/bin/kvm', '-id', '101', '-name', 'web01'],
      cgroup: '0::/qemu.slice/101.scope\n',
      fds: { 5: '253:1' },
    })
    .dir('/sys/fs/cgroup/qemu.slice/101.scope');
  const file = path.join(t.root, 'capture.json.gz');
  afterAll(() => t.cleanup());

  it('snapshot --from CAPTURE prints tables and JSON', async () => {
    const { archive } = await captureHost({ fs: t.fs, runner: fixtureRunner(), clock });
    fs.writeFileSync(file, encodeCapture(archive));
    const text = io();
    expect(await runCli(['snapshot', '--from', file], text)).toBe(0);
    expect(text.text()).toMatch(/^host pve1 +kernel 6\.1\.0-26-amd64 +multipath-tools 0\.9\.4 +cgroup v2/);
    expect(text.text()).toMatch(/\nmpatha +dm-0 +253:0 +multipathd +2\/2 +fail +1\*:sda 2:sdb\n/);
    expect(text.text()).toMatch(/\nsda +8:0 +running +active\/optimized +scsi host0\s+0\/0\n/);
    expect(text.text()).toMatch(
      /\n101 +proxmox +web01 +77 +v2:\/qemu\.slice\/101\.scope +unknown +dm-1→mpatha\n/,
    );
    const json = io();
    expect(await runCli(['snapshot', '--from', file, '--json'], json)).toBe(0);
    const parsed = JSON.parse(json.text());
    expect(parsed.vms[0]).toMatchObject({
      id: '101',
      kind: 'proxmox',
      disks: [{ dev: 'dm-1', maps: ['mpatha'] }],
    });
  });

  it('snapshot --root reads a tree; capture --root -o writes an archive', async () => {
    const out = io();
    expect(await runCli(['snapshot', '--root', t.root, '--json'], out)).toBe(0);
    expect(JSON.parse(out.text()).vms.map((v: { id: string }) => v.id)).toEqual(['101']);
    const target = path.join(t.root, 'c2.json.gz');
    const cap = io();
    expect(await runCli(['capture', '--root', t.root, '-o', target, '--json'], cap)).toBe(0);
    expect(JSON.parse(cap.text())).toMatchObject({ file: target, vms: 1 });
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    const back = io();
    expect(await runCli(['snapshot', '--from', target, '--json'], back)).toBe(0);
    expect(JSON.parse(back.text()).vms[0].id).toBe('101');
  });

  it('a bad capture is a typed error', async () => {
    const bad = path.join(t.root, 'bad.json.gz');
    fs.writeFileSync(bad, 'not a capture');
    const out = io();
    expect(await runCli(['snapshot', '--from', bad], out)).toBe(1);
    expect(out.errors()).toMatch(/VMPATH_E_CAPTURE_INVALID/);
    expect(await runCli(['snapshot', '--from', bad, '--root', '/'], io())).toBe(2);
  });
});
