import { observeHost } from '../../../agent/observe';
import {
  RecordingHostFs,
  captureHost,
  decodeCapture,
  encodeCapture,
  openCapture,
  redactArg,
  type CaptureArchive,
} from '../../../agent/observe/capture';
import { CaptureInvalidError, type HostSnapshot } from '../../../agent/model';
import { createSimHost, demoSpec } from '../../../agent/sim';
import { FIXTURE_WWID, HostTree, clock, fixtureRunner, withFixtureMap } from './host-tree';
import { gzipSync } from 'node:zlib';

const trees: HostTree[] = [];
afterAll(() => trees.forEach((t) => t.cleanup()));

async function replay(archive: CaptureArchive): Promise<HostSnapshot> {
  const opened = await openCapture(encodeCapture(archive));
  try {
    return await observeHost({ fs: opened.fs, runner: opened.runner, clock: opened.clock });
  } finally {
    await opened.dispose();
  }
}

/** A host with the things a capture must reproduce or hide. */
function trickyHost(): HostTree {
  const t = new HostTree();
  trees.push(t);
  const fcDev = '/sys/devices/pci0000:00/0000:00:03.0/host3/rport-3:0-0/target3:0:0/3:0:0:1';
  withFixtureMap(t, ['dm-1'])
    .remove('/sys/block/sda')
    // the real layout: /sys/block/sda is a link into /sys/devices/.../H:C:T:L/block/sda
    .link('/sys/block/sda', `${fcDev}/block/sda`)
    .file(`${fcDev}/block/sda/dev`, '8:0\n')
    .file(`${fcDev}/block/sda/inflight`, '0 0\n')
    .file(`${fcDev}/block/sda/stat`, '1 0 8 0 0 0 0 0 0 1 0\n')
    .link(`${fcDev}/block/sda/device`, fcDev)
    .file(`${fcDev}/state`, 'running\n')
    .file(`${fcDev}/access_state`, 'active/optimized\n')
    .file('/sys/class/fc_remote_ports/rport-3:0-0/port_state', 'Online\n')
    .dm('dm-1', '253:1', { name: 'vg0-vm--101--disk--0', uuid: 'LVM-' + 'c'.repeat(64), slaves: ['dm-0'] })
    .qemu(4242, {
      argv: [
        '/usr/bin/kvm',
        '-id',
        '101',
        '-name',
        'web01,debug-threads=on',
        '-spice',
        'tls-port=61000,addr=127.0.0.1,password=hunter2,seamless-migration=on',
        '-object',
        'secret,id=sec0,data=c2VjcmV0ZGF0YQ==',
        '-object',
        '{"qom-type":"secret","id":"masterKey0","format":"raw","data":"TOPSECRETJSON"}',
        '-drive',
        'file=iscsi://admin:pa55word@10.0.0.1/iqn.x/0,if=none,id=d1',
      ],
      cgroup: '0::/qemu.slice/101.scope\n',
      fds: { 0: null, 17: '253:1' },
    })
    .dir('/sys/fs/cgroup/qemu.slice/101.scope')
    .file('/var/run/qemu-server/101.pid', '4242\n')
    .file('/etc/pve/qemu-server/101.conf', 'cipassword: $5$hashhash\ntags: gold\nsshkeys: ssh-rsa%20AAAA\n')
    .file('/etc/pve/priv/authkey.key', 'PRIVATEKEY')
    .file('/proc/4242/environ', 'PASSWORD=envsecret\0')
    .process(900, ['mysql', '-uroot', '-pmysqlsecret']);
  return t;
}

