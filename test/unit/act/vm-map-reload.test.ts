/**
 * reload-vm-map: a per-VM map's table reloaded over its base map's current path devices —
 * load, suspend --noflush, resume, verify, fail the paths the base map has failed; unchanged
 * when the kernel's table already means the same; never left suspended; undo and release.
 */
import { applyPlan } from '../../../agent/act';
import { releaseChanges } from '../../../agent/act/release';
import { ReplayCommandRunner } from '../../../agent/os/replay-runner';
import { ScriptedRunner, base, context, fail, map, plan, snapshot } from './helpers';

const OLD = '0 131072 multipath 0 0 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:0 1 1';
const NEW = '0 131072 multipath 0 0 2 1 service-time 0 2 2 8:16 1 1 8:32 1 1 service-time 0 1 2 8:0 1 1';
const NAME = 'mpatha-vm101';

const reload = {
  ...base,
  kind: 'reload-vm-map' as const,
  id: `reload-vm-map:${NAME}`,
  vmId: '101',
  baseMap: 'mpatha',
  name: NAME,
  table: NEW,
  failPaths: ['8:32'],
};

/** The per-VM map as observed before the reload: 8:0 failed. */
const vmMap = map(NAME, {
  owner: 'vmpath',
  perVm: { vmId: '101', baseMap: 'mpatha' },
  groups: [
    {
      index: 1,
      state: 'active',
      selector: 'service-time',
      selectorArgs: [],
      paths: [{ dev: 'sdb', devT: '8:16', dmState: 'active' }],
    },
    {
      index: 2,
      state: 'enabled',
      selector: 'service-time',
      selectorArgs: [],
      paths: [{ dev: 'sda', devT: '8:0', dmState: 'failed' }],
    },
  ],
});

