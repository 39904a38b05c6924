/**
 * act/ against the real kernel: applyPlan driving real multipathd and dm-multipath.
 *  1. set-failback-manual + switch-group under `failback immediate`: vmpath.conf makes the switch
 *     hold (immediate failback would undo it in ~0.7 s); unchanged on re-apply; release removes the
 *     file and multipathd takes its own choice back.
 *  2. create-vm-map + move-lv (table naming /dev/mapper/<vm map>) over a shared LVM LUN, path
 *     state mirrored into the per-VM map (fail_path/reinstate_path), then `release --vm` puts the
 *     LV back and removes the map; the LV is never left suspended. `lvchange --refresh` puts the
 *     LV back on the shared map (measured) and move-lv re-asserts the per-VM map.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { applyPlan } from '../../../agent/act';
import { releaseChanges } from '../../../agent/act/release';
import { VMPATH_CONF_PATH } from '../../../agent/model/vmpath-conf';
import type { Action, Plan } from '../../../agent/model/plan';
import { labActContext as context, labBase as base, plan } from '../lib/act-context';
import type { LabCase } from '../lib/case';
import { ddIn, dmDevT, dmStatus, rig, vmCgroup } from '../lib/rig';
import { out, sh, sleep, until } from '../lib/sh';

/** `dmsetup status` next-group field (changes at once on switch_group). */
function nextGroup(name: string): number {
  const w = dmStatus(name).raw.split(/\s+/);
  let i = 3;
  i += 1 + Number(w[i]); // features
  i += 1 + Number(w[i]); // hw handler
  return Number(w[i + 1]);
}

