/**
 * observe/multipath against the live stack: real multipathd 0.9.4 and dm-multipath on Linux 6.1.
 * Each case changes the real state (fail a path, switch group, queueing, a per-VM map, stop the
 * daemon) and checks that the parsed and assembled MultipathMap says what the kernel did.
 * Sysfs facts come from a minimal reader here (the real one lives in observe/sysfs).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { MultipathMap } from '../../../agent/model/snapshot';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { assembleMultipathMaps, type DmDeviceFacts } from '../../../agent/observe/multipath/assemble-maps';
import { expectMultipathdOk, checkMultipathdReply } from '../../../agent/observe/multipath/multipathd-reply';
import {
  readMultipathOutputs,
  readMultipathToolsVersion,
} from '../../../agent/observe/multipath/read-multipath';
import { parseMultipathdJson } from '../../../agent/observe/multipath/multipathd-json';
import { sameMultipathTable } from '../../../agent/observe/multipath/table-compare';
import type { LabCase } from '../lib/case';
import { rig, teardown, type MapInfo } from '../lib/rig';
import { readAttr, sh, until, writeAttr } from '../lib/sh';

const runner = new ProcessCommandRunner(10_000);

function sysfsFacts(): { devices: Map<string, DmDeviceFacts>; pathNames: Map<string, string> } {
  const devices = new Map<string, DmDeviceFacts>();
  const pathNames = new Map<string, string>();
  for (const dev of fs.readdirSync('/sys/block')) {
    const devT = readAttr(`/sys/block/${dev}/dev`);
    pathNames.set(devT, dev);
    if (!dev.startsWith('dm-')) continue;
    const name = readAttr(`/sys/block/${dev}/dm/name`);
    devices.set(name, {
      name,
      dm: dev,
      devT,
      uuid: readAttr(`/sys/block/${dev}/dm/uuid`),
      holders: fs.readdirSync(`/sys/block/${dev}/holders`).sort(),
      suspended: readAttr(`/sys/block/${dev}/dm/suspended`) === '1',
    });
  }
  return { devices, pathNames };
}

async function observe(): Promise<{
  maps: readonly MultipathMap[];
  diagnostics: readonly unknown[];
  readDiagnostics: readonly unknown[];
}> {
  const r = await readMultipathOutputs(runner);
  const assembled = assembleMultipathMaps({ ...r, ...sysfsFacts() });
  return { maps: assembled.maps, diagnostics: assembled.diagnostics, readDiagnostics: r.diagnostics };
}

async function mapNamed(name: string): Promise<MultipathMap> {
  const o = await observe();
  assert.deepEqual(o.diagnostics, [], 'no assembly diagnostics');
  const m = o.maps.find((x) => x.name === name);
  assert.ok(m, `map ${name} observed`);
  return m;
}

/** Polls the assembled map until pred holds (state changes land at checker ticks or on I/O). */
async function waitMap(
  name: string,
  what: string,
  pred: (m: MultipathMap) => boolean,
): Promise<MultipathMap> {
  let last: MultipathMap | undefined;
  const deadline = Date.now() + 30_000;
  for (;;) {
    last = await mapNamed(name);
    if (pred(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last.groups)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function readSome(m: MapInfo): void {
  sh(
    ['dd', `if=/dev/mapper/${m.name}`, 'of=/dev/null', 'bs=4096', 'count=8', 'iflag=direct', 'status=none'],
    {
      allowFail: true,
      timeoutMs: 30_000,
    },
  );
}

const pathsOf = (m: MultipathMap): string[][] =>
  m.groups.map((g) => g.paths.map((p) => `${p.dev}=${p.devT}`));

export const cases: LabCase[] = [
  {
    name: 'version and a healthy failover map, every field from the live stack',
    async run(ctx) {
      const v = await readMultipathToolsVersion(runner);
      ctx.fact('multipath-tools', v.version);
      const r = await rig({ paths: 2, grouping: 'failover' });
      const info = r.maps[0];
      assert.ok(info);
      const m = await mapNamed(info.name);
      ctx.fact('map', { name: m.name, wwid: m.wwid, dm: m.dm, devT: m.devT, groups: pathsOf(m) });
      assert.equal(m.owner, 'multipathd');
      assert.equal(m.wwid, info.wwid);
      assert.equal(m.dm, info.dm);
      assert.equal(m.devT, info.devt);
      assert.equal(m.sizeSectors, info.sectors);
      assert.equal(m.groups.length, 2);
      assert.deepEqual(
        m.groups.flatMap((g) => g.paths.map((p) => p.devT)).sort(),
        info.paths.map((p) => p.devt).sort(),
      );
      for (const p of m.groups.flatMap((g) => g.paths)) {
        assert.equal(p.dmState, 'active');
        assert.equal(p.checkerState, 'ready');
        assert.equal(p.deviceState, 'running');
      }
      assert.equal(m.queueIfNoPath, false);
      assert.equal(m.queueMode, 'rq');
      assert.equal(m.hwHandler, 'alua');
      assert.equal(m.failback, '-');
      assert.ok(m.nextGroup === 1 || m.nextGroup === 2);
    },
  },
  {
    name: 'a path set offline: the kernel fails it, the checker calls it faulty; back online: reinstated',
    timeoutMs: 180_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const info = r.maps[0];
      assert.ok(info);
      const before = await mapNamed(info.name);
      const activeIndex = before.activeGroup ?? before.nextGroup ?? 1;
      const victim = before.groups[activeIndex - 1]?.paths[0];
      assert.ok(victim, 'a path in the active group');
      ctx.fact('victim', `${victim.dev} ${victim.devT} in group ${activeIndex}`);
      writeAttr(`/sys/block/${victim.dev}/device/state`, 'offline');
      try {
        readSome(info);
        const failed = await waitMap(info.name, `${victim.dev} failed`, (m) => {
          const p = m.groups.flatMap((g) => g.paths).find((x) => x.devT === victim.devT);
          return p?.dmState === 'failed' && p.checkerState === 'faulty';
        });
        const p = failed.groups.flatMap((g) => g.paths).find((x) => x.devT === victim.devT);
        ctx.fact('failed path', p);
        assert.ok((p?.failCount ?? 0) >= 1, 'fail count counted');
        assert.notEqual(failed.nextGroup, activeIndex, 'the kernel moved to the other group');
      } finally {
        writeAttr(`/sys/block/${victim.dev}/device/state`, 'running');
      }
      await waitMap(info.name, `${victim.dev} reinstated`, (m) =>
        m.groups.flatMap((g) => g.paths).every((x) => x.dmState === 'active' && x.checkerState === 'ready'),
      );
    },
  },
  {
    name: 'switchgroup: next group changes at once; queue_if_no_path read from the table while JSON lags',
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const info = r.maps[0];
      assert.ok(info);
      const before = await mapNamed(info.name);
      const target = (before.nextGroup ?? 1) === 1 ? 2 : 1;
      const argv = ['multipathd', 'switchgroup', 'map', info.name, 'group', String(target)];
      expectMultipathdOk(argv, await runner.run(argv));
      const after = await mapNamed(info.name);
      ctx.fact('after switchgroup', { nextGroup: after.nextGroup, activeGroup: after.activeGroup ?? null });
      assert.equal(after.nextGroup, target);
      readSome(info);
      const settled = await waitMap(info.name, `group ${target} active`, (m) => m.activeGroup === target);
      assert.equal(settled.groups[target - 1]?.state, 'active');

      // multipathd (no_path_retry fail) turns the kernel's queueing off again at its next path
      // check (≤ 2 s here; under load a read can take that long): message and read until a read
      // lands in between, and record how many tries that took.
      let queued: MultipathMap | undefined;
      let tries = 0;
      try {
        for (; tries < 6 && !queued?.queueIfNoPath; tries++) {
          sh(['dmsetup', 'message', info.name, '0', 'queue_if_no_path']);
          queued = await mapNamed(info.name);
        }
        ctx.fact('dmsetup message + read tries until the read saw queueing', tries);
        assert.ok(queued);
        assert.equal(queued.queueIfNoPath, true);
        assert.ok(queued.features.includes('queue_if_no_path'));
        const json = parseMultipathdJson(
          checkMultipathdReply(
            ['multipathd', 'show', 'maps', 'json'],
            await runner.run(['multipathd', 'show', 'maps', 'json']),
          ),
        );
        ctx.fact('multipathd queueing after dmsetup message', json.maps[0]?.queueing);
      } finally {
        sh(['dmsetup', 'message', info.name, '0', 'fail_if_no_path']);
      }
      assert.equal((await mapNamed(info.name)).queueIfNoPath, false);
    },
  },
  {
    name: 'a per-VM bio map over the same paths: owned by vmpath, names its VM and base map',
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const info = r.maps[0];
      assert.ok(info);
      const [a, b] = info.paths;
      assert.ok(a && b);
      const name = `${info.name}-vm101`;
      const table =
        `0 ${info.sectors} multipath 3 queue_if_no_path queue_mode bio 0 2 1 ` +
        `service-time 0 1 2 ${b.devt} 1 1 service-time 0 1 2 ${a.devt} 1 1`;
      sh(['dmsetup', 'create', name, '--uuid', `vmpath-101-${info.wwid}`, '--table', table]);
      try {
        sh(['udevadm', 'settle', '--timeout=10'], { timeoutMs: 15_000 });
        ctx.save('vm-map-dmsetup-table.txt', sh(['dmsetup', 'table', '--target', 'multipath']).stdout);
        ctx.save('vm-map-dmsetup-status.txt', sh(['dmsetup', 'status', '--target', 'multipath']).stdout);
        const vm = await mapNamed(name);
        ctx.fact('per-VM map', {
          owner: vm.owner,
          perVm: vm.perVm,
          queueMode: vm.queueMode,
          groups: pathsOf(vm),
        });
        assert.equal(vm.owner, 'vmpath');
        assert.deepEqual(vm.perVm, { vmId: '101', baseMap: info.name });
        assert.equal(vm.wwid, info.wwid);
        assert.equal(vm.queueMode, 'bio');
        assert.equal(vm.queueIfNoPath, true);
        assert.deepEqual(pathsOf(vm), [[`${b.dev}=${b.devt}`], [`${a.dev}=${a.devt}`]]);
        assert.equal(vm.failback, undefined);
        const base = await mapNamed(info.name);
        assert.equal(base.owner, 'multipathd');
      } finally {
        sh(['dmsetup', 'remove', name], { allowFail: true });
      }
    },
  },
  {
    name: 'tables read back from the kernel mean what was loaded (sameMultipathTable), also after switch_group',
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const info = r.maps[0];
      assert.ok(info);
      const [a, b] = info.paths;
      assert.ok(a && b);
      const groups = `2 1 service-time 0 1 2 ${b.devt} 1 1 service-time 0 1 2 ${a.devt} 1 1`;
      const variants: Record<string, string> = {
        'bio-nohw': `3 queue_if_no_path queue_mode bio 0 ${groups}`,
        'bio-alua': `2 queue_mode bio 1 alua ${groups}`,
        'rq-alua-pginit': `3 queue_if_no_path pg_init_retries 5 1 alua ${groups}`,
        'mq-nohw': `2 queue_mode mq 0 ${groups}`,
        'rr-multibus': `0 0 1 1 round-robin 0 2 1 ${a.devt} 1000 ${b.devt} 1000`,
      };
      const backs: Record<string, string> = {};
      const mismatches: string[] = [];
      for (const [variant, params] of Object.entries(variants)) {
        const name = `${info.name}-t${Object.keys(backs).length}`;
        const created = `0 ${info.sectors} multipath ${params}`;
        sh([
          'dmsetup',
          'create',
          name,
          '--uuid',
          `vmpath-t${Object.keys(backs).length}-${info.wwid}`,
          '--table',
          created,
        ]);
        try {
          const back = sh(['dmsetup', 'table', name]).stdout;
          backs[variant] = back.trim();
          if (!sameMultipathTable(created, back)) mismatches.push(`${variant}: ${created} vs ${back}`);
          sh(['dmsetup', 'message', name, '0', 'switch_group', '2'], {
            allowFail: variant === 'rr-multibus',
          });
          const switched = sh(['dmsetup', 'table', name]).stdout;
          backs[`${variant} after switch_group 2`] = switched.trim();
          if (!sameMultipathTable(created, switched))
            mismatches.push(`${variant} after switch_group: ${switched}`);
        } finally {
          sh(['dmsetup', 'remove', name], { allowFail: true });
        }
      }
      ctx.fact('read back', backs);
      ctx.save(
        'tables-read-back.txt',
        Object.entries(variants)
          .map(
            ([v, p]) =>
              `# ${v}\ncreated: 0 ${info.sectors} multipath ${p}\nread:    ${backs[v]}\nswitched: ${backs[`${v} after switch_group 2`]}\n`,
          )
          .join(''),
      );
      assert.deepEqual(mismatches, []);
    },
  },
  {
    name: 'live multipathd errors are typed; without multipathd maps still come from the kernel',
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const info = r.maps[0];
      assert.ok(info);
      const unknown = ['multipathd', 'frobnicate'];
      const bad = await runner.run(unknown);
      ctx.fact('unknown command reply', { exit: bad.exitCode, head: bad.stdout.split('\n').slice(0, 3) });
      ctx.save('multipathd-unknown-command.txt', bad.stdout);
      assert.throws(() => checkMultipathdReply(unknown, bad), { code: 'VMPATH_E_MULTIPATHD_BAD_COMMAND' });
      const noMap = ['multipathd', 'switchgroup', 'map', 'nosuchmap', 'group', '1'];
      const nm = await runner.run(noMap);
      ctx.fact('switchgroup of an unknown map', { exit: nm.exitCode, stdout: nm.stdout.trim() });
      ctx.save('multipathd-switchgroup-unknown-map.txt', nm.stdout);
      assert.throws(() => checkMultipathdReply(noMap, nm), { code: 'VMPATH_E_MULTIPATHD_FAIL' });

      // The daemon may exit before it answers (`error -5 receiving packet`, exit 1): seen live.
      sh(['multipathd', 'shutdown'], { timeoutMs: 10_000, allowFail: true });
      await until(
        'multipathd gone',
        () => (sh(['pidof', 'multipathd'], { allowFail: true }).status !== 0 ? true : undefined),
        15_000,
        100,
      );
      const o = await observe();
      ctx.fact('read diagnostics without multipathd', o.readDiagnostics);
      assert.deepEqual(
        (o.readDiagnostics as { code?: string }[]).map((d) => d.code),
        ['VMPATH_E_MULTIPATHD_UNREACHABLE'],
      );
      const m = o.maps.find((x) => x.name === info.name);
      assert.ok(m, 'map still observed from the kernel');
      assert.equal(m.wwid, info.wwid);
      assert.equal(m.groups.flatMap((g) => g.paths).length, 2);
      assert.ok(
        m.groups.flatMap((g) => g.paths).every((p) => p.checkerState === undefined && p.dev.startsWith('sd')),
      );

      teardown();
      const empty = await observe();
      assert.deepEqual(empty.maps, []);
      assert.deepEqual(empty.diagnostics, []);
    },
  },
];
