import { compare } from '../../../agent/sim/des/compare';
import { comparisonJson } from '../../../agent/sim/des/format';
import { runScenario } from '../../../agent/sim/des/run';
import { parseScenario } from '../../../agent/sim/des/scenario';
import { twoPathScenario } from './fixtures';

describe('simulator engine', () => {
  it('holds a token-bucket limit within 1%', () => {
    const s = parseScenario(
      twoPathScenario({
        durationS: 3,
        vms: [
          {
            id: '101',
            disks: ['lun0'],
            policy: { limitMBps: 100 },
            workload: { type: 'closed', outstanding: 8, ioKiB: 64, readPct: 100 },
          },
        ],
      }),
    );
    const r = runScenario(s, 'service-time');
    const vm = r.vms[0];
    expect(vm?.readMBps).toBeLessThanOrEqual(101);
    expect(vm?.readMBps).toBeGreaterThanOrEqual(97);
    for (const bin of r.series['101'] ?? []) expect(bin).toBeLessThanOrEqual(101);
  });

  it('an unlimited closed-loop VM is bounded by outstanding / latency (Little)', () => {
    const s = parseScenario(twoPathScenario({ durationS: 1 }));
    const r = runScenario(s, 'service-time');
    // 4 × 64 KiB over ~0.66 ms (0.5 ms latency + 0.16 ms service) ≈ 395 MB/s
    expect(r.vms[0]?.throughputMBps).toBeGreaterThan(350);
    expect(r.vms[0]?.throughputMBps).toBeLessThan(420);
  });

  it('under I/O, a failed path is failed by the kernel within ioFailMs and I/O moves to the other path', () => {
    const s = parseScenario(twoPathScenario({ durationS: 2, events: [{ at: 1, fail: 'a1' }] }));
    const r = runScenario(s, 'round-robin');
    const fail = r.timeline.find((e) => e.kind === 'kernel-fail');
    expect(fail?.path).toBe('a1');
    expect((fail?.tMs ?? 0) - 1000).toBeLessThanOrEqual(s.ioFailMs + 1e-6);
    expect(r.vms[0]?.ioErrors).toBe(0);
    expect(r.paths.find((p) => p.id === 'b1')?.utilization).toBeGreaterThan(0.4);
    // no completion gap longer than the detection time plus a few I/Os
    expect(r.vms[0]?.stallS).toBeLessThan(0.05);
  });

  it('an idle map learns of a failure only at the multipathd checker tick', () => {
    const s = parseScenario(
      twoPathScenario({
        durationS: 12,
        checkerIntervalS: 5,
        vms: [{ id: '101', disks: ['lun0'], workload: { type: 'open', rateMBps: 0, ioKiB: 4 } }],
        events: [{ at: 1, fail: 'a1' }],
      }),
    );
    const r = runScenario(s, 'service-time');
    const seen = r.timeline.find((e) => e.kind === 'checker-fail');
    expect(seen).toBeDefined();
    expect(seen?.tMs).toBeGreaterThan(1000);
    expect(seen?.tMs).toBeLessThanOrEqual(6000);
    expect(r.timeline.some((e) => e.kind === 'kernel-fail')).toBe(false);
  });

  it('is deterministic: the same seed gives identical JSON', () => {
    const input = twoPathScenario({
      durationS: 1,
      vms: [
        { id: '101', disks: ['lun0'], workload: { type: 'open', rateMBps: 50, ioKiB: 16, readPct: 70 } },
        { id: '102', disks: ['lun0'], workload: { type: 'closed', outstanding: 2, ioKiB: 8, readPct: 50 } },
      ],
      luns: [{ wwid: 'lun0', paths: ['a1', 'b1'], shared: true }],
      events: [{ at: 0.5, fail: 'a1' }],
    });
    const a = JSON.stringify(comparisonJson(compare(parseScenario(input), ['service-time', 'vmpath'])));
    const b = JSON.stringify(comparisonJson(compare(parseScenario(input), ['service-time', 'vmpath'])));
    expect(a).toBe(b);
    const other = JSON.stringify(
      comparisonJson(compare(parseScenario({ ...input, seed: 8 }), ['service-time', 'vmpath'])),
    );
    expect(other).not.toBe(a);
  });
});
