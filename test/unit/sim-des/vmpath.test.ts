import { runScenario } from '../../../agent/sim/des/run';
import { parseScenario } from '../../../agent/sim/des/scenario';
import { parseMultipathTable } from '../../../agent/sim/des/vmpath-apply';
import { path, twoPathScenario } from './fixtures';

/** All paths down from 1 s to 3 s; one VM per LUN with the given onAllPathsDown. */
function allDown(onAllPathsDown: string): ReturnType<typeof parseScenario> {
  return parseScenario(
    twoPathScenario({
      durationS: 5,
      checkerIntervalS: 1,
      luns: [{ wwid: 'lun0', paths: ['a1', 'b1'] }],
      vms: [
        {
          id: '101',
          disks: ['lun0'],
          policy: { onAllPathsDown },
          workload: { type: 'closed', outstanding: 2, ioKiB: 64, readPct: 100 },
        },
      ],
      events: [
        { at: 1, fail: 'all' },
        { at: 3, restore: 'all' },
      ],
    }),
  );
}

describe('vmpath driving the simulator through decide()', () => {
  it('onAllPathsDown=pause: the VM is paused, no guest-visible I/O errors, resumed after', () => {
    const r = runScenario(allDown('pause'), 'vmpath');
    const vm = r.vms[0];
    expect(vm?.ioErrors).toBe(0);
    expect(vm?.pausedS).toBeGreaterThan(1);
    expect(r.timeline.some((e) => e.kind === 'pause')).toBe(true);
    expect(r.timeline.some((e) => e.kind === 'resume')).toBe(true);
    expect(r.agent?.decisions).toBeGreaterThan(1);
  });

  it('onAllPathsDown=fail: the guest sees I/O errors', () => {
    const r = runScenario(allDown('fail'), 'vmpath');
    expect(r.vms[0]?.ioErrors).toBeGreaterThan(0);
  });

  it('weights from set-io-weight protect a small-block VM from a flood (p99)', () => {
    const s = parseScenario(
      twoPathScenario({
        durationS: 1,
        luns: [{ wwid: 'lun0', paths: ['a1', 'b1'], shared: true }],
        vms: [
          {
            id: 'noisy',
            disks: ['lun0'],
            policy: { shares: 100 },
            workload: { type: 'closed', outstanding: 32, ioKiB: 256, readPct: 100 },
          },
          {
            id: 'victim',
            disks: ['lun0'],
            policy: { shares: 1000 },
            workload: { type: 'closed', outstanding: 2, ioKiB: 8, readPct: 100 },
          },
        ],
      }),
    );
    const vm = runScenario(s, 'vmpath').vms.find((v) => v.id === 'victim');
    const st = runScenario(s, 'service-time').vms.find((v) => v.id === 'victim');
    expect((st?.latencyMsP99 ?? 0) / (vm?.latencyMsP99 ?? 1)).toBeGreaterThan(3);
  });

  it('pins move a VM onto its fabric via a per-VM map', () => {
    const s = parseScenario(
      twoPathScenario({
        durationS: 1,
        luns: [{ wwid: 'lun0', paths: ['a1', 'b1'], shared: true }],
        vms: [
          {
            id: '101',
            disks: ['lun0'],
            policy: { pin: ['fabric:B'] },
            workload: { type: 'closed', outstanding: 4, ioKiB: 64, readPct: 100 },
          },
          {
            id: '102',
            disks: ['lun0'],
            workload: { type: 'closed', outstanding: 4, ioKiB: 64, readPct: 100 },
          },
        ],
      }),
    );
    const r = runScenario(s, 'vmpath');
    expect(r.vms.find((v) => v.id === '101')?.fabricShare.B).toBe(1);
  });

  it("steer: the shared LUN's VM leaves the failover VM's path to it (per-VM map)", () => {
    const s = parseScenario(
      twoPathScenario({
        durationS: 2,
        luns: [
          { wwid: 'lun0', paths: ['a1', 'b1'], shared: true },
          { wwid: 'lun1', paths: ['a1', 'b1'], grouping: 'failover' },
        ],
        vms: [
          {
            id: 'lvm',
            disks: ['lun0'],
            workload: { type: 'closed', outstanding: 16, ioKiB: 64, readPct: 100 },
          },
          {
            id: 'raw',
            disks: ['lun1'],
            workload: { type: 'closed', outstanding: 8, ioKiB: 64, readPct: 100 },
          },
        ],
      }),
    );
    const steer = runScenario(s, 'vmpath');
    const pinned = runScenario(s, 'vmpath', { perVmMaps: 'pinned' });
    const mbps = (r: typeof steer, id: string): number => r.vms.find((v) => v.id === id)?.throughputMBps ?? 0;
    // raw's failover map uses a1 (group 1); lvm's per-VM map leaves it: lvm on fabric B only
    expect(steer.vms.find((v) => v.id === 'lvm')?.fabricShare.B).toBe(1);
    expect(mbps(steer, 'raw')).toBeGreaterThan(0.9 * 400);
    // without steer lvm spreads over both paths and takes about half of raw's only path
    expect(mbps(pinned, 'raw')).toBeLessThan(0.7 * 400);
    expect(steer.totals.throughputMBps).toBeGreaterThan(pinned.totals.throughputMBps);
  });

  it('steer: when the failover VM fails over, the per-VM map is regrouped (reload-vm-map)', () => {
    const s = parseScenario(
      twoPathScenario({
        durationS: 3,
        paths: [path('a1', 'A'), path('a2', 'A'), path('b1', 'B')],
        luns: [
          { wwid: 'lun0', paths: ['a1', 'a2', 'b1'], shared: true },
          { wwid: 'lun1', paths: ['a1', 'a2', 'b1'], grouping: 'failover' },
        ],
        vms: [
          {
            id: 'lvm',
            disks: ['lun0'],
            workload: { type: 'closed', outstanding: 16, ioKiB: 64, readPct: 100 },
          },
          {
            id: 'raw',
            disks: ['lun1'],
            workload: { type: 'closed', outstanding: 8, ioKiB: 64, readPct: 100 },
          },
        ],
        events: [{ at: 0.5, fail: 'a1' }],
      }),
    );
    const r = runScenario(s, 'vmpath');
    expect(r.agent?.warnings.filter((w) => /not simulated/.test(w))).toEqual([]);
    // 0–0.5 s: raw on a1, lvm on a2 + b1; then raw on a2 and lvm on b1 alone
    expect(r.timeline.filter((e) => e.kind === 'agent' && /reload-vm-map/.test(e.subject))).toHaveLength(1);
    const lvm = r.vms.find((v) => v.id === 'lvm');
    expect(lvm?.fabricShare.B).toBeGreaterThan(0.7);
    expect(r.vms.find((v) => v.id === 'raw')?.throughputMBps).toBeGreaterThan(0.85 * 400);
  });

  it('parses dm multipath tables as decide/ writes them', () => {
    const t = parseMultipathTable(
      '0 131072 multipath 1 queue_if_no_path 0 2 1 service-time 0 1 2 8:16 1 1 service-time 0 2 2 8:0 1 1 8:32 1 1',
    );
    expect(t).toEqual({
      queueIfNoPath: true,
      initialGroup: 1,
      selector: 'service-time',
      groups: [['8:16'], ['8:0', '8:32']],
    });
  });
});
