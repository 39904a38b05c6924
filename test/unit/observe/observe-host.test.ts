import { observeHost } from '../../../agent/observe';
import type { HostSnapshot, Vm } from '../../../agent/model';
import type { HostTree } from './host-tree';
import {
  FIXTURE_WWID,
  MOUNTS_HYBRID,
  MOUNTS_V1,
  MOUNTS_V2,
  clock,
  fixtureRunner,
  withFixtureMap,
  treeMaker,
} from './host-tree';

const tree = treeMaker();

async function snap(t: HostTree, runner = fixtureRunner()): Promise<HostSnapshot> {
  return observeHost({ fs: t.fs, runner, clock });
}
function vm(s: HostSnapshot, id: string): Vm {
  const found = s.vms.find((v) => v.id === id);
  if (!found) throw new Error(`vm ${id} not in snapshot: ${JSON.stringify(s.vms.map((v) => v.id))}`);
  return found;
}
const kinds = (v: Vm, disk = 0) => v.disks[disk]?.chain.map((l) => `${l.kind}:${l.dev}`);

describe('observeHost: Proxmox on cgroup v2 with shared LVM on a multipath map', () => {
  let s: HostSnapshot;
  beforeAll(async () => {
    const t = withFixtureMap(tree(MOUNTS_V2), ['dm-1'])
      .dm('dm-1', '253:1', { name: 'vg0-vm--101--disk--0', uuid: 'LVM-' + 'a'.repeat(64), slaves: ['dm-0'] })
      .qemu(4242, {
        argv: [
          '/usr/bin/kvm',
          '-id',
          '101',
          '-name',
          'web01,debug-threads=on',
          '-pidfile',
          '/var/run/qemu-server/101.pid',
        ],
        cgroup: '0::/qemu.slice/101.scope\n',
        fds: { 0: null, 1: null, 17: '253:1', 18: '253:1' },
      })
      .file('/var/run/qemu-server/101.pid', '4242\n')
      .file(
        '/etc/pve/qemu-server/101.conf',
        'boot: order=scsi0\ntags: gold;db\nscsi0: vg0:vm-101-disk-0\n[snap1]\ntags: old\n',
      )
      .file('/sys/fs/cgroup/qemu.slice/101.scope/io.max', '253:1 rbps=1048576 wbps=max riops=max wiops=max\n')
      .file('/sys/fs/cgroup/qemu.slice/101.scope/io.weight', 'default 200\n')
      .process(1, ['/sbin/init']);
    s = await snap(t);
  });

  it('describes the host', () => {
    expect(s.host).toEqual({
      hostname: 'pve1',
      kernel: '6.1.0-26-amd64',
      multipathToolsVersion: '0.9.4',
      cgroupMode: 'v2',
      cgroupMounts: { v2: '/sys/fs/cgroup' },
    });
    expect(s.takenAtMs).toBe(clock.nowMs());
    expect(Object.isFrozen(s) && Object.isFrozen(s.vms[0])).toBe(true);
  });

  it('fills the multipath map from the fixture commands and sysfs', () => {
    expect(s.maps).toHaveLength(1);
    const m = s.maps[0]!;
    expect(m).toMatchObject({
      name: 'mpatha',
      wwid: FIXTURE_WWID,
      dm: 'dm-0',
      devT: '253:0',
      holders: ['dm-1'],
    });
    expect(m.suspended).toBe(false);
    expect(m.groups.flatMap((g) => g.paths.map((p) => p.dev))).toEqual(['sda', 'sdb']);
  });

  it('lists the path devices with their sysfs state', () => {
    expect(s.paths.map((p) => [p.dev, p.devT, p.deviceState, p.accessState, p.transport.kind])).toEqual([
      ['sda', '8:0', 'running', 'active/optimized', 'scsi'],
      ['sdb', '8:16', 'running', 'active/non-optimized', 'scsi'],
    ]);
    expect(s.paths[0]!.hcil).toBe('0:0:0:0');
    expect(s.paths[0]!.stat).toEqual({
      readIos: 120,
      readSectors: 960,
      writeIos: 40,
      writeSectors: 320,
      inFlight: 0,
      ioTicksMs: 20,
    });
  });

  it('identifies the VM, its cgroup, tags, I/O settings and disk chain', () => {
    const v = vm(s, '101');
    expect(v).toMatchObject({
      kind: 'proxmox',
      name: 'web01',
      pid: 4242,
      runState: 'unknown',
      tags: ['gold', 'db'],
    });
    expect(v.cgroup).toEqual({ version: 2, path: '/qemu.slice/101.scope' });
    expect(v.cgroupIo).toEqual({ limits: { '253:1': { rbps: 1048576 } }, weight: 200 });
    expect(v.disks).toHaveLength(1);
    expect(kinds(v)).toEqual(['lv:dm-1', 'multipath:dm-0', 'path:sda', 'path:sdb']);
    expect(v.disks[0]!.maps).toEqual(['mpatha']);
    expect(v.disks[0]!.chain[0]!.dmName).toBe('vg0-vm--101--disk--0');
    expect(s.vms).toHaveLength(1);
  });

  it('reports nothing worse than info', () => {
    expect(s.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
  });
});

describe('observeHost: libvirt', () => {
  it('v1 (no systemd): blkio line, machine/qemu-N-NAME.libvirt-qemu, map used directly', async () => {
    const t = withFixtureMap(tree(MOUNTS_V1)).qemu(300, {
      argv: [
        '/usr/bin/qemu-system-x86_64',
        '-name',
        'guest=vm1,debug-threads=on',
        '-S',
        '-uuid',
        '3c1fd7a3-4e38-4a37-a9a8-1f0dbd3a6a4b',
        '-chardev',
        'socket,id=charmonitor,fd=30,server=on,wait=off',
      ],
      cgroup:
        '12:blkio:/machine/qemu-1-vm1.libvirt-qemu\n4:cpu,cpuacct:/machine/qemu-1-vm1.libvirt-qemu/emulator\n',
      fds: { 5: '253:0' },
    });
    t.file(
      '/sys/fs/cgroup/blkio/machine/qemu-1-vm1.libvirt-qemu/blkio.throttle.read_bps_device',
      '253:0 10485760\n',
    );
    const s = await snap(t);
    expect(s.host.cgroupMode).toBe('v1');
    const v = vm(s, 'vm1');
    expect(v).toMatchObject({ kind: 'libvirt', name: 'vm1', uuid: '3c1fd7a3-4e38-4a37-a9a8-1f0dbd3a6a4b' });
    expect(v.cgroup).toEqual({ version: 1, path: '/machine/qemu-1-vm1.libvirt-qemu' });
    expect(v.cgroupIo?.limits).toEqual({ '253:0': { rbps: 10485760 } });
    expect(kinds(v)).toEqual(['multipath:dm-0', 'path:sda', 'path:sdb']);
    expect(v.disks[0]!.maps).toEqual(['mpatha']);
  });

  it('v2 with systemd: the libvirt/emulator sub-cgroup that holds the threads', async () => {
    const scope = '/machine.slice/machine-qemu\\x2d2\\x2dvm2.scope/libvirt/emulator';
    const t = withFixtureMap(tree(MOUNTS_V2))
      .qemu(301, {
        argv: ['/usr/bin/qemu-system-x86_64', '-name', 'guest=vm2,debug-threads=on'],
        cgroup: `0::${scope}\n`,
        fds: { 5: '253:0' },
      })
      .dir(`/sys/fs/cgroup${scope}`);
    const v = vm(await snap(t), 'vm2');
    expect(v.kind).toBe('libvirt');
    expect(v.cgroup).toEqual({ version: 2, path: scope });
  });

  it('hybrid host: the v1 blkio line wins over 0::', async () => {
    const t = withFixtureMap(tree(MOUNTS_HYBRID))
      .qemu(302, {
        argv: ['/usr/bin/qemu-system-x86_64', '-name', 'guest=vm3'],
        cgroup:
          '0::/machine.slice/machine-qemu\\x2d3\\x2dvm3.scope\n9:blkio:/machine.slice/machine-qemu\\x2d3\\x2dvm3.scope\n',
      })
      .dir('/sys/fs/cgroup/blkio/machine.slice/machine-qemu\\x2d3\\x2dvm3.scope');
    const s = await snap(t);
    expect(s.host.cgroupMode).toBe('hybrid');
    expect(vm(s, 'vm3').cgroup).toEqual({
      version: 1,
      path: '/machine.slice/machine-qemu\\x2d3\\x2dvm3.scope',
    });
  });
});

describe('observeHost: chains', () => {
  it('kpartx partition of a map, a per-VM map, a plain partition, one map serving several VMs', async () => {
    const t = withFixtureMap(tree(), ['dm-2', 'dm-3'])
      .dm('dm-2', '253:2', { name: 'mpatha-part1', uuid: `part1-mpath-${FIXTURE_WWID}`, slaves: ['dm-0'] })
      .dm('dm-3', '253:3', {
        name: 'mpatha-vm102',
        uuid: `vmpath-102-${FIXTURE_WWID}`,
        slaves: ['sda', 'sdb'],
      })
      .disk('vda', '252:0')
      .partition('vda', 'vda1', '252:1', 1)
      .qemu(501, {
        argv: ['/usr/bin/kvm', '-id', '101'],
        cgroup: '0::/qemu.slice/101.scope\n',
        fds: { 9: '253:2' },
      })
      .qemu(502, {
        argv: ['/usr/bin/kvm', '-id', '102'],
        cgroup: '0::/qemu.slice/102.scope\n',
        fds: { 9: '253:3', 10: '252:1' },
      })
      .dir('/sys/fs/cgroup/qemu.slice/101.scope')
      .dir('/sys/fs/cgroup/qemu.slice/102.scope');
    const s = await snap(t);
    const v101 = vm(s, '101');
    expect(kinds(v101)).toEqual(['kpartx:dm-2', 'multipath:dm-0', 'path:sda', 'path:sdb']);
    const v102 = vm(s, '102');
    expect(kinds(v102, 0)).toEqual(['vm-map:dm-3', 'path:sda', 'path:sdb']);
    expect(v102.disks[0]!.maps).toEqual(['mpatha']);
    expect(kinds(v102, 1)).toEqual(['partition:vda1', 'disk:vda']);
    expect(v102.disks[1]!.maps).toEqual([]);
    expect(s.vms.filter((v) => v.disks.some((d) => d.maps.includes('mpatha'))).map((v) => v.id)).toEqual([
      '101',
      '102',
    ]);
    expect(s.vms.map((v) => v.name)).toEqual(['vm101', 'vm102']);
  });

  it('a striped LV spans two maps', async () => {
    const table = (name: string, a: string, b: string) =>
      `${name}: 0 131072 multipath 0 1 alua 2 1 service-time 0 1 2 ${a} 1 1 service-time 0 1 2 ${b} 1 1 \n`;
    const status = (name: string, a: string, b: string) =>
      `${name}: 0 131072 multipath 2 0 1 0 2 1 A 0 1 2 ${a} A 0 0 1 E 0 1 2 ${b} A 0 0 1 \n`;
    const t = withFixtureMap(tree(), ['dm-5'])
      .disk('sdc', '8:32')
      .disk('sdd', '8:48')
      .dm('dm-4', '253:4', { name: 'mpathb', uuid: 'mpath-wwidb', slaves: ['sdc', 'sdd'], holders: ['dm-5'] })
      .dm('dm-5', '253:5', { name: 'vg-striped', uuid: 'LVM-' + 'b'.repeat(64), slaves: ['dm-0', 'dm-4'] })
      .qemu(600, { argv: ['qemu-system-x86_64', '-name', 'vmS'], cgroup: '0::/vmS\n', fds: { 3: '253:5' } })
      .dir('/sys/fs/cgroup/vmS');
    const runner = fixtureRunner({
      'multipathd show maps json': { exitCode: 1, stdout: '', stderr: '' },
      'dmsetup table --target multipath': table('mpatha', '8:0', '8:16') + table('mpathb', '8:32', '8:48'),
      'dmsetup status --target multipath': status('mpatha', '8:0', '8:16') + status('mpathb', '8:32', '8:48'),
      'dmsetup table':
        `vg-striped: 0 262144 striped 2 128 253:0 0 253:4 0\n` + table('mpatha', '8:0', '8:16'),
    });
    const s = await snap(t, runner);
    const v = vm(s, 'vmS');
    expect(v.kind).toBe('qemu');
    expect(v.disks[0]!.maps).toEqual(['mpatha', 'mpathb']);
    expect(kinds(v)).toEqual([
      'lv:dm-5',
      'multipath:dm-0',
      'path:sda',
      'path:sdb',
      'multipath:dm-4',
      'path:sdc',
      'path:sdd',
    ]);
    expect(v.disks[0]!.chain[0]!.table).toBe('0 262144 striped 2 128 253:0 0 253:4 0');
    expect(s.maps.map((m) => m.name)).toEqual(['mpatha', 'mpathb']);
    expect(s.paths.map((p) => p.dev)).toEqual(['sda', 'sdb', 'sdc', 'sdd']);
    expect(s.diagnostics.map((d) => d.code)).toContain('VMPATH_E_MULTIPATHD_UNREACHABLE');
  });

  it('a cycle and a dangling entry in slaves/ become diagnostics, not a hang', async () => {
    const t = tree()
      .dm('dm-7', '253:7', { name: 'loopy-a', uuid: 'CRYPT-x', slaves: ['dm-8', 'ghost'] })
      .dm('dm-8', '253:8', { name: 'loopy-b', uuid: 'CRYPT-y', slaves: ['dm-7'] })
      .qemu(700, { argv: ['qemu-system-x86_64', '-name', 'cyc'], cgroup: '0::/\n', fds: { 3: '253:7' } });
    const s = await snap(t);
    expect(kinds(vm(s, 'cyc'))).toEqual(['dm-other:dm-7', 'dm-other:dm-8']);
    const messages = s.diagnostics.map((d) => d.message).join('\n');
    expect(messages).toMatch(/cycle in slaves: dm-7 → dm-8 → dm-7/);
    expect(messages).toMatch(/slave "ghost" not found/);
  });
});
