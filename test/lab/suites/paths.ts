/**
 * Path groups and path failure on real dm-multipath (DESIGN §3.1, §3.4): switchgroup moves the
 * I/O (path device counters prove it), failback manual keeps an operator's choice and
 * immediate undoes it, a failed path is seen as the PATH_FAILED uevent and in dmsetup status.
 */
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { LabCase } from '../lib/case';
import type { MapInfo } from '../lib/rig';
import { dmStatus, mapsJson, readDelta, rig, teardown } from '../lib/rig';
import { background, sh, sleep, stop, until, uptime, writeAttr } from '../lib/sh';
import { UeventMonitor } from '../lib/uevents';

/** A "VM": fio doing O_DIRECT 4k random reads on dev for at most seconds (stops by itself). */
function reader(dev: string, seconds: number, log: string): ChildProcess {
  return background(
    [
      'fio',
      '--name=vm',
      `--filename=${dev}`,
      '--rw=randread',
      '--bs=4k',
      '--direct=1',
      '--ioengine=psync',
      '--time_based',
      `--runtime=${seconds}`,
      '--output-format=terse',
    ],
    log,
  );
}

/** The path devices of the map's groups as multipathd numbers them (1-based). */
function groupPaths(m: MapInfo): Map<number, string> {
  const j = mapsJson().find((x) => x.name === m.name);
  assert.ok(j);
  const r = new Map<number, string>();
  for (const g of j.path_groups) r.set(g.group, g.paths[0]?.dev ?? '');
  return r;
}

/** Polls 200 ms windows until only `dev` among devs moves sectors; returns seconds waited. */
async function ioOnlyOn(dev: string, devs: string[], timeoutMs = 15_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const d = await readDelta(devs, 200);
    if ((d[dev] ?? 0) > 0 && devs.every((x) => x === dev || d[x] === 0)) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > timeoutMs) throw new Error(`I/O did not settle on ${dev}: ${JSON.stringify(d)}`);
  }
}

function pathState(name: string, devt: string): string | undefined {
  return dmStatus(name)
    .groups.flatMap((g) => g.paths)
    .find((p) => p.devt === devt)?.state;
}

export const cases: LabCase[] = [
  {
    name: 'switchgroup moves I/O between path devices; failback manual keeps it, immediate undoes it',
    timeoutMs: 240_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover', failback: 'manual' });
      const m = r.maps[0];
      assert.ok(m);
      const groups = groupPaths(m);
      const g1 = groups.get(1) ?? '';
      const g2 = groups.get(2) ?? '';
      const devs = [g1, g2];
      ctx.fact('groups', `1:${g1} 2:${g2}`);
      const fio = reader(`/dev/mapper/${m.name}`, 90, '/tmp/fio-switch.log');
      try {
        sh(['multipathd', 'switchgroup', 'map', m.name, 'group', '1']);
        await ioOnlyOn(g1, devs);
        sh(['multipathd', 'switchgroup', 'map', m.name, 'group', '2']);
        ctx.fact('switch 1->2: I/O moved after s', await ioOnlyOn(g2, devs));
        await sleep(5000); // > 2 checker ticks
        const d = await readDelta(devs, 1000);
        ctx.fact('failback manual: sectors per path 5 s later', d);
        assert.equal(d[g1], 0, 'failback manual keeps the operator choice');

        const conf = fs.readFileSync('/etc/multipath.conf', 'utf8');
        fs.writeFileSync('/etc/multipath.conf', conf.replace('failback manual', 'failback immediate'));
        sh(['multipathd', 'reconfigure']);
        await until('reconfigure to take effect', () =>
          mapsJson().find((x) => x.name === m.name)?.failback === 'immediate' ? true : undefined,
        );
        ctx.fact('after reconfigure, I/O on group 1 after s', await ioOnlyOn(g1, devs));
        sh(['multipathd', 'switchgroup', 'map', m.name, 'group', '2']);
        const t0 = Date.now();
        await ioOnlyOn(g1, devs, 20_000);
        ctx.fact('failback immediate: switch to group 2 undone after s', (Date.now() - t0) / 1000);
      } finally {
        await stop(fio);
        teardown();
      }
    },
  },
  {
    name: 'path offline (idle): PATH_FAILED uevent and dmsetup status F; back running: PATH_REINSTATED',
    timeoutMs: 120_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const m = r.maps[0];
      assert.ok(m);
      const p = m.paths[0];
      assert.ok(p);
      const mon = await UeventMonitor.start('/tmp/uevents-idle.log');
      try {
        await sleep(500);
        const t0 = uptime();
        writeAttr(`/sys/block/${p.dev}/device/state`, 'offline');
        const failed = await mon.waitFor('PATH_FAILED', p.devt, t0);
        ctx.fact('idle: offline -> PATH_FAILED uevent s', Number((failed.ts - t0).toFixed(3)));
        ctx.fact('uevent', failed.props);
        await until('dmsetup status F', () => (pathState(m.name, p.devt) === 'F' ? true : undefined));
        ctx.fact('idle: offline -> status F s', Number((uptime() - t0).toFixed(3)));
        const t1 = uptime();
        writeAttr(`/sys/block/${p.dev}/device/state`, 'running');
        const back = await mon.waitFor('PATH_REINSTATED', p.devt, t1);
        ctx.fact('running -> PATH_REINSTATED uevent s', Number((back.ts - t1).toFixed(3)));
        await until('dmsetup status A', () => (pathState(m.name, p.devt) === 'A' ? true : undefined));
      } finally {
        await mon.stop();
        if (fs.readFileSync(`/sys/block/${p.dev}/device/state`, 'utf8').trim() !== 'running') {
          writeAttr(`/sys/block/${p.dev}/device/state`, 'running');
        }
      }
    },
  },
  {
    name: 'path offline under I/O: kernel fails the path within ms, I/O moves, no error reaches the reader',
    timeoutMs: 120_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const m = r.maps[0];
      assert.ok(m);
      const groups = groupPaths(m);
      const g1 = groups.get(1) ?? '';
      const g2 = groups.get(2) ?? '';
      const active = m.paths.find((x) => x.dev === g1);
      assert.ok(active);
      sh(['multipathd', 'switchgroup', 'map', m.name, 'group', '1']);
      const mon = await UeventMonitor.start('/tmp/uevents-io.log');
      const fio = reader(`/dev/mapper/${m.name}`, 12, '/tmp/fio-fail.log');
      try {
        await ioOnlyOn(g1, [g1, g2]);
        const t0 = uptime();
        writeAttr(`/sys/block/${g1}/device/state`, 'offline');
        const failed = await mon.waitFor('PATH_FAILED', active.devt, t0);
        ctx.fact('under I/O: offline -> PATH_FAILED uevent ms', Math.round((failed.ts - t0) * 1000));
        ctx.fact('I/O on the surviving path after s', await ioOnlyOn(g2, [g1, g2]));
        const code = await new Promise<number | null>((resolve) => fio.once('exit', (c) => resolve(c)));
        const log = fs.readFileSync('/tmp/fio-fail.log', 'utf8');
        ctx.save('fio-under-failure.txt', log);
        assert.equal(code, 0, `fio saw an error: ${log.slice(0, 500)}`);
      } finally {
        await stop(fio);
        await mon.stop();
        writeAttr(`/sys/block/${g1}/device/state`, 'running');
      }
    },
  },
];