describe('reload-vm-map', () => {
  it('replayed table that already means the new one (kernel rewrites the first group): unchanged, nothing run', async () => {
    const readBack = NEW.replace(' 0 2 1 ', ' 0 2 2 ');
    const runner = new ReplayCommandRunner({ [`dmsetup table ${NAME}`]: `${readBack} \n` });
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan(reload), { dryRun: false });
    expect(r[0]).toMatchObject({ outcome: 'unchanged' });
    expect(runner.calls.map((c) => c.join(' '))).toEqual([`dmsetup table ${NAME}`]);
  });

  it('dry run over replayed outputs: records load, suspend --noflush, resume and fail_path; verification passes', async () => {
    const runner = new ReplayCommandRunner({ [`dmsetup table ${NAME}`]: `${OLD}\n` });
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan(reload), { dryRun: true });
    expect(r[0]).toMatchObject({ outcome: 'applied', dryRun: true });
    expect(r[0]?.message).toMatch(
      /^would: vm 101: reload mpatha-vm101 over the paths of mpatha: .* then fail 8:32$/,
    );
    expect(r[0]?.effects).toEqual([
      `run: dmsetup load ${NAME} --table ${NEW}`,
      `run: dmsetup suspend --noflush ${NAME}`,
      `run: dmsetup resume ${NAME}`,
      `run: dmsetup message ${NAME} 0 fail_path 8:32`,
    ]);
    expect(runner.calls.every((c) => c.join(' ') === `dmsetup table ${NAME}`)).toBe(true);
    expect(ctx.journal.ledger()).toEqual([]);
  });

  it('for real: exact argv in order; journaled with an undo that restores the old table and failed paths', async () => {
    const runner = new ScriptedRunner()
      .on(`dmsetup table ${NAME}`, `${OLD}\n`, `${NEW}\n`)
      .on(`dmsetup load ${NAME} --table ${NEW}`, '')
      .on(`dmsetup suspend --noflush ${NAME}`, '')
      .on(`dmsetup resume ${NAME}`, '')
      .on(`dmsetup message ${NAME} 0 fail_path 8:32`, '');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha'), vmMap]) });
    const r = await applyPlan(ctx, plan(reload), { dryRun: false });
    expect(r[0]).toMatchObject({ outcome: 'applied', message: `${NAME} reloaded, failed 8:32` });
    expect(runner.calls).toEqual([
      `dmsetup table ${NAME}`,
      `dmsetup load ${NAME} --table ${NEW}`,
      `dmsetup suspend --noflush ${NAME}`,
      `dmsetup resume ${NAME}`,
      `dmsetup table ${NAME}`,
      `dmsetup message ${NAME} 0 fail_path 8:32`,
    ]);
    expect(ctx.journal.ledger()[0]).toMatchObject({
      key: `vm-map:${NAME}`,
      vmId: '101',
      inverse: { kind: 'reload-vm-map', table: OLD, failPaths: ['8:0'] },
    });
  });

  it('a failed load changes nothing (no suspend); a missing map fails before anything runs', async () => {
    const runner = new ScriptedRunner()
      .on(
        `dmsetup table ${NAME}`,
        `${OLD}\n`,
        fail('device-mapper: table ioctl failed: No such device or address'),
      )
      .on(
        `dmsetup load ${NAME} --table ${NEW}`,
        fail('device-mapper: reload ioctl failed: Invalid argument'),
      );
    const ctx = await context(runner);
    expect((await applyPlan(ctx, plan(reload), { dryRun: false }))[0]).toMatchObject({ outcome: 'failed' });
    expect(runner.calls.some((c) => c.includes('suspend'))).toBe(false);
    expect((await applyPlan(ctx, plan(reload), { dryRun: false }))[0]).toMatchObject({
      outcome: 'failed',
      code: 'VMPATH_E_COMMAND_FAILED',
      message: expect.stringMatching(/does not exist/),
    });
  });

  it('resume is retried once; still failing → failed and flagged suspended', async () => {
    const runner = new ScriptedRunner()
      .on(`dmsetup table ${NAME}`, `${OLD}\n`)
      .on(`dmsetup load ${NAME} --table ${NEW}`, '')
      .on(`dmsetup suspend --noflush ${NAME}`, '')
      .on(`dmsetup resume ${NAME}`, fail('resume ioctl failed'));
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan(reload), { dryRun: false });
    expect(r[0]).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/SUSPENDED/) });
    expect(runner.calls.filter((c) => c === `dmsetup resume ${NAME}`)).toHaveLength(2);
  });

  it('path actions on the map are skipped when its reload failed; other maps go on', async () => {
    const runner = new ScriptedRunner()
      .on(`dmsetup table ${NAME}`, fail('device-mapper: table ioctl failed: No such device or address'))
      .on('dmsetup message mpathb 0 fail_if_no_path', '');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha'), vmMap, map('mpathb')]) });
    const failPath = { ...base, kind: 'fail-path' as const, id: 'f', map: NAME, dev: 'sdb' };
    const queue = { ...base, kind: 'set-queueing' as const, id: 'q', map: 'mpathb', queue: false };
    const r = await applyPlan(
      { ...ctx, snapshot: { ...snapshot([map('mpatha'), vmMap, map('mpathb', { queueIfNoPath: true })]) } },
      plan(reload, failPath, queue),
      { dryRun: false },
    );
    expect(r.map((x) => x.outcome)).toEqual(['failed', 'skipped', 'applied']);
  });

  it('release after create + reload removes the map (the first undo of the map wins)', async () => {
    const create = {
      ...base,
      kind: 'create-vm-map' as const,
      id: 'c',
      vmId: '101',
      baseMap: 'mpatha',
      name: NAME,
      uuid: 'vmpath-101-3600a0b80000mpatha',
      table: OLD,
    };
    const noDev = fail('device-mapper: table ioctl failed: No such device or address');
    const runner = new ScriptedRunner()
      .on(`dmsetup table ${NAME}`, noDev, `${OLD}\n`, `${NEW}\n`, `${NEW}\n`)
      .on(`dmsetup create ${NAME} --uuid vmpath-101-3600a0b80000mpatha --table ${OLD}`, '')
      .on(`dmsetup load ${NAME} --table ${NEW}`, '')
      .on(`dmsetup suspend --noflush ${NAME}`, '')
      .on(`dmsetup resume ${NAME}`, '')
      .on(`dmsetup message ${NAME} 0 fail_path 8:32`, '')
      .on(`dmsetup remove ${NAME}`, '');
    const ctx = await context(runner);
    await applyPlan(ctx, plan(create), { dryRun: false });
    await applyPlan(ctx, plan(reload), { dryRun: false });
    expect(ctx.journal.ledger().map((e) => e.inverse?.kind)).toEqual(['remove-vm-map']);
    const r = await releaseChanges(ctx, { vmId: '101', dryRun: false });
    expect(r.map((x) => x.outcome)).toEqual(['applied']);
    expect(runner.calls.at(-1)).toBe(`dmsetup remove ${NAME}`);
  });

  it('rejects a bad MAJ:MIN in failPaths before anything runs', async () => {
    const runner = new ScriptedRunner();
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan({ ...reload, failPaths: ['8:32; reboot'] }), { dryRun: false });
    expect(r[0]).toMatchObject({ outcome: 'failed', code: 'VMPATH_E_INVALID_NAME' });
    expect(runner.calls).toEqual([]);
  });
});