export const cases: LabCase[] = [
  {
    name: 'act: failback manual via vmpath.conf makes switch-group hold under failback immediate; release undoes it',
    timeoutMs: 240_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover', failback: 'immediate' });
      const m = r.maps[0];
      assert.ok(m);
      const first = nextGroup(m.name);
      const target = first === 1 ? 2 : 1;
      ctx.fact('group before', first);
      const failbackOf = () =>
        (JSON.parse(sh(['multipathd', 'show', 'maps', 'json']).stdout) as { maps: { failback: string }[] })
          .maps[0]?.failback;
      assert.equal(failbackOf(), 'immediate', 'the rig starts with failback immediate');
      const c = await context('/tmp/act-journal-1.jsonl');
      const steer = plan(
        { ...base, kind: 'set-failback-manual', id: 'fb', map: m.name },
        { ...base, kind: 'switch-group', id: 'sw', map: m.name, group: target },
      );
      const res = await applyPlan(c, steer, { dryRun: false });
      ctx.fact('results', res);
      assert.deepEqual(
        res.map((x) => x.outcome),
        ['applied', 'applied'],
      );
      ctx.save('act/vmpath.conf', fs.readFileSync(VMPATH_CONF_PATH, 'utf8'));
      const json = JSON.parse(sh(['multipathd', 'show', 'maps', 'json']).stdout) as {
        maps: { failback: string }[];
      };
      ctx.fact('multipathd failback after reconfigure', json.maps[0]?.failback);
      // Read I/O so the kernel really uses the group, then give immediate failback time to act.
      sh([
        'dd',
        `if=/dev/mapper/${m.name}`,
        'of=/dev/null',
        'bs=64K',
        'count=16',
        'iflag=direct',
        'status=none',
      ]);
      await sleep(6000);
      assert.equal(nextGroup(m.name), target, 'the switch held for 6 s');

      const c2 = await context('/tmp/act-journal-1.jsonl');
      const again = await applyPlan(c2, steer, { dryRun: false });
      await c2.journal.close();
      ctx.fact('re-apply', again);
      assert.deepEqual(
        again.map((x) => x.outcome),
        ['unchanged', 'unchanged'],
      );

      const released = await releaseChanges(c, { all: true, dryRun: false });
      ctx.fact('release', released);
      assert.ok(!fs.existsSync(VMPATH_CONF_PATH), 'vmpath.conf removed');
      assert.equal(
        released[0]?.outcome,
        'applied',
        'group restored by a fresh observation, not the stale snapshot',
      );
      assert.deepEqual(c.journal.ledger(), []);
      const back = await until(
        'multipathd takes its own group back (failback immediate)',
        () => (nextGroup(m.name) === first ? true : undefined),
        60_000,
        500,
      );
      assert.ok(back);
      await c.journal.close();
    },
  },
  {
    name: 'act: per-VM map + move-lv + path mirroring on real dm, release --vm puts the LV back',
    timeoutMs: 300_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const m = r.maps[0];
      assert.ok(m);
      const VG = 'actvg';
      const conf =
        `devices { global_filter=["a|^/dev/mapper/${m.name}$|","r|.*|"] use_devicesfile=0 } ` +
        'global { use_lvmpolld=0 } activation { monitoring=0 }';
      const lvm = (...argv: string[]) => out(['lvm', ...argv, '--config', conf], { timeoutMs: 60_000 });
      lvm('pvcreate', '-ff', '-y', `/dev/mapper/${m.name}`);
      lvm('vgcreate', VG, `/dev/mapper/${m.name}`);
      lvm('lvcreate', '-y', '-L', '8M', '-n', 'vm-101-disk-0', VG);
      const lvName = `${VG}-vm--101--disk--0`; // LVM doubles dashes in dm names, as on Proxmox
      assert.match(out(['dmsetup', 'ls']), new RegExp(`^${lvName}\\s`, 'm'));
      const original = out(['dmsetup', 'table', lvName]);
      const [, len, , , offset] = original.split(/\s+/);
      const [p1, p2] = m.paths;
      assert.ok(p1 && p2);
      const name = `${m.name}-vm101`;
      // queue_mode bio, as decide/ builds maps that get per-path limits: the kernel reads it back
      // rewritten (retain_attached_hw_handler), which must still count as the same map.
      const table = `0 ${m.sectors} multipath 2 queue_mode bio 0 2 1 service-time 0 1 2 ${p2.devt} 1 1 service-time 0 1 2 ${p1.devt} 1 1`;
      const c = await context('/tmp/act-journal-2.jsonl');
      try {
        const steps = (): Plan =>
          plan(
            {
              ...base,
              kind: 'create-vm-map',
              id: 'c',
              vmId: '101',
              baseMap: m.name,
              name,
              uuid: `vmpath-101-${m.wwid}`,
              table,
            },
            {
              ...base,
              kind: 'move-lv',
              id: 'mv',
              vmId: '101',
              lv: lvName,
              table: `0 ${len} linear /dev/mapper/${name} ${offset}`,
            },
          );
        const res = await applyPlan(c, steps(), { dryRun: false });
        ctx.fact('create + move', res);
        assert.deepEqual(
          res.map((x) => x.outcome),
          ['applied', 'applied'],
        );
        const vmDevT = dmDevT(name);
        assert.equal(out(['dmsetup', 'table', lvName]).split(/\s+/)[3], vmDevT);
        assert.match(out(['dmsetup', 'info', lvName]), /State:\s+ACTIVE/);
        ctx.fact('per-VM map table read back', out(['dmsetup', 'table', name]));
        const again = await applyPlan(c, steps(), { dryRun: false });
        ctx.fact('re-apply create + move', again);
        assert.deepEqual(
          again.map((x) => x.outcome),
          ['unchanged', 'unchanged'],
        );

        // LVM puts the LV back where its metadata says (the shared map) on a refresh: measured,
        // and move-lv re-asserts the per-VM map (decide/ plans it when it sees the LV back).
        lvm('lvchange', '--refresh', `${VG}/vm-101-disk-0`);
        const refreshed = out(['dmsetup', 'table', lvName]);
        ctx.fact('LV table after lvchange --refresh', refreshed);
        assert.equal(refreshed, original, 'lvchange --refresh reloaded the LV onto the shared map');
        const reassert = await applyPlan(c, steps(), { dryRun: false });
        assert.deepEqual(
          reassert.map((x) => x.outcome),
          ['unchanged', 'applied'],
        );
        assert.equal(out(['dmsetup', 'table', lvName]).split(/\s+/)[3], vmDevT);

        // Mirror a path failure into the per-VM map and back (multipathd does not manage it).
        const c2 = await context('/tmp/act-journal-2.jsonl');
        const f = await applyPlan(c2, plan({ ...base, kind: 'fail-path', id: 'f', map: name, dev: p2.dev }), {
          dryRun: false,
        });
        assert.equal(f[0]?.outcome, 'applied');
        assert.equal(dmStatus(name).groups[0]?.paths[0]?.state, 'F');
        const c3 = await context('/tmp/act-journal-2.jsonl');
        const g = await applyPlan(
          c3,
          plan({ ...base, kind: 'reinstate-path', id: 'g', map: name, dev: p2.dev }),
          { dryRun: false },
        );
        assert.equal(g[0]?.outcome, 'applied');
        assert.equal(dmStatus(name).groups[0]?.paths[0]?.state, 'A');
        await c2.journal.close();
        await c3.journal.close();

        const c4 = await context('/tmp/act-journal-2.jsonl');
        const released = await releaseChanges(c4, { vmId: '101', dryRun: false });
        ctx.fact('release --vm 101', released);
        assert.equal(out(['dmsetup', 'table', lvName]), original, 'LV back on the shared map');
        assert.ok(!out(['dmsetup', 'ls']).includes(name), 'per-VM map removed');
        assert.match(out(['dmsetup', 'info', lvName]), /State:\s+ACTIVE/);
        await c4.journal.close();
      } finally {
        if (out(['dmsetup', 'table', lvName]) !== original) {
          sh(['dmsetup', 'suspend', lvName], { allowFail: true });
          sh(['dmsetup', 'load', lvName, '--table', original], { allowFail: true });
          sh(['dmsetup', 'resume', lvName], { allowFail: true });
        }
        sh(['dmsetup', 'remove', name], { allowFail: true });
        await c.journal.close();
        lvm('vgchange', '-an', VG);
        lvm('vgremove', '-y', VG);
        lvm('pvremove', '-y', `/dev/mapper/${m.name}`);
      }
    },
  },
  {
    name: 'act: set-io-limit on cgroup v2 io.max really limits a VM cgroup on the dm device; release clears it',
    timeoutMs: 300_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const m = r.maps[0];
      assert.ok(m);
      const cg = vmCgroup('act-vm101');
      const rel = '/act-vm101';
      const rate = (mib: number) =>
        ddIn(cg, [
          `if=/dev/mapper/${m.name}`,
          'of=/dev/null',
          'bs=262144',
          `count=${mib * 4}`,
          'iflag=direct',
        ]).mbps;
      const baseline = rate(16);
      const limit = baseline >= 16 ? 2 : 1;
      ctx.fact('unlimited MiB/s', Number(baseline.toFixed(2)));
      assert.ok(baseline > 4 * limit, `baseline ${baseline} MiB/s too slow to tell a ${limit} MiB/s limit`);
      const c = await context('/tmp/act-journal-3.jsonl');
      const act: Action = {
        ...base,
        kind: 'set-io-limit',
        id: 'lim',
        vmId: '101',
        cgroup: { version: 2, path: rel },
        devT: m.devt,
        limit: { rbps: limit * 1048576 },
      };
      const res = await applyPlan(c, plan(act), { dryRun: false });
      assert.equal(res[0]?.outcome, 'applied');
      const line = fs.readFileSync(`${cg}/io.max`, 'utf8').trim();
      ctx.fact('io.max', line);
      assert.equal(line, `${m.devt} rbps=${limit * 1048576} wbps=max riops=max wiops=max`);
      const limited = rate(limit * 4);
      ctx.fact(`limited MiB/s (limit ${limit})`, Number(limited.toFixed(2)));
      assert.ok(
        Math.abs(limited - limit) <= limit * 0.3,
        `${limited} MiB/s not within ±30% of ${limit} (TCG)`,
      );
      assert.equal((await applyPlan(c, plan(act), { dryRun: false }))[0]?.outcome, 'unchanged');
      const released = await releaseChanges(c, { vmId: '101', dryRun: false });
      assert.equal(released[0]?.outcome, 'applied');
      assert.equal(fs.readFileSync(`${cg}/io.max`, 'utf8').trim(), '', 'io.max cleared by release');
      await c.journal.close();
    },
  },
];
