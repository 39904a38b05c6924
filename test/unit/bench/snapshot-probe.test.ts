import { createSimHost, scaleSpec, type SimHost } from '../../../agent/sim';
import { recordCommands, runProbe, type ProbeJob } from '../../../scripts/bench/snapshot-probe';

describe('snapshot probe (the snapshot benchmark measured apart from the simulator)', () => {
  let sim: SimHost;
  let job: ProbeJob;
  beforeAll(async () => {
    sim = createSimHost(scaleSpec({ vms: 5, luns: 6, pathsPerLun: 4 }));
    job = {
      root: sim.root,
      commands: await recordCommands({ fs: sim.fs, runner: sim.runner, clock: sim.clock }),
      expected: { maps: 6, paths: 24, vms: 5 },
      size: 'tiny',
      runs: 2,
      warmup: 0,
      baseline: true,
    };
  });
  afterAll(() => sim.dispose());

  it('observes the whole host from its tree and the recorded answers, with the baseline pair', async () => {
    const r = await runProbe(job);
    expect(r.measurements.map((m) => m.name)).toEqual([
      'snapshot',
      'snapshot, sysfs on the main thread (baseline)',
    ]);
    expect(r.measurements.every((m) => m.runs === 2 && m.medianMs > 0)).toBe(true);
    expect(r.paired?.runs).toBe(2);
  });

  it('refuses a snapshot that misses part of the host', async () => {
    await expect(
      runProbe({ ...job, expected: { ...job.expected, paths: 25 }, baseline: false }),
    ).rejects.toThrow(/saw 6 maps, 24 paths, 5 VMs/);
  });

  it('refuses when the commands were not recorded (no maps seen)', async () => {
    await expect(runProbe({ ...job, commands: {}, baseline: false })).rejects.toThrow(/saw 0 maps/);
  });
});
