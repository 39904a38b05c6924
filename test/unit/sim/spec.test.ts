/** Spec validation, external writes noticed by the poll, and the iSCSI layout. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScenarioInvalidError } from '../../../agent/model/errors';
import { createSimHost, type SimHostSpec } from '../../../agent/sim';

const base: SimHostSpec = {
  paths: [
    { id: 'i0', fabric: 'A', transport: 'iscsi', capacityMBps: 100, capacityIops: 10000, latencyMs: 1 },
    { id: 'i1', fabric: 'B', transport: 'iscsi', capacityMBps: 100, capacityIops: 10000, latencyMs: 1 },
  ],
  luns: [{ wwid: '36001405dddd' }],
  vms: [{ id: '301', disks: ['mpatha'], workload: { type: 'open', rateMBps: 80, ioKiB: 64, readPct: 50 } }],
};

test.each([
  ['no paths', { ...base, paths: [] }, /paths/],
  ['bad capacity', { ...base, paths: [{ ...base.paths[0], capacityMBps: 0 }] }, /paths\[0\]\.capacityMBps/],
  ['duplicate wwid', { ...base, luns: [base.luns[0], base.luns[0]] }, /luns\[1\]\.wwid/],
  ['unknown LUN', { ...base, vms: [{ ...base.vms[0], disks: ['nosuch'] }] }, /vms\[0\]\.disks\[0\]/],
  ['LUN owned twice', { ...base, vms: [base.vms[0], { ...base.vms[0], id: '302' }] }, /owned by VM 301/],
  [
    'bad workload',
    {
      ...base,
      vms: [{ ...base.vms[0], workload: { type: 'closed', outstanding: 0, ioKiB: 4, readPct: 50 } }],
    },
    /workload\.outstanding/,
  ],
  ['bad fault plan', { ...base, events: [{ at: 1, fail: 'nosuch' }] }, /matches no path/],
])('%s is rejected with ScenarioInvalidError', (_name, spec, message) => {
  const build = () => createSimHost(spec as SimHostSpec).dispose();
  expect(build).toThrow(ScenarioInvalidError);
  expect(build).toThrow(message);
});

test('iSCSI paths: session in the device path, iscsi_session class, link latency in metrics', async () => {
  const host = createSimHost(base);
  try {
    expect(await host.fs.realpath('/sys/block/sdb/device')).toBe(
      '/sys/devices/platform/host1/session2/target1:0:0/1:0:0:0',
    );
    expect(await host.fs.readFile('/sys/class/iscsi_session/session2/state')).toBe('LOGGED_IN\n');
    host.inject({ fail: 'B' });
    expect(await host.fs.readFile('/sys/class/iscsi_session/session2/state')).toBe('FAILED\n');
    host.tick(500);
    const link = host.metrics().links[0];
    expect(link?.utilization).toBeCloseTo(0.8, 5);
    expect(link?.latencyMs).toBeGreaterThan(1);
  } finally {
    host.dispose();
  }
});

test('cgroup writes made around .fs are noticed by the poll', () => {
  const host = createSimHost(base);
  try {
    host.tick(500);
    expect(host.metrics().vms[0]?.throughputMBps).toBeCloseTo(80, 5);
    fs.writeFileSync(
      path.join(host.root, '/sys/fs/cgroup/qemu.slice/301.scope/io.max'),
      '253:0 rbps=10000000\n',
    );
    host.tick(1000);
    host.tick(500);
    expect(host.metrics().vms[0]?.throughputMBps).toBeCloseTo(20, 5);
  } finally {
    host.dispose();
  }
});

test('dispose removes the temp root; a given root is kept', () => {
  const host = createSimHost(base);
  const root = host.root;
  host.dispose();
  expect(fs.existsSync(root)).toBe(false);
  const mine = fs.mkdtempSync('/tmp/vmpath-sim-test-');
  const kept = createSimHost(base, { root: mine });
  kept.dispose();
  expect(fs.existsSync(path.join(mine, 'sys/block/sda/dev'))).toBe(true);
  fs.rmSync(mine, { recursive: true, force: true });
});
