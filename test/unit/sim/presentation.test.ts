/**
 * The root directory is a real-layout sysfs/procfs/cgroupfs, and vmpath's own observe/ reads the
 * simulated host into the snapshot the simulator holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { observeHost } from '../../../agent/observe';
import { createSimHost, demoSpec, type SimHost } from '../../../agent/sim';

let host: SimHost;
beforeEach(() => (host = createSimHost()));
afterEach(() => host.dispose());

test('block devices: dev, size, device link into the SCSI host, holders/slaves, dm files', async () => {
  const f = host.fs;
  expect(await f.readFile('/sys/block/sda/dev')).toBe('8:0\n');
  expect(await f.readFile('/sys/block/sdq/dev')).toBe('65:0\n');
  expect(await f.realpath('/sys/block/sda/device')).toBe(
    '/sys/devices/pci0000:00/0000:00:03.0/host0/rport-0:0-0/target0:0:0/0:0:0:0',
  );
  expect(await f.readFile('/sys/block/sda/device/state')).toBe('running\n');
  expect(await f.readFile('/sys/block/sda/device/access_state')).toBe('active/optimized\n');
  expect(await f.readdir('/sys/block/sda/holders')).toEqual(['dm-0']);
  expect(await f.readdir('/sys/block/dm-0/slaves')).toEqual(['sda', 'sdg', 'sdm', 'sds']);
  expect(await f.readFile('/sys/block/dm-0/dm/name')).toBe('mpatha\n');
  expect(await f.readFile('/sys/block/dm-0/dm/uuid')).toMatch(/^mpath-3600a0980/);
  expect(await f.readFile('/sys/block/dm-0/dm/suspended')).toBe('0\n');
  // The shared map holds one LV per VM disk; LVs are LVM-named dm-linear devices.
  expect(await f.readdir('/sys/block/dm-5/holders')).toEqual(['dm-10', 'dm-6', 'dm-7', 'dm-8', 'dm-9']);
  expect(await f.readFile('/sys/block/dm-6/dm/name')).toBe('sanvg-vm--101--disk--2\n');
  expect(await f.readFile('/sys/block/dm-6/dm/uuid')).toMatch(/^LVM-[A-Za-z0-9]{64}\n$/);
  expect(await f.realpath('/dev/mapper/mpatha')).toBe('/dev/dm-0');
  expect(await f.blockDevT('/dev/mapper/mpatha')).toBe('253:0');
  expect(await f.readFile('/sys/class/fc_remote_ports/rport-0:0-0/port_state')).toBe('Online\n');
});

test('processes, cgroups and Proxmox files', async () => {
  const f = host.fs;
  const pid = (await f.readFile('/var/run/qemu-server/101.pid')).trim();
  const argv = (await f.readFile(`/proc/${pid}/cmdline`)).split('\0');
  expect(argv.slice(0, 5)).toEqual(['/usr/bin/kvm', '-id', '101', '-name', 'db01,debug-threads=on']);
  expect(await f.readFile(`/proc/${pid}/cgroup`)).toBe('0::/qemu.slice/101.scope\n');
  expect(await f.readFile(`/proc/${pid}/stat`)).toMatch(new RegExp(`^${pid} \\(kvm\\) S `));
  expect((await f.readFile(`/proc/${pid}/stat`)).trim().split(' ')).toHaveLength(52);
  // the disks from fd 20 on; below them QEMU's other fds as links (stdio, QMP socket, KVM, ...)
  const fds = (await f.readdir(`/proc/${pid}/fd`)).map(Number).sort((a, b) => a - b);
  expect(fds).toEqual([...Array.from({ length: 20 }, (_, i) => i), 20, 21, 22]);
  expect(await f.readlink(`/proc/${pid}/fd/5`)).toBe('/dev/kvm');
  expect(await f.readlink(`/proc/${pid}/fd/3`)).toMatch(/^socket:\[\d+\]$/);
  expect(await f.blockDevT(`/proc/${pid}/fd/22`)).toBe('253:6');
  expect(await f.readFile('/sys/fs/cgroup/qemu.slice/101.scope/cgroup.procs')).toBe(`${pid}\n`);
  expect(await f.readFile('/sys/fs/cgroup/qemu.slice/101.scope/io.weight')).toBe('default 100\n');
  expect(await f.readFile('/etc/pve/qemu-server/101.conf')).toContain('tags: vmpath-prio-high');
  expect(await f.readFile('/proc/mounts')).toContain('cgroup2 /sys/fs/cgroup cgroup2 ');
});

test('counters: stat (17 fields) and io.stat are fresh when read through .fs', async () => {
  host.tick(1000);
  host.tick(300);
  const stat = (await host.fs.readFile('/sys/block/dm-0/stat')).trim().split(/\s+/).map(Number);
  expect(stat).toHaveLength(17);
  const rios = stat[0] as number;
  host.tick(300);
  const again = Number((await host.fs.readFile('/sys/block/dm-0/stat')).trim().split(/\s+/)[0]);
  expect(again).toBeGreaterThan(rios);
  expect(await host.fs.readFile('/sys/fs/cgroup/qemu.slice/101.scope/io.stat')).toMatch(
    /^253:0 rbytes=\d+ wbytes=\d+ rios=\d+ wios=\d+ dbytes=0 dios=0$/m,
  );
});

test('libvirt VMs and cgroup v1', async () => {
  const spec = demoSpec();
  host.dispose();
  host = createSimHost({
    ...spec,
    cgroup: 'v1',
    vms: spec.vms.map((v, i) => (i === 1 ? { ...v, kind: 'libvirt' as const } : v)),
  });
  const pid = (await host.fs.readFile('/var/run/libvirt/qemu/backup01.pid')).trim();
  const argv = (await host.fs.readFile(`/proc/${pid}/cmdline`)).split('\0');
  expect(argv.slice(0, 3)).toEqual([
    '/usr/bin/qemu-system-x86_64',
    '-name',
    'guest=backup01,debug-threads=on',
  ]);
  expect(await host.fs.readFile(`/proc/${pid}/cgroup`)).toContain(
    'blkio:/machine.slice/machine-qemu\\x2d2\\x2dbackup01.scope',
  );
  expect(
    await host.fs.exists('/sys/fs/cgroup/blkio/qemu.slice/101.scope/blkio.throttle.read_bps_device'),
  ).toBe(true);
  expect(await host.fs.readFile('/proc/mounts')).toContain('cgroup /sys/fs/cgroup/blkio cgroup rw,');
});

test('only changed files are rewritten on a tick', () => {
  host.tick(100);
  const file = path.join(host.root, '/sys/block/sda/device/state');
  const before = fs.statSync(file).mtimeMs;
  const dev = path.join(host.root, '/sys/block/dm-0/dm/name');
  const devBefore = fs.statSync(dev).mtimeMs;
  host.tick(100);
  expect(fs.statSync(file).mtimeMs).toBe(before);
  expect(fs.statSync(dev).mtimeMs).toBe(devBefore);
});

test("vmpath's observe/ reads the simulated host without diagnostics", async () => {
  host.tick(1000);
  const snap = await observeHost({ fs: host.fs, runner: host.runner, clock: host.clock });
  expect(snap.diagnostics).toEqual([]);
  expect(snap.host.hostname).toBe('pve-sim1');
  expect(snap.host.multipathToolsVersion).toBe('0.9.4');
  expect(snap.maps.map((m) => m.name)).toEqual(['mpatha', 'mpathb', 'mpathc', 'mpathd', 'mpathe', 'mpathf']);
  expect(snap.paths).toHaveLength(24);
  const m = host.metrics();
  for (const p of snap.paths) {
    const sim = m.paths.find((x) => x.dev === p.dev);
    expect(p.devT).toBe(sim?.devT);
    expect(p.transport.kind).toBe('fc');
    expect(p.fabric ?? sim?.fabric).toBeDefined();
  }
  const mpathf = snap.maps.find((x) => x.name === 'mpathf');
  expect(mpathf?.groups.map((g) => g.paths.length)).toEqual([2, 2]);
  expect(mpathf?.queueIfNoPath).toBe(true);
  expect(mpathf?.holders).toHaveLength(5);
  expect(snap.vms.map((v) => v.id)).toEqual(['101', '102', '103', '104', '105']);
  const db = snap.vms[0];
  expect(db?.disks.map((d) => d.maps)).toEqual([['mpatha'], ['mpathe'], ['mpathf']]);
  expect(db?.disks[2]?.chain.map((c) => c.kind).slice(0, 2)).toEqual(['lv', 'multipath']);
});
