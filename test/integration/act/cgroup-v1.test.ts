/**
 * cgroup v1 blkio, for real: a direct-I/O dd in a real blkio cgroup reading two loop devices over
 * one file. applyPlan sets a 10 MiB/s read limit on loopA only; loopA must run within ±10% of it
 * while loopB runs > 5× faster. Then unchanged on re-apply, cleared, typed errors with real
 * kernel errnos, and `release` reverting limits from the journal.
 */
import { rmdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { applyPlan, Journal, type ActContext } from '../../../agent/act';
import { releaseChanges } from '../../../agent/act/release';
import { cgroupError } from '../../../agent/act/cgroup-errors';
import type { Action, CgroupIoLimit, Plan } from '../../../agent/model/plan';
import type { VmControl } from '../../../agent/model/seams';
import { BlkioRig, BLKIO, type Loop } from './helpers/blkio-rig';

const LIMIT = 10 * 1024 * 1024;
const clock = { nowMs: () => Date.now() };
const noVm: VmControl = {
  status: () => Promise.reject(new Error('no VMs here')),
  pause: () => Promise.reject(new Error('no VMs here')),
  resume: () => Promise.reject(new Error('no VMs here')),
  migrate: () => Promise.reject(new Error('no VMs here')),
  kill: () => Promise.reject(new Error('no VMs here')),
};

function limitAction(rig: BlkioRig, devT: string, limit: CgroupIoLimit | null, id = `limit-${devT}`): Action {
  return {
    kind: 'set-io-limit',
    id,
    reason: 'test',
    origins: [],
    trigger: 'operator',
    vmId: '901',
    cgroup: { version: 1, path: rig.cgroupRel },
    devT,
    limit,
  };
}

const plan = (...actions: Action[]): Plan => ({ actions, decisions: [], warnings: [] });

describe('cgroup v1 blkio (real kernel)', () => {
  const rig = new BlkioRig();
  let ctx: ActContext;
  let journalDir: string;

  beforeAll(async () => {
    rig.setup(64);
    journalDir = mkdtempSync(path.join(os.tmpdir(), 'vmpath-journal-'));
    ctx = {
      fs: new RootedHostFs('/'),
      runner: new ProcessCommandRunner(),
      vmControl: noVm,
      clock,
      journal: await Journal.open('/', path.join(journalDir, 'journal.jsonl'), { clock }),
    };
  });
  afterAll(async () => {
    await ctx?.journal.close();
    rig.cleanup();
    rmSync(journalDir, { recursive: true, force: true });
  });

  it('mounts: blkio found in /proc/mounts', () => {
    expect(readFileSync('/proc/mounts', 'utf8')).toMatch(/ \/sys\/fs\/cgroup\/blkio cgroup .*blkio/);
  });

  it('limits reads on loopA to 10 MiB/s (±10%) while loopB is not limited (> 5×)', async () => {
    const [a, b] = rig.loops as [Loop, Loop];
    const results = await applyPlan(ctx, plan(limitAction(rig, a.devT, { rbps: LIMIT })), { dryRun: false });
    expect(results).toEqual([expect.objectContaining({ outcome: 'applied' })]);
    expect(readFileSync(`${rig.cgroupDir()}/blkio.throttle.read_bps_device`, 'utf8')).toContain(
      `${a.devT} ${LIMIT}`,
    );

    const limited = await rig.readRate(a.dev, 30);
    const free = await rig.readRate(b.dev, 200);
    console.log(
      `loopA ${(limited / 1048576).toFixed(2)} MiB/s (limit 10), loopB ${(free / 1048576).toFixed(0)} MiB/s`,
    );
    expect(Math.abs(limited - LIMIT) / LIMIT).toBeLessThanOrEqual(0.1);
    expect(free).toBeGreaterThan(5 * LIMIT);
  }, 60_000);

  it('re-applying the same limit is unchanged; null clears it and I/O is fast again', async () => {
    const a = rig.loops[0] as { dev: string; devT: string };
    const again = await applyPlan(ctx, plan(limitAction(rig, a.devT, { rbps: LIMIT })), { dryRun: false });
    expect(again[0]?.outcome).toBe('unchanged');
    const cleared = await applyPlan(ctx, plan(limitAction(rig, a.devT, null)), { dryRun: false });
    expect(cleared[0]?.outcome).toBe('applied');
    expect(readFileSync(`${rig.cgroupDir()}/blkio.throttle.read_bps_device`, 'utf8').trim()).toBe('');
    expect(await rig.readRate(a.dev, 100)).toBeGreaterThan(5 * LIMIT);
    const clearedAgain = await applyPlan(ctx, plan(limitAction(rig, a.devT, null)), { dryRun: false });
    expect(clearedAgain[0]?.outcome).toBe('unchanged');
  }, 60_000);

  it('write and iops limits land in their files', async () => {
    const a = rig.loops[0] as { devT: string };
    const r = await applyPlan(
      ctx,
      plan(limitAction(rig, a.devT, { wbps: 2 * LIMIT, riops: 500, wiops: 300 })),
      {
        dryRun: false,
      },
    );
    expect(r[0]?.outcome).toBe('applied');
    const file = (n: string) => readFileSync(`${rig.cgroupDir()}/blkio.throttle.${n}`, 'utf8');
    expect(file('write_bps_device')).toContain(`${a.devT} ${2 * LIMIT}`);
    expect(file('read_iops_device')).toContain(`${a.devT} 500`);
    expect(file('write_iops_device')).toContain(`${a.devT} 300`);
    expect((await applyPlan(ctx, plan(limitAction(rig, a.devT, null)), { dryRun: false }))[0]?.outcome).toBe(
      'applied',
    );
    expect(file('write_iops_device').trim()).toBe('');
  });

  it('a device that does not exist: CgroupNoDeviceError from the kernel ENODEV', async () => {
    const r = await applyPlan(ctx, plan(limitAction(rig, '7:9999', { rbps: LIMIT })), { dryRun: false });
    expect(r[0]).toMatchObject({ outcome: 'failed', code: 'VMPATH_E_CGROUP_NO_DEVICE' });
  });

  it('garbage: the kernel says EINVAL and it maps to CgroupInvalidError', async () => {
    const file = `${rig.cgroupDir()}/blkio.throttle.read_bps_device`;
    let err: unknown;
    try {
      await new RootedHostFs('/').writeFile(file, 'garbage\n');
    } catch (e) {
      err = e;
    }
    expect((err as NodeJS.ErrnoException).code).toBe('EINVAL');
    expect(cgroupError(err, file, 'garbage').code).toBe('VMPATH_E_CGROUP_INVALID');
  });

  it('dry run records the write and changes nothing', async () => {
    const a = rig.loops[0] as { devT: string };
    const r = await applyPlan(ctx, plan(limitAction(rig, a.devT, { rbps: LIMIT })), { dryRun: true });
    expect(r[0]).toMatchObject({ outcome: 'applied', dryRun: true });
    expect(r[0]?.effects).toEqual([
      `write: ${rig.cgroupDir()}/blkio.throttle.read_bps_device <- "${a.devT} ${LIMIT}"`,
    ]);
    expect(readFileSync(`${rig.cgroupDir()}/blkio.throttle.read_bps_device`, 'utf8').trim()).toBe('');
  });

  it('release reverts every limit vmpath set (from the journal) and leaves a foreign rule alone', async () => {
    const [a, b] = rig.loops as [Loop, Loop];
    // An operator's own rule on loopB before vmpath touches it: release must restore exactly it.
    writeFileSync(`${rig.cgroupDir()}/blkio.throttle.write_bps_device`, `${b.devT} 4194304\n`);
    const r = await applyPlan(
      ctx,
      plan(
        limitAction(rig, a.devT, { rbps: LIMIT, wiops: 100 }, 'a'),
        limitAction(rig, b.devT, { rbps: 2 * LIMIT, wbps: 8388608 }, 'b'),
      ),
      { dryRun: false },
    );
    expect(r.map((x) => x.outcome)).toEqual(['applied', 'applied']);
    // Reopen the journal from disk, as a restarted agent or the CLI would.
    await ctx.journal.close();
    const journal = await Journal.open('/', path.join(journalDir, 'journal.jsonl'), { clock });
    ctx = { ...ctx, journal };
    expect(journal.ledger().map((e) => e.key)).toEqual(
      expect.arrayContaining([
        `io-limit:v1:${rig.cgroupRel}:${a.devT}`,
        `io-limit:v1:${rig.cgroupRel}:${b.devT}`,
      ]),
    );
    const released = await releaseChanges(ctx, { all: true, dryRun: false });
    expect(released.every((x) => x.outcome === 'applied' || x.outcome === 'unchanged')).toBe(true);
    const file = (n: string) => readFileSync(`${rig.cgroupDir()}/blkio.throttle.${n}`, 'utf8').trim();
    expect(file('read_bps_device')).toBe('');
    expect(file('write_iops_device')).toBe('');
    expect(file('write_bps_device')).toBe(`${b.devT} 4194304`);
    expect(journal.ledger()).toEqual([]);
    expect(await releaseChanges(ctx, { all: true, dryRun: false })).toEqual([]);
  });

  it('a removed cgroup (VM stopped): CgroupGoneError, nothing else touched', async () => {
    rmdirSync(rig.cgroupDir());
    const a = rig.loops[0] as { devT: string };
    const r = await applyPlan(ctx, plan(limitAction(rig, a.devT, { rbps: LIMIT })), { dryRun: false });
    expect(r[0]).toMatchObject({ outcome: 'failed', code: 'VMPATH_E_CGROUP_GONE' });
    expect(readFileSync(`${BLKIO}/blkio.throttle.read_bps_device`, 'utf8')).not.toContain(
      `${a.devT} ${LIMIT}`,
    );
  });
});
