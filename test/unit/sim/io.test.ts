/**
 * The I/O model: cgroup writes under the root become effects (limits, weights), VM control
 * stops and starts I/O, and the whole thing is deterministic.
 */
import { VmNotFoundError } from '../../../agent/model/errors';
import type { VmRef } from '../../../agent/model/seams';
import {
  createSimHost,
  demoSpec,
  type SimHost,
  type SimHostSpec,
  type SimPathSpec,
} from '../../../agent/sim';

let host: SimHost;
afterEach(() => host.dispose());
const vmm = (id: string) => host.metrics().vms.find((v) => v.id === id);
const mapm = (name: string) => host.metrics().maps.find((m) => m.name === name);
const ref = (id: string): VmRef => ({ id, kind: 'proxmox', name: `vm${id}`, pid: 0 });

const owned = (cgroup: 'v1' | 'v2'): SimHostSpec => ({
  cgroup,
  paths: [
    { id: 'p0', fabric: 'A', capacityMBps: 400, capacityIops: 50000, latencyMs: 0.5 },
    { id: 'p1', fabric: 'B', capacityMBps: 400, capacityIops: 50000, latencyMs: 0.5, priority: 10 },
  ],
  luns: [{ wwid: '36001405bbbb' }, { wwid: '36001405cccc' }],
  vms: [
    { id: '101', disks: ['mpatha'], workload: { type: 'closed', outstanding: 4, ioKiB: 8, readPct: 70 } },
    { id: '102', disks: ['mpathb'], workload: { type: 'open', rateMBps: 300, ioKiB: 1024, readPct: 20 } },
  ],
});

test('io.max on the VM dm device limits it within a few % (v2), and `max` lifts it', async () => {
  host = createSimHost(owned('v2'));
  host.tick(1000);
  const before = mapm('mpathb')?.throughputMBps ?? 0;
  expect(before).toBeCloseTo(300, 3);
  // 20% read: a 40 MB/s write limit caps the mix at 50 MB/s.
  const io = '/sys/fs/cgroup/qemu.slice/102.scope/io.max';
  await host.fs.writeFile(io, '253:1 wbps=40000000\n');
  expect(await host.fs.readFile(io)).toBe('253:1 rbps=max wbps=40000000 riops=max wiops=max\n');
  host.tick(1000);
  const limited = mapm('mpathb')?.throughputMBps ?? 0;
  expect(Math.abs(limited - 50) / 50).toBeLessThan(0.03);
  // Counters agree with the rate (io.stat of the cgroup on 253:1).
  const stat = await host.fs.readFile('/sys/fs/cgroup/qemu.slice/102.scope/io.stat');
  expect(stat).toMatch(/^253:1 rbytes=\d+ wbytes=\d+ /m);
  await host.fs.writeFile(io, '253:1 wbps=max\n');
  expect(await host.fs.readFile(io)).toBe('');
  host.tick(1000);
  expect(mapm('mpathb')?.throughputMBps ?? 0).toBeGreaterThan(5 * limited);
});

test('an IOPS limit on an LV caps that disk only', async () => {
  host = createSimHost({ ...demoSpec(), events: [] });
  host.tick(500);
  const lv = host.metrics().maps.find((m) => m.name === 'sanvg-vm--105--disk--0');
  await host.fs.writeFile(`/sys/fs/cgroup/qemu.slice/105.scope/io.max`, `${lv?.devT} riops=500 wiops=500\n`);
  host.tick(1000);
  const vm = vmm('105');
  expect(Math.abs((vm?.iops ?? 0) - 1000) / 1000).toBeLessThan(0.03);
});

test('cgroup v1 blkio.throttle files limit too, and `MAJ:MIN 0` removes the rule', async () => {
  host = createSimHost(owned('v1'));
  const dir = '/sys/fs/cgroup/blkio/qemu.slice/102.scope';
  await host.fs.writeFile(`${dir}/blkio.throttle.write_bps_device`, '253:1 20000000\n');
  await host.fs.writeFile(`${dir}/blkio.throttle.read_bps_device`, '253:1 5000000\n');
  host.tick(1000);
  expect(Math.abs((mapm('mpathb')?.throughputMBps ?? 0) - 25) / 25).toBeLessThan(0.03);
  expect(await host.fs.readFile(`${dir}/blkio.throttle.write_bps_device`)).toBe('253:1 20000000\n');
  await host.fs.writeFile(`${dir}/blkio.throttle.write_bps_device`, '253:1 0\n');
  await host.fs.writeFile(`${dir}/blkio.throttle.read_bps_device`, '253:1 0\n');
  host.tick(1000);
  expect(mapm('mpathb')?.throughputMBps ?? 0).toBeCloseTo(300, 3);
});

const onePath: SimPathSpec = {
  id: 'p0',
  fabric: 'A',
  transport: 'iscsi',
  capacityMBps: 100,
  capacityIops: 100000,
  latencyMs: 1,
};
const shared: SimHostSpec = {
  paths: [onePath],
  luns: [{ wwid: '36001405aaaa', shared: true }],
  vms: ['201', '202'].map((id) => ({
    id,
    disks: ['mpatha'],
    workload: { type: 'open' as const, rateMBps: 200, ioKiB: 64, readPct: 50 },
  })),
};

