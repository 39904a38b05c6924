/** Device-mapper actions: exact argv, desired-vs-observed, fallbacks, failure handling. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyPlan } from '../../../agent/act';
import { checkMultipathdReply } from '../../../agent/act/dm-exec';
import { VMPATH_CONF_PATH, parseVmpathConf, withSetting } from '../../../agent/model/vmpath-conf';
import { releaseChanges } from '../../../agent/act/release';
import { ScriptedRunner, base, context, fail, map, plan, snapshot } from './helpers';

const TABLE = '0 131072 multipath 0 0 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:0 1 1';
const LV_OLD = '0 2097152 linear 253:0 2048';
const LV_NEW = '0 2097152 linear 253:5 2048';

describe('switch-group', () => {
  it('runs multipathd switchgroup; unchanged when the next group already is the one wanted', async () => {
    const runner = new ScriptedRunner().on('multipathd switchgroup map mpatha group 2', 'ok\n');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const r = await applyPlan(
      ctx,
      plan({ ...base, kind: 'switch-group', id: 's', map: 'mpatha', group: 2 }),
      { dryRun: false },
    );
    expect(r[0]?.outcome).toBe('applied');
    expect(runner.calls).toEqual(['multipathd switchgroup map mpatha group 2']);
    const ctx2 = await context(runner, { snapshot: snapshot([map('mpatha', { nextGroup: 2 })]) });
    const again = await applyPlan(
      ctx2,
      plan({ ...base, kind: 'switch-group', id: 's', map: 'mpatha', group: 2 }),
      {
        dryRun: false,
      },
    );
    expect(again[0]?.outcome).toBe('unchanged');
    expect(runner.calls).toHaveLength(1);
  });

  it('falls back to dmsetup message switch_group when multipathd fails or is unreachable', async () => {
    for (const reply of ['fail\n', { exitCode: 1, stdout: '', stderr: '' }]) {
      const runner = new ScriptedRunner()
        .on('multipathd switchgroup map mpatha group 2', reply)
        .on('dmsetup message mpatha 0 switch_group 2', '');
      const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
      const r = await applyPlan(
        ctx,
        plan({ ...base, kind: 'switch-group', id: 's', map: 'mpatha', group: 2 }),
        {
          dryRun: false,
        },
      );
      expect(r[0]?.outcome).toBe('applied');
      expect(runner.calls).toEqual([
        'multipathd switchgroup map mpatha group 2',
        'dmsetup message mpatha 0 switch_group 2',
      ]);
    }
  });

  it('per-VM maps (multipathd ignores them) go straight to dmsetup message', async () => {
    const runner = new ScriptedRunner().on('dmsetup message mpatha-vm101 0 switch_group 2', '');
    const vmMap = map('mpatha-vm101', { owner: 'vmpath', perVm: { vmId: '101', baseMap: 'mpatha' } });
    const ctx = await context(runner, { snapshot: snapshot([vmMap]) });
    const r = await applyPlan(
      ctx,
      plan({ ...base, kind: 'switch-group', id: 's', map: 'mpatha-vm101', group: 2 }),
      {
        dryRun: false,
      },
    );
    expect(r[0]?.outcome).toBe('applied');
    expect(runner.calls).toEqual(['dmsetup message mpatha-vm101 0 switch_group 2']);
  });

  it('is skipped when failback manual for its map failed in the same plan', async () => {
    const runner = new ScriptedRunner();
    const ctx = await context(runner, { snapshot: snapshot([]) }); // map unknown → WWID unknown → fails
    const r = await applyPlan(
      ctx,
      plan(
        { ...base, kind: 'set-failback-manual', id: 'f', map: 'mpatha' },
        { ...base, kind: 'switch-group', id: 's', map: 'mpatha', group: 2 },
      ),
      { dryRun: false },
    );
    expect(r.map((x) => x.outcome)).toEqual(['failed', 'skipped']);
    expect(runner.calls).toEqual([]);
  });
});

describe('multipathd replies', () => {
  const argv = ['multipathd', 'fail', 'path', 'sdb'];
  const r = (stdout: string, exitCode = 0) => ({ exitCode, stdout, stderr: '' });
  it.each([
    ['fail\n', 0, 'VMPATH_E_MULTIPATHD_FAIL'],
    ['timeout\n', 0, 'VMPATH_E_MULTIPATHD_TIMEOUT'],
    ['', 1, 'VMPATH_E_MULTIPATHD_UNREACHABLE'],
    ['permission deny: need to be root\n', 0, 'VMPATH_E_MULTIPATHD_PERMISSION'],
    ['multipath-tools v0.9.4 (12/19, 2022)\nCLI commands reference:\n', 0, 'VMPATH_E_MULTIPATHD_BAD_COMMAND'],
  ])('%j (exit %d) → %s', (stdout, exitCode, code) => {
    expect(() => checkMultipathdReply(argv, r(stdout, exitCode))).toThrow(expect.objectContaining({ code }));
  });
  it('ok passes', () => expect(() => checkMultipathdReply(argv, r('ok\n'))).not.toThrow());
});

describe('set-queueing, fail/reinstate path', () => {
  it('queue_if_no_path / fail_if_no_path through dmsetup message', async () => {
    const runner = new ScriptedRunner().on('dmsetup message mpatha 0 queue_if_no_path', '');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const r = await applyPlan(
      ctx,
      plan({ ...base, kind: 'set-queueing', id: 'q', map: 'mpatha', queue: true }),
      { dryRun: false },
    );
    expect(r[0]?.outcome).toBe('applied');
    const r2 = await applyPlan(
      ctx,
      plan({ ...base, kind: 'set-queueing', id: 'q', map: 'mpatha', queue: false }),
      {
        dryRun: false,
      },
    );
    expect(r2[0]?.outcome).toBe('unchanged');
  });

  it('multipathd fail/reinstate path for multipathd maps', async () => {
    const runner = new ScriptedRunner()
      .on('multipathd fail path sdb', 'ok\n')
      .on('multipathd reinstate path sdb', 'ok\n');
    const failed = map('mpatha');
    const ctx = await context(runner, { snapshot: snapshot([failed]) });
    await applyPlan(ctx, plan({ ...base, kind: 'fail-path', id: 'f', map: 'mpatha', dev: 'sdb' }), {
      dryRun: false,
    });
    const r = await applyPlan(
      ctx,
      plan({ ...base, kind: 'reinstate-path', id: 'r', map: 'mpatha', dev: 'sdb' }),
      {
        dryRun: false,
      },
    );
    expect(r[0]?.outcome).toBe('unchanged'); // the snapshot says sdb is active
    expect(runner.calls).toEqual(['multipathd fail path sdb']);
  });

  it('mirrors path state into per-VM maps with dmsetup message fail_path/reinstate_path MAJ:MIN', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup message mpatha-vm101 0 fail_path 8:16', '')
      .on('dmsetup message mpatha-vm101 0 reinstate_path 8:0', '');
    const vmMap = map('mpatha-vm101', { owner: 'vmpath', perVm: { vmId: '101', baseMap: 'mpatha' } });
    const down = {
      ...vmMap,
      groups: vmMap.groups.map((g) => ({
        ...g,
        paths: g.paths.map((p) => ({ ...p, dmState: 'failed' as const })),
      })),
    };
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const r1 = await applyPlan(
      { ...ctx, snapshot: snapshot([vmMap]) },
      plan({ ...base, kind: 'fail-path', id: 'f', map: 'mpatha-vm101', dev: 'sdb' }),
      { dryRun: false },
    );
    const r2 = await applyPlan(
      { ...ctx, snapshot: snapshot([down]) },
      plan({ ...base, kind: 'reinstate-path', id: 'r', map: 'mpatha-vm101', dev: 'sda' }),
      { dryRun: false },
    );
    expect([r1[0]?.outcome, r2[0]?.outcome]).toEqual(['applied', 'applied']);
    expect(runner.calls).toEqual([
      'dmsetup message mpatha-vm101 0 fail_path 8:16',
      'dmsetup message mpatha-vm101 0 reinstate_path 8:0',
    ]);
  });

  it('rejects a bad device name before anything runs', async () => {
    const runner = new ScriptedRunner();
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const r = await applyPlan(
      ctx,
      plan({ ...base, kind: 'fail-path', id: 'f', map: 'mpatha', dev: '../sdb' }),
      { dryRun: false },
    );
    expect(r[0]).toMatchObject({ outcome: 'failed', code: 'VMPATH_E_INVALID_NAME' });
    expect(runner.calls).toEqual([]);
  });
});

describe('set-failback-manual', () => {
  it('writes vmpath.conf for every steered map, reconfigures only on change, release removes it', async () => {
    const runner = new ScriptedRunner()
      .on('multipathd reconfigure', 'ok\n')
      .on('multipathd show daemon', 'pid 295 configure\n', 'pid 295 idle\n');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha'), map('mpathb')]) });
    const file = path.join(ctx.fs.root, VMPATH_CONF_PATH);
    const act = (m: string) => ({ ...base, kind: 'set-failback-manual' as const, id: `f-${m}`, map: m });
    const r = await applyPlan(ctx, plan(act('mpatha'), act('mpathb'), act('mpatha')), { dryRun: false });
    expect(r.map((x) => x.outcome)).toEqual(['applied', 'applied', 'unchanged']);
    // reconfigure is asynchronous: act waits for `show daemon` to say idle before going on.
    expect(runner.calls).toEqual([
      'multipathd reconfigure',
      'multipathd show daemon',
      'multipathd show daemon',
      'multipathd reconfigure',
      'multipathd show daemon',
    ]);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('wwid "3600a0b80000mpatha"');
    expect(text).toContain('wwid "3600a0b80000mpathb"');
    expect(text.match(/\t\tfailback manual/g)).toHaveLength(2);
    expect(text).toMatch(
      /^multipaths \{\n\tmultipath \{\n\t\twwid "3600a0b80000mpatha"\n\t\tfailback manual\n\t\}/m,
    );

    const released = await releaseChanges(ctx, { all: true, dryRun: false });
    expect(released.map((x) => x.outcome)).toEqual(['applied']);
    expect(existsSync(file)).toBe(false);
    expect(runner.calls.filter((c) => c === 'multipathd reconfigure')).toHaveLength(3);
  });
});

describe('set-no-path-retry', () => {
  it("adds no_path_retry queue to the map's vmpath.conf entry beside failback, once; release restores", async () => {
    const runner = new ScriptedRunner()
      .on('multipathd reconfigure', 'ok\n')
      .on('multipathd show daemon', 'pid 295 idle\n');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha'), map('mpathb')]) });
    const file = path.join(ctx.fs.root, VMPATH_CONF_PATH);
    const fb = { ...base, kind: 'set-failback-manual' as const, id: 'f-a', map: 'mpatha' };
    const q = (m: string) => ({
      ...base,
      kind: 'set-no-path-retry' as const,
      id: `q-${m}`,
      map: m,
      value: 'queue' as const,
    });
    const r = await applyPlan(ctx, plan(fb, q('mpatha'), q('mpathb'), q('mpatha')), { dryRun: false });
    expect(r.map((x) => x.outcome)).toEqual(['applied', 'applied', 'applied', 'unchanged']);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(
      /\tmultipath \{\n\t\twwid "3600a0b80000mpatha"\n\t\tfailback manual\n\t\tno_path_retry queue\n\t\}/,
    );
    expect(text).toMatch(/\tmultipath \{\n\t\twwid "3600a0b80000mpathb"\n\t\tno_path_retry queue\n\t\}/);
    expect(parseVmpathConf(text)).toEqual(
      new Map([
        ['3600a0b80000mpatha', { failback: 'manual', noPathRetry: 'queue' }],
        ['3600a0b80000mpathb', { noPathRetry: 'queue' }],
      ]),
    );
    const released = await releaseChanges(ctx, { all: true, dryRun: false });
    expect(released.map((x) => x.outcome)).toEqual(['applied']);
    expect(existsSync(file)).toBe(false);
  });

  it('a hostile WWID never reaches the file', () => {
    expect(() => withSetting(null, 'x"\n}\nblacklist {', { noPathRetry: 'queue' })).toThrow(/invalid WWID/);
  });
});

describe('set-path-selector', () => {
  it('writes path_selector "historical-service-time 0" for the WWID once; release --all removes it', async () => {
    const runner = new ScriptedRunner()
      .on('multipathd reconfigure', 'ok\n')
      .on('multipathd show daemon', 'pid 295 idle\n');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const file = path.join(ctx.fs.root, VMPATH_CONF_PATH);
    const sel = {
      ...base,
      kind: 'set-path-selector' as const,
      id: 'sel-a',
      map: 'mpatha',
      value: 'historical-service-time 0' as const,
    };
    const r = await applyPlan(ctx, plan(sel, { ...sel, id: 'sel-b' }), { dryRun: false });
    expect(r.map((x) => x.outcome)).toEqual(['applied', 'unchanged']);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(
      /\tmultipath \{\n\t\twwid "3600a0b80000mpatha"\n\t\tpath_selector "historical-service-time 0"\n\t\}/,
    );
    expect(runner.calls.filter((c) => c === 'multipathd reconfigure')).toHaveLength(1);
    const released = await releaseChanges(ctx, { all: true, dryRun: false });
    expect(released.map((x) => x.outcome)).toEqual(['applied']);
    expect(existsSync(file)).toBe(false);
  });

  it("value null takes the selector back out of vmpath.conf, keeping the map's other settings", async () => {
    const runner = new ScriptedRunner()
      .on('multipathd reconfigure', 'ok\n')
      .on('multipathd show daemon', 'pid 295 idle\n');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const file = path.join(ctx.fs.root, VMPATH_CONF_PATH);
    const set = { ...base, kind: 'set-path-selector' as const, map: 'mpatha' };
    const fb = { ...base, kind: 'set-failback-manual' as const, id: 'fb', map: 'mpatha' };
    await applyPlan(ctx, plan(fb, { ...set, id: 'on', value: 'historical-service-time 0' as const }), {
      dryRun: false,
    });
    expect(readFileSync(file, 'utf8')).toContain('path_selector');
    const r = await applyPlan(
      ctx,
      plan({ ...set, id: 'off', value: null }, { ...set, id: 'off2', value: null }),
      {
        dryRun: false,
      },
    );
    expect(r.map((x) => x.outcome)).toEqual(['applied', 'unchanged']);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('path_selector');
    expect(text).toContain('failback manual');
  });
});

describe('set-path-grouping', () => {
  const grouping = {
    paths: [
      { hbtl: '0:0:0:0', prio: 50 },
      { hbtl: '1:0:0:0', prio: 10 },
    ],
  };
  const grp = { ...base, kind: 'set-path-grouping' as const, id: 'grp-a', map: 'mpatha', grouping };

  it('writes group_by_prio + weightedpath + prio_args for the WWID and reconfigures once; unchanged when set; null removes it', async () => {
    const runner = new ScriptedRunner()
      .on('multipathd reconfigure', 'ok\n')
      .on('multipathd show daemon', 'pid 295 idle\n');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const file = path.join(ctx.fs.root, VMPATH_CONF_PATH);
    const r = await applyPlan(ctx, plan(grp, { ...grp, id: 'grp-b' }), { dryRun: false });
    expect(r.map((x) => x.outcome)).toEqual(['applied', 'unchanged']);
    expect(readFileSync(file, 'utf8')).toContain(
      '\t\twwid "3600a0b80000mpatha"\n\t\tfailback immediate\n\t\tpath_grouping_policy group_by_prio\n' +
        '\t\tprio weightedpath\n\t\tprio_args "hbtl ^0:0:0:0$ 50 ^1:0:0:0$ 10"\n',
    );
    expect(runner.calls.filter((c) => c === 'multipathd reconfigure')).toHaveLength(1);
    const off = await applyPlan(ctx, plan({ ...grp, id: 'grp-c', grouping: null }), { dryRun: false });
    expect(off.map((x) => x.outcome)).toEqual(['applied']);
    expect(readFileSync(file, 'utf8')).not.toMatch(/group_by_prio|weightedpath/);
    expect(runner.calls.filter((c) => c === 'multipathd reconfigure')).toHaveLength(2);
    const released = await releaseChanges(ctx, { all: true, dryRun: false });
    expect(released.map((x) => x.outcome)).toEqual(['applied']);
    expect(existsSync(file)).toBe(false);
  });

  it('a hostile H:C:T:L fails the action and never reaches the file', async () => {
    const runner = new ScriptedRunner();
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha')]) });
    const bad = { ...grp, grouping: { paths: [{ hbtl: '0:0:0:0$ 50 .*', prio: 50 }] } };
    const r = await applyPlan(ctx, plan(bad), { dryRun: false });
    expect(r[0]?.outcome).toBe('failed');
    expect(existsSync(path.join(ctx.fs.root, VMPATH_CONF_PATH))).toBe(false);
    expect(runner.calls).not.toContain('multipathd reconfigure');
  });
});

describe('per-VM maps and move-lv', () => {
  const create = {
    ...base,
    kind: 'create-vm-map' as const,
    id: 'c',
    vmId: '101',
    baseMap: 'mpatha',
    name: 'mpatha-vm101',
    uuid: 'vmpath-101-3600a0b80000mpatha',
    table: TABLE,
  };
  const move = {
    ...base,
    kind: 'move-lv' as const,
    id: 'm',
    vmId: '101',
    lv: 'vg-vm--101--disk--0',
    table: LV_NEW,
  };
  const noDev = fail('device-mapper: table ioctl on mpatha-vm101  failed: No such device or address\n');

  it('create: a bio map the kernel reads back rewritten (retain_attached_hw_handler, first group) is unchanged', async () => {
    const bio =
      '0 131072 multipath 3 queue_if_no_path queue_mode bio 0 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:0 1 1';
    const readBack =
      '0 131072 multipath 4 queue_if_no_path retain_attached_hw_handler queue_mode bio 0 2 2 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:0 1 1 ';
    const runner = new ScriptedRunner().on('dmsetup table mpatha-vm101', `${readBack}\n`);
    const ctx = await context(runner);
    expect((await applyPlan(ctx, plan({ ...create, table: bio }), { dryRun: false }))[0]?.outcome).toBe(
      'unchanged',
    );
  });

  it('create: exact argv; an identical existing map is unchanged; a different one is not clobbered', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup table mpatha-vm101', noDev, `${TABLE} \n`, `0 131072 linear 8:0 0\n`)
      .on(`dmsetup create mpatha-vm101 --uuid vmpath-101-3600a0b80000mpatha --table ${TABLE}`, '');
    const ctx = await context(runner);
    expect((await applyPlan(ctx, plan(create), { dryRun: false }))[0]?.outcome).toBe('applied');
    expect(runner.calls[1]).toBe(
      `dmsetup create mpatha-vm101 --uuid vmpath-101-3600a0b80000mpatha --table ${TABLE}`,
    );
    expect((await applyPlan(ctx, plan(create), { dryRun: false }))[0]?.outcome).toBe('unchanged');
    expect((await applyPlan(ctx, plan(create), { dryRun: false }))[0]).toMatchObject({
      outcome: 'failed',
      code: 'VMPATH_E_COMMAND_FAILED',
    });
  });

  it('move-lv: suspend, load, resume, verify', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup table vg-vm--101--disk--0', `${LV_OLD}\n`, `${LV_NEW}\n`)
      .on('dmsetup suspend vg-vm--101--disk--0', '')
      .on(`dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`, '')
      .on('dmsetup resume vg-vm--101--disk--0', '');
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan(move), { dryRun: false });
    expect(r[0]?.outcome).toBe('applied');
    expect(runner.calls).toEqual([
      'dmsetup table vg-vm--101--disk--0',
      'dmsetup suspend vg-vm--101--disk--0',
      `dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`,
      'dmsetup resume vg-vm--101--disk--0',
      'dmsetup table vg-vm--101--disk--0',
    ]);
    expect(ctx.journal.ledger()[0]).toMatchObject({
      key: 'lv:vg-vm--101--disk--0',
      inverse: { kind: 'move-lv', table: LV_OLD },
    });
  });

  it('move-lv: a table naming /dev/mapper/<vm map> is resolved to MAJ:MIN (sysfs) for load and compare', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup table vg-vm--101--disk--0', `${LV_OLD}\n`, `${LV_NEW}\n`, `${LV_NEW}\n`)
      .on('dmsetup suspend vg-vm--101--disk--0', '')
      .on(`dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`, '')
      .on('dmsetup resume vg-vm--101--disk--0', '');
    const ctx = await context(runner);
    const dm = path.join(ctx.fs.root, 'sys/block/dm-5');
    mkdirSync(path.join(dm, 'dm'), { recursive: true });
    writeFileSync(path.join(dm, 'dm/name'), 'mpatha-vm101\n');
    writeFileSync(path.join(dm, 'dm/uuid'), 'vmpath-101-3600a0b80000mpatha\n');
    writeFileSync(path.join(dm, 'dev'), '253:5\n');
    const byPath = { ...move, table: '0 2097152 linear /dev/mapper/mpatha-vm101 2048' };
    expect((await applyPlan(ctx, plan(byPath), { dryRun: false }))[0]?.outcome).toBe('applied');
    expect(runner.calls).toContain(`dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`);
    expect((await applyPlan(ctx, plan(byPath), { dryRun: false }))[0]?.outcome).toBe('unchanged');
  });

  it('move-lv: a failed load is still followed by resume (never left suspended)', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup table vg-vm--101--disk--0', `${LV_OLD}\n`)
      .on('dmsetup suspend vg-vm--101--disk--0', '')
      .on(
        `dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`,
        fail('device-mapper: reload ioctl failed: Invalid argument'),
      )
      .on('dmsetup resume vg-vm--101--disk--0', '');
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan(move), { dryRun: false });
    expect(r[0]).toMatchObject({ outcome: 'failed', code: 'VMPATH_E_COMMAND_FAILED' });
    expect(runner.calls.slice(-2)).toEqual([
      `dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`,
      'dmsetup resume vg-vm--101--disk--0',
    ]);
    expect(ctx.journal.pending()).toEqual([]); // settled as failed
  });

  it('move-lv: resume is retried once; still failing → failed, flagged suspended', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup table vg-vm--101--disk--0', `${LV_OLD}\n`)
      .on('dmsetup suspend vg-vm--101--disk--0', '')
      .on(`dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`, '')
      .on('dmsetup resume vg-vm--101--disk--0', fail('resume ioctl failed'), fail('resume ioctl failed'));
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan(move), { dryRun: false });
    expect(r[0]?.outcome).toBe('failed');
    expect(r[0]?.message).toMatch(/SUSPENDED/);
    expect(runner.calls.filter((c) => c.includes('resume'))).toHaveLength(2);
  });

  it('move-lv is skipped when the VM map could not be created; the rest still runs', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup table mpatha-vm101', noDev)
      .on(
        `dmsetup create mpatha-vm101 --uuid vmpath-101-3600a0b80000mpatha --table ${TABLE}`,
        fail('create failed'),
      )
      .on('dmsetup message mpatha 0 fail_if_no_path', '');
    const ctx = await context(runner, { snapshot: snapshot([map('mpatha', { queueIfNoPath: true })]) });
    const r = await applyPlan(
      ctx,
      plan(create, move, { ...base, kind: 'set-queueing', id: 'q', map: 'mpatha', queue: false }),
      {
        dryRun: false,
      },
    );
    expect(r.map((x) => x.outcome)).toEqual(['failed', 'skipped', 'applied']);
    expect(runner.calls.some((c) => c.includes('suspend'))).toBe(false);
  });

  it('dry run: records suspend/load/resume, verification passes, nothing runs for real', async () => {
    const runner = new ScriptedRunner().on('dmsetup table vg-vm--101--disk--0', `${LV_OLD}\n`);
    const ctx = await context(runner);
    const r = await applyPlan(ctx, plan(move), { dryRun: true });
    expect(r[0]).toMatchObject({ outcome: 'applied', dryRun: true });
    expect(r[0]?.effects).toEqual([
      'run: dmsetup suspend vg-vm--101--disk--0',
      `run: dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`,
      'run: dmsetup resume vg-vm--101--disk--0',
    ]);
    expect(runner.calls).toEqual(['dmsetup table vg-vm--101--disk--0']);
    expect(ctx.journal.ledger()).toEqual([]);
  });

  it('release moves LVs back before removing the VM map', async () => {
    const runner = new ScriptedRunner()
      .on('dmsetup table mpatha-vm101', noDev, `${TABLE}\n`)
      .on(`dmsetup create mpatha-vm101 --uuid vmpath-101-3600a0b80000mpatha --table ${TABLE}`, '')
      .on('dmsetup table vg-vm--101--disk--0', `${LV_OLD}\n`, `${LV_NEW}\n`, `${LV_NEW}\n`, `${LV_OLD}\n`)
      .on('dmsetup suspend vg-vm--101--disk--0', '')
      .on(`dmsetup load vg-vm--101--disk--0 --table ${LV_NEW}`, '')
      .on(`dmsetup load vg-vm--101--disk--0 --table ${LV_OLD}`, '')
      .on('dmsetup resume vg-vm--101--disk--0', '')
      .on('dmsetup remove mpatha-vm101', '');
    const ctx = await context(runner);
    await applyPlan(ctx, plan(create, move), { dryRun: false });
    const mark = runner.calls.length;
    const r = await releaseChanges(ctx, { vmId: '101', dryRun: false });
    expect(r.map((x) => x.outcome)).toEqual(['applied', 'applied']);
    const after = runner.calls.slice(mark);
    expect(after.indexOf(`dmsetup load vg-vm--101--disk--0 --table ${LV_OLD}`)).toBeLessThan(
      after.indexOf('dmsetup remove mpatha-vm101'),
    );
    expect(ctx.journal.ledger()).toEqual([]);
  });
});
