/**
 * Per-WWID path grouping through vmpath.conf on real multipathd 0.9.4: a multibus map's
 * `multipaths` entry gets `path_grouping_policy group_by_prio`, `prio weightedpath` and
 * `prio_args "hbtl ^H:C:T:L$ 50 … ^H:C:T:L$ 10"` so that multipathd itself puts the chosen
 * paths in a first group. Measures whether the entry is honoured (detect_prio on and off: the
 * scsi_debug LUNs claim implicit ALUA), which group gets the I/O, failback, and removal.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { applyPlan } from '../../../agent/act';
import { releaseChanges } from '../../../agent/act/release';
import { normalGrouping, type PathGrouping } from '../../../agent/model/path-grouping';
import type { Plan } from '../../../agent/model/plan';
import { VMPATH_CONF_PATH } from '../../../agent/model/vmpath-conf';
import { labActContext as context, labBase as base0, plan } from '../lib/act-context';
import type { CaseContext, LabCase } from '../lib/case';
import { captureState } from '../lib/capture';
import { currentConf, dmStatus, ioSectors, mapsJson, rig, type JsonMap, type MapInfo } from '../lib/rig';
import { out, sh, sleep, until, writeAttr } from '../lib/sh';

function entry(m: MapInfo, prioArgs: string, failback: string): string {
  return [
    'multipaths {',
    '\tmultipath {',
    `\t\twwid "${m.wwid}"`,
    `\t\tfailback ${failback}`,
    '\t\tpath_grouping_policy group_by_prio',
    '\t\tprio weightedpath',
    `\t\tprio_args "${prioArgs}"`,
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** `multipathd reconfigure`, then until the daemon is idle and the map list is complete again. */
async function reconfigure(maps: number): Promise<void> {
  sh(['multipathd', 'reconfigure']);
  await sleep(500);
  await until(
    'multipathd idle after reconfigure',
    () => {
      const r = sh(['multipathd', 'show', 'daemon'], { allowFail: true });
      return /idle/.test(r.stdout) && mapsJson().length === maps ? true : undefined;
    },
    60_000,
    200,
  );
}

/** Groups of one map: [group pri, [dev:pri ...]] as multipathd reports them. */
function groupsOf(name: string): { pri: number; paths: string[] }[] {
  const m = mapsJson().find((x: JsonMap) => x.name === name);
  return (m?.path_groups ?? []).map((g) => ({ pri: g.pri, paths: g.paths.map((p) => `${p.dev}:${p.pri}`) }));
}

/** The prioritizer multipath(8) selects per path, with its origin (`multipath -v3 -d`). */
function prioOrigins(): string[] {
  const r = sh(['multipath', '-v3', '-d'], { allowFail: true, timeoutMs: 60_000 });
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => /: (prio|prio args|detect_prio|path_grouping_policy) = /.test(l))
    .map((l) => l.replace(/^\S+ \S+ \| /, '').trim());
}

/** Sectors read per path device while reading 4 MiB O_DIRECT from the map. */
function readSpread(map: string, devs: readonly string[]): Record<string, number> {
  const a = devs.map((d) => ioSectors(d).read);
  sh(['dd', `if=/dev/mapper/${map}`, 'of=/dev/null', 'bs=64K', 'count=64', 'iflag=direct', 'status=none']);
  const r: Record<string, number> = {};
  devs.forEach((d, k) => (r[d] = ioSectors(d).read - (a[k] ?? 0)));
  return r;
}

function capture(ctx: CaseContext, dir: string): void {
  captureState(ctx, dir, { 'vmpath.conf': ['cat', VMPATH_CONF_PATH] });
  ctx.save(`${dir}/prio-origins.txt`, `${prioOrigins().join('\n')}\n`);
}

const hbtl = (p: { hcil: string }) => `^${p.hcil}$`;