test('io.weight shares a contended path proportionally', async () => {
  host = createSimHost(shared);
  host.tick(500);
  expect(vmm('201')?.throughputMBps).toBeCloseTo(50, 5);
  await host.fs.writeFile('/sys/fs/cgroup/qemu.slice/202.scope/io.weight', 'default 300\n');
  expect(await host.fs.readFile('/sys/fs/cgroup/qemu.slice/202.scope/io.weight')).toBe('default 300\n');
  host.tick(500);
  expect(vmm('201')?.throughputMBps).toBeCloseTo(25, 5);
  expect(vmm('202')?.throughputMBps).toBeCloseTo(75, 5);
  expect(host.metrics().links[0]?.utilization).toBeCloseTo(1, 5);
});

test('closed-loop latency follows Little: outstanding × size / throughput', () => {
  host = createSimHost({
    ...shared,
    vms: [
      {
        id: '201',
        disks: ['mpatha'],
        workload: { type: 'closed', outstanding: 32, ioKiB: 64, readPct: 100 },
      },
    ],
  });
  host.tick(500);
  const vm = vmm('201');
  expect(vm?.throughputMBps).toBeCloseTo(100, 3); // saturates the 100 MB/s path
  expect(vm?.latencyMs).toBeCloseTo(((32 * 65536) / 100e6) * 1000, 3);
});

test('pause stops I/O, resume restarts it; status follows', async () => {
  host = createSimHost({ ...demoSpec(), events: [] });
  host.tick(300);
  await host.vmControl.pause(ref('103'));
  expect(await host.vmControl.status(ref('103'))).toBe('paused');
  host.tick(300);
  const paused = vmm('103');
  expect(paused?.throughputMBps).toBe(0);
  expect(paused?.runState).toBe('paused');
  const ios = paused?.completedIos ?? 0;
  host.tick(300);
  expect(vmm('103')?.completedIos).toBe(ios);
  await host.vmControl.resume(ref('103'));
  host.tick(300);
  expect(vmm('103')?.throughputMBps).toBeGreaterThan(0);
});

test('migrate: the VM leaves after the migration time; kill: at once', async () => {
  host = createSimHost({ ...demoSpec(), events: [] }, { migrateMs: 2000 });
  const pid = (await host.fs.readFile('/var/run/qemu-server/104.pid')).trim();
  await host.vmControl.migrate(ref('104'), 'pve2');
  host.tick(1000);
  expect(await host.vmControl.status(ref('104'))).toBe('running');
  host.tick(1500);
  await expect(host.vmControl.status(ref('104'))).rejects.toBeInstanceOf(VmNotFoundError);
  expect(await host.fs.exists(`/proc/${pid}`)).toBe(false);
  expect(await host.fs.exists('/sys/fs/cgroup/qemu.slice/104.scope')).toBe(false);
  expect(vmm('104')?.runState).toBe('gone');
  await host.vmControl.kill(ref('105'));
  await expect(host.vmControl.pause(ref('105'))).rejects.toBeInstanceOf(VmNotFoundError);
  host.tick(500);
  expect(vmm('105')?.throughputMBps).toBe(0);
  expect(host.vmControl.calls.map((c) => c.op)).toEqual(['migrate', 'kill']);
});

test('deterministic: the same spec gives the same metrics and outputs', () => {
  const runOnce = (): string => {
    const h = createSimHost(demoSpec());
    try {
      for (let i = 0; i < 60; i++) h.tick(500);
      return JSON.stringify(h.metrics()) + h.runner.runSync(['dmsetup', 'status']).stdout;
    } finally {
      h.dispose();
    }
  };
  host = createSimHost(demoSpec());
  expect(runOnce()).toBe(runOnce());
});

test('service-time moves load off a busy path; round-robin does not', () => {
  const spec = (selector: 'service-time 0' | 'round-robin 0'): SimHostSpec => ({
    paths: [
      { id: 'p0', fabric: 'A', capacityMBps: 100, capacityIops: 100000, latencyMs: 1 },
      { id: 'p1', fabric: 'B', capacityMBps: 100, capacityIops: 100000, latencyMs: 1 },
    ],
    luns: [
      { wwid: '36001405eeee', paths: ['p0'] },
      { wwid: '36001405ffff', grouping: 'multibus', selector },
    ],
    vms: [
      { id: '401', disks: ['mpatha'], workload: { type: 'open', rateMBps: 200, ioKiB: 64, readPct: 50 } },
      { id: '402', disks: ['mpathb'], workload: { type: 'open', rateMBps: 150, ioKiB: 64, readPct: 50 } },
    ],
  });
  host = createSimHost(spec('service-time 0'));
  host.tick(500);
  expect(vmm('402')?.throughputMBps).toBeCloseTo(150, 5);
  expect(vmm('401')?.throughputMBps).toBeCloseTo(50, 5);
  host.dispose();
  host = createSimHost(spec('round-robin 0'));
  host.tick(500);
  expect(vmm('402')?.throughputMBps).toBeCloseTo(125, 5);
  expect(host.runner.runSync(['dmsetup', 'table', 'mpathb']).stdout).toContain(' round-robin 0 2 1 ');
});