describe('capture and replay', () => {
  let archive: CaptureArchive;
  let live: HostSnapshot;
  beforeAll(async () => {
    const t = trickyHost();
    ({ archive, snapshot: live } = await captureHost({ fs: t.fs, runner: fixtureRunner(), clock }));
  });

  it('replaying the archive gives the same snapshot', async () => {
    expect(live.vms.map((v) => v.id)).toEqual(['101']);
    expect(live.paths[0]?.transport).toMatchObject({ kind: 'fc', state: 'Online', adapter: 'host3' });
    expect(live.maps[0]?.wwid).toBe(FIXTURE_WWID);
    const again = await replay(decodeCapture(encodeCapture(archive)));
    expect(again).toEqual(live);
  });

  it('holds exactly what observe read: files and commands, no secrets', () => {
    const text = JSON.stringify(archive);
    for (const secret of [
      'hunter2',
      'c2VjcmV0ZGF0YQ==',
      'TOPSECRETJSON',
      'pa55word',
      '$5$hashhash',
      'ssh-rsa',
      'PRIVATEKEY',
      'envsecret',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(
      Object.keys(archive.files).some((p) => p.includes('/etc/pve/priv') || p.endsWith('/environ')),
    ).toBe(false);
    expect(archive.files['/etc/pve/qemu-server/101.conf']?.content).toBe('tags: gold\n');
    expect(archive.files['/proc/4242/cmdline']?.content).toContain('password=<redacted>');
    expect(archive.files['/proc/4242/fd/17']?.block).toBe('253:1');
    expect(archive.files['/proc/900/cmdline']?.content).toBe('');
    expect(archive.files['/sys/block/sda']?.link).toMatch(/^\.\.\/devices\/.*\/block\/sda$/);
    expect(Object.keys(archive.commands).sort()).toEqual([
      'dmsetup status --target multipath',
      'dmsetup table',
      'dmsetup table --target multipath',
      'multipath -h',
      'multipathd show maps json',
    ]);
    expect(archive).toMatchObject({ format: 'vmpath-capture', version: 1, createdAtMs: clock.nowMs() });
  });

  it('a recording fs refuses forbidden paths and never writes', async () => {
    const t = trickyHost();
    const fs = new RecordingHostFs(t.fs);
    await expect(fs.readFile('/etc/pve/priv/authkey.key')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(fs.readFile('/proc/4242/environ')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(fs.writeFile('/sys/fs/cgroup/x/io.max', '8:0 rbps=1')).rejects.toMatchObject({
      code: 'EROFS',
    });
    expect(fs.files.size).toBe(0);
  });

  it('recorded failures replay as failures (EACCES on a file, a command that timed out)', async () => {
    const changed: CaptureArchive = {
      ...archive,
      files: { ...archive.files, '/sys/block/sdb/stat': { errno: 'EACCES' } },
      commands: {
        ...archive.commands,
        'multipathd show maps json': {
          error: 'VMPATH_E_COMMAND_TIMEOUT',
          message: 'timed out after 10000 ms',
        },
      },
    };
    const s = await replay(changed);
    const codes = s.diagnostics.map((d) => `${d.code} ${d.subject}`);
    expect(codes).toContain('VMPATH_E_SYSFS_READ path sdb');
    expect(codes).toContain('VMPATH_E_COMMAND_TIMEOUT multipathd');
  });

  it('rejects archives that are not captures', () => {
    const bad = (v: unknown) => () => decodeCapture(gzipSync(Buffer.from(JSON.stringify(v))));
    expect(() => decodeCapture(Buffer.from('junk'))).toThrow(CaptureInvalidError);
    expect(bad({ format: 'other' })).toThrow(CaptureInvalidError);
    expect(bad({ ...archive, version: 99 })).toThrow(/unsupported capture version/);
    expect(bad({ ...archive, files: { '/sys/../etc/x': { content: 'x' } } })).toThrow(CaptureInvalidError);
    expect(bad({ ...archive, files: { relative: { content: 'x' } } })).toThrow(CaptureInvalidError);
    expect(bad({ ...archive, commands: { x: { exitCode: 'no' } } })).toThrow(CaptureInvalidError);
    expect(decodeCapture(Buffer.from(JSON.stringify(archive))).files).toEqual(archive.files);
  });

  it('redacts QEMU argument secrets, keeps identity', () => {
    expect(redactArg('guest=vm1,debug-threads=on')).toBe('guest=vm1,debug-threads=on');
    expect(redactArg('secret,id=s0,data=abc,,def')).toBe('secret,id=s0,data=<redacted>');
    expect(redactArg('driver=rbd,key-secret=sec0,auth-token=x')).toBe(
      'driver=rbd,key-secret=<redacted>,auth-token=<redacted>',
    );
    expect(redactArg('file=http://u:p@host/x')).toBe('file=http://u:<redacted>@host/x');
    expect(redactArg('{"password":"a","nested":{"token":"b"},"id":"x"}')).toBe(
      '{"password":"<redacted>","nested":{"token":"<redacted>"},"id":"x"}',
    );
  });
});

describe('capture of the simulated demo host', () => {
  it('replays to the same snapshot', async () => {
    const host = createSimHost(demoSpec());
    try {
      const { archive, snapshot } = await captureHost({
        fs: host.fs,
        runner: host.runner,
        clock: host.clock,
      });
      expect(snapshot.vms.length).toBeGreaterThan(0);
      expect(snapshot.maps.length).toBeGreaterThan(0);
      expect(snapshot.diagnostics).toEqual([]);
      expect(await replay(archive)).toEqual(snapshot);
    } finally {
      host.dispose();
    }
  }, 30_000);
});