export const cases: LabCase[] = [
  {
    name: 'grouping: weightedpath by hbtl in a multipaths entry (detect_prio default, ALUA LUN)',
    timeoutMs: 300_000,
    async run(ctx) {
      const r = await rig({ paths: 3, luns: 2, grouping: 'multibus' });
      const [m, other] = r.maps;
      assert.ok(m && other);
      const [a, b, c] = m.paths;
      assert.ok(a && b && c);
      ctx.fact(
        'paths',
        m.paths.map((p) => `${p.dev} ${p.hcil}`),
      );
      ctx.fact('groups before', groupsOf(m.name));
      const args = `hbtl ${hbtl(a)} 50 ${hbtl(b)} 50 ${hbtl(c)} 10`;
      fs.mkdirSync('/etc/multipath/conf.d', { recursive: true });
      fs.writeFileSync(VMPATH_CONF_PATH, entry(m, args, 'immediate'));
      await reconfigure(r.maps.length);
      const g = groupsOf(m.name);
      ctx.fact('groups with entry, detect_prio default', g);
      ctx.fact('other map groups', groupsOf(other.name));
      // Measured: group_by_prio from the entry is used, its prio is not (prio alua autodetected),
      // so the map splits by ALUA state (scsi_debug: 50 / 10 / 1 by host number).
      assert.equal(g.length, 3, 'one group per ALUA priority');
      assert.deepEqual(
        g.map((x) => x.pri),
        [50, 10, 1],
      );
      assert.ok(prioOrigins().some((l) => /prio = alua \(setting: storage device autodetected\)/.test(l)));
      assert.equal(groupsOf(other.name).length, 1, 'the other map keeps one group');
      ctx.fact('table', out(['dmsetup', 'table', m.name]));
      capture(ctx, 'grouping-weightedpath-detect-prio-on');
      fs.rmSync(VMPATH_CONF_PATH, { force: true });
      await reconfigure(r.maps.length);
      ctx.fact('groups after removal', groupsOf(m.name));
      assert.equal(groupsOf(m.name).length, 1, 'removal + reconfigure: one group again');
    },
  },
  {
    name: 'grouping: weightedpath by hbtl with detect_prio no: groups, I/O, failback, removal',
    timeoutMs: 400_000,
    async run(ctx) {
      const r = await rig({ paths: 3, luns: 2, grouping: 'multibus' });
      const [m, other] = r.maps;
      assert.ok(m && other);
      const [a, b, c] = m.paths;
      assert.ok(a && b && c);
      const base = currentConf();
      const devs = m.paths.map((p) => p.dev);
      try {
        fs.writeFileSync(
          '/etc/multipath.conf',
          base.replace('overrides {\n', 'overrides {\n    detect_prio no\n'),
        );
        await reconfigure(r.maps.length);
        ctx.fact('groups, detect_prio no, no entry', groupsOf(m.name));
        const args = `hbtl ${hbtl(a)} 50 ${hbtl(b)} 50 ${hbtl(c)} 10`;
        fs.writeFileSync(VMPATH_CONF_PATH, entry(m, args, 'immediate'));
        await reconfigure(r.maps.length);
        const g = groupsOf(m.name);
        ctx.fact('groups with entry', g);
        assert.deepEqual(g, [
          { pri: 50, paths: [`${a.dev}:50`, `${b.dev}:50`] },
          { pri: 10, paths: [`${c.dev}:10`] },
        ]);
        assert.equal(groupsOf(other.name).length, 1, 'the other map keeps one group');
        ctx.fact('other map groups', groupsOf(other.name));
        ctx.fact('table', out(['dmsetup', 'table', m.name]));
        capture(ctx, 'grouping-weightedpath');
        const spread = readSpread(m.name, devs);
        ctx.fact('I/O spread (sectors)', spread);
        assert.equal(spread[c.dev], 0, 'no I/O on the second group');
        assert.ok((spread[a.dev] ?? 0) > 0 && (spread[b.dev] ?? 0) > 0, 'I/O on both first-group paths');

        // Both first-group paths offline: I/O on the second group; back: failback immediate.
        for (const p of [a, b]) writeAttr(`/sys/block/${p.dev}/device/state`, 'offline');
        const t0 = Date.now();
        const over = readSpread(m.name, devs);
        ctx.fact('I/O spread with a,b offline', over);
        assert.ok((over[c.dev] ?? 0) > 0, 'failover to the second group');
        await until(
          'a and b failed in the map',
          () =>
            dmStatus(m.name)
              .groups.flatMap((x) => x.paths)
              .some((p) => p.state === 'F')
              ? true
              : undefined,
          30_000,
          200,
        );
        ctx.fact('status with a,b offline', out(['dmsetup', 'status', m.name]));
        for (const p of [a, b]) writeAttr(`/sys/block/${p.dev}/device/state`, 'running');
        const back = await until(
          'failback to group 1',
          () => {
            const st = dmStatus(m.name);
            const allUp = st.groups.flatMap((x) => x.paths).every((p) => p.state === 'A');
            return allUp && st.nextGroup === 1 ? st.raw : undefined;
          },
          60_000,
          250,
        );
        ctx.fact('status back', back);
        ctx.fact('seconds offline->back', (Date.now() - t0) / 1000);
        const after = readSpread(m.name, devs);
        ctx.fact('I/O spread after failback', after);
        assert.equal(after[c.dev], 0, 'failback immediate: I/O back on the first group');

        // devname form, for the record.
        fs.writeFileSync(
          VMPATH_CONF_PATH,
          entry(m, `devname ^${c.dev}$ 50 ^${a.dev}$ 10 ^${b.dev}$ 10`, 'immediate'),
        );
        await reconfigure(r.maps.length);
        ctx.fact('groups with devname entry', groupsOf(m.name));
        await sleep(6000);
        ctx.fact('devname entry: next group, table after 6 s', [
          dmStatus(m.name).nextGroup,
          out(['dmsetup', 'table', m.name]),
        ]);
        ctx.fact('devname entry: I/O spread', readSpread(m.name, devs));

        fs.rmSync(VMPATH_CONF_PATH, { force: true });
        await reconfigure(r.maps.length);
        ctx.fact('groups after removal', groupsOf(m.name));
        assert.equal(groupsOf(m.name).length, 1, 'entry removed + reconfigure: one group again');
        capture(ctx, 'grouping-removed');
      } finally {
        for (const p of [a, b]) writeAttr(`/sys/block/${p.dev}/device/state`, 'running');
        fs.rmSync(VMPATH_CONF_PATH, { force: true });
        fs.writeFileSync('/etc/multipath.conf', base);
        await reconfigure(r.maps.length);
      }
    },
  },
  {
    name: 'grouping: act set-path-grouping writes vmpath.conf + reconfigures, observe reads it back; unchanged; release --all',
    timeoutMs: 400_000,
    async run(ctx) {
      const r = await rig({ paths: 3, luns: 2, grouping: 'multibus' });
      const [m] = r.maps;
      assert.ok(m);
      const [a, b, c] = m.paths;
      assert.ok(a && b && c);
      const base = currentConf();
      const devs = m.paths.map((p) => p.dev);
      const grouping: PathGrouping = {
        paths: [
          { hbtl: a.hcil, prio: 50 },
          { hbtl: b.hcil, prio: 50 },
          { hbtl: c.hcil, prio: 10 },
        ],
      };
      const step = (g: PathGrouping | null): Plan =>
        plan({ ...base0, kind: 'set-path-grouping', id: 'grp', map: m.name, grouping: g });
      try {
        // The admin's part (docs/policy.md): multipathd must not autodetect the prioritizer.
        fs.writeFileSync(
          '/etc/multipath.conf',
          base.replace('overrides {\n', 'overrides {\n    detect_prio no\n'),
        );
        await reconfigure(r.maps.length);
        const c1 = await context('/tmp/grouping-journal.jsonl');
        const res = await applyPlan(c1, step(grouping), { dryRun: false });
        ctx.fact('apply', res);
        assert.equal(res[0]?.outcome, 'applied');
        await reconfigure(r.maps.length);
        ctx.save('grouping-act/vmpath.conf', fs.readFileSync(VMPATH_CONF_PATH, 'utf8'));
        const c2 = await context('/tmp/grouping-journal.jsonl');
        const seen = c2.snapshot?.maps.find((x) => x.name === m.name);
        ctx.fact(
          'observed groups',
          seen?.groups.map((g) => [g.priority, g.paths.map((p) => `${p.dev}:${p.priority}`)]),
        );
        ctx.fact('observed vmpathConf', seen?.vmpathConf);
        assert.deepEqual(
          seen?.vmpathConf?.grouping,
          normalGrouping(grouping),
          'observe parses the entry back',
        );
        assert.deepEqual(
          seen?.groups.map((g) => g.paths.map((p) => p.dev)),
          [[a.dev, b.dev], [c.dev]],
        );
        assert.deepEqual(
          seen?.groups.map((g) => g.paths.map((p) => p.priority)),
          [[50, 50], [10]],
        );
        assert.equal(readSpread(m.name, devs)[c.dev], 0, 'I/O on the first group only');
        const again = await applyPlan(c2, step(grouping), { dryRun: false });
        assert.equal(again[0]?.outcome, 'unchanged');
        const off = await applyPlan(c2, step(null), { dryRun: false });
        assert.equal(off[0]?.outcome, 'applied');
        await reconfigure(r.maps.length);
        assert.equal(groupsOf(m.name).length, 1, 'grouping removed: one group');
        await applyPlan(c2, step(grouping), { dryRun: false });
        await reconfigure(r.maps.length);
        assert.equal(groupsOf(m.name).length, 2);
        const released = await releaseChanges(c2, { all: true, dryRun: false });
        ctx.fact(
          'release --all',
          released.map((x) => x.outcome),
        );
        await reconfigure(r.maps.length);
        assert.ok(!fs.existsSync(VMPATH_CONF_PATH), 'release --all removed vmpath.conf');
        assert.equal(groupsOf(m.name).length, 1, 'released: one group');
        await c1.journal.close();
        await c2.journal.close();
      } finally {
        fs.rmSync(VMPATH_CONF_PATH, { force: true });
        fs.writeFileSync('/etc/multipath.conf', base);
        await reconfigure(r.maps.length);
      }
    },
  },
];
