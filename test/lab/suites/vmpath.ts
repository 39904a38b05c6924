/**
 * vmpath's own code against the real kernel: observeHost's snapshot of the guest equals what
 * dmsetup and multipathd say, with all paths up and after a path fails.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { observeHost, type ObserveOptions } from '../../../agent/observe';
import type { HostSnapshot } from '../../../agent/model/snapshot';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { RootedHostFs } from '../../../agent/os/host-fs';
import type { CaseContext, LabCase } from '../lib/case';
import type { Rig } from '../lib/rig';
import { dmStatus, mapsJson, rig } from '../lib/rig';
import { out, readAttr, sh, sleep, until, writeAttr } from '../lib/sh';

/** observeHost on the real guest; timeouts raised because TCG on a busy 2-core host is ~50x slower. */
function snapshot(options: ObserveOptions = {}): Promise<HostSnapshot> {
  return observeHost(
    {
      fs: new RootedHostFs('/'),
      runner: new ProcessCommandRunner(60_000),
      clock: { nowMs: () => Date.now() },
    },
    { readTimeoutMs: 30_000, ...options },
  );
}

function kernelState(): string {
  return out(['dmsetup', 'status', '--target', 'multipath']);
}

/**
 * A snapshot taken while the kernel state stood still (the same `dmsetup status` before and
 * after), so that comparing them is fair; multipathd may reload maps after a path event.
 */
async function stableSnapshot(ctx: CaseContext, options: ObserveOptions = {}): Promise<HostSnapshot> {
  for (let i = 0; ; i++) {
    const before = kernelState();
    const s = await snapshot(options);
    const after = kernelState();
    if (before === after) return s;
    ctx.log(`kernel state changed during observeHost (try ${i + 1}): ${before} => ${after}`);
    if (i >= 4) throw new Error('the kernel state never stood still during a snapshot');
    await sleep(1000);
  }
}

/** Asserts the snapshot's maps/paths equal the kernel's and multipathd's view right now. */
function assertMatchesKernel(ctx: CaseContext, s: HostSnapshot, r: Rig, label: string): void {
  ctx.fact(
    `${label}: diagnostics`,
    s.diagnostics.map((d) => `${d.level} ${d.subject}: ${d.message}`),
  );
  const dmNames = out(['dmsetup', 'ls', '--target', 'multipath'])
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((n) => n && n !== 'No')
    .sort();
  assert.deepEqual(
    s.maps.map((m) => m.name).sort(),
    dmNames,
    `${label}: snapshot maps = dmsetup ls --target multipath`,
  );
  const json = mapsJson();
  for (const m of s.maps) {
    const info = r.maps.find((x) => x.name === m.name);
    assert.ok(info, `${label}: map ${m.name} known to the rig`);
    assert.equal(m.devT, info.devt, `${label}: ${m.name} devT`);
    assert.equal(m.dm, info.dm, `${label}: ${m.name} dm`);
    assert.equal(m.sizeSectors, info.sectors, `${label}: ${m.name} size`);
    assert.equal(m.owner, 'multipathd');
    const j = json.find((x) => x.name === m.name);
    assert.ok(j);
    assert.equal(m.wwid, j.uuid, `${label}: ${m.name} wwid = multipathd uuid`);
    const st = dmStatus(m.name);
    assert.equal(m.groups.length, st.groups.length, `${label}: ${m.name} group count`);
    st.groups.forEach((g, gi) => {
      const sg = m.groups[gi];
      assert.ok(sg);
      assert.deepEqual(
        sg.paths.map((p) => `${p.devT} ${p.dmState}`),
        g.paths.map((p) => `${p.devt} ${p.state === 'A' ? 'active' : 'failed'}`),
        `${label}: ${m.name} group ${gi + 1} paths and kernel states`,
      );
      const stateWord = { A: 'active', E: 'enabled', D: 'disabled' }[g.state];
      assert.equal(sg.state, stateWord, `${label}: ${m.name} group ${gi + 1} state; kernel: ${st.raw}`);
    });
    for (const p of m.groups.flatMap((g) => g.paths)) {
      const dev = s.paths.find((x) => x.devT === p.devT);
      assert.ok(dev, `${label}: path ${p.devT} described`);
      const sysState = out(['cat', `/sys/block/${dev.dev}/device/state`]);
      assert.equal(dev.deviceState, sysState, `${label}: ${dev.dev} device state`);
      // MAJ:MIN and counters come from /proc/diskstats, ALUA state from the resolved
      // /sys/devices directory: each must be what sysfs says through /sys/block.
      assert.equal(dev.devT, out(['cat', `/sys/block/${dev.dev}/dev`]), `${label}: ${dev.dev} dev`);
      // access_state exists only while a device handler with one (alua) is attached: measured
      // absent on some scsi_debug paths here.
      const accessFile = `/sys/block/${dev.dev}/device/access_state`;
      const access = fs.existsSync(accessFile) ? readAttr(accessFile) : undefined;
      ctx.fact(`${label}: ${dev.dev} access_state`, access ?? '(absent)');
      assert.equal(dev.accessState, access, `${label}: ${dev.dev} access_state`);
      const statNow = out(['cat', `/sys/block/${dev.dev}/stat`])
        .trim()
        .split(/\s+/)
        .map(Number);
      assert.ok(dev.stat, `${label}: ${dev.dev} has counters`);
      assert.ok(dev.stat.readIos > 0 && dev.stat.readIos <= (statNow[0] ?? 0), `${label}: ${dev.dev} reads`);
      assert.ok(dev.stat.readSectors <= (statNow[2] ?? 0), `${label}: ${dev.dev} sectors read`);
    }
  }
  assert.ok(
    !s.diagnostics.some((d) => d.message.includes('/proc/diskstats')),
    `${label}: /proc/diskstats read cleanly`,
  );
}

export const cases: LabCase[] = [
  {
    name: 'observeHost snapshot equals dmsetup/multipathd: all paths up, then one path offline',
    timeoutMs: 180_000,
    async run(ctx) {
      const r = await rig({ paths: 3, luns: 2, grouping: 'group_by_prio' });
      const t0 = Date.now();
      const s1 = await stableSnapshot(ctx);
      ctx.fact('observeHost ms (2 maps x 3 paths, TCG)', Date.now() - t0);
      ctx.save('vmpath/snapshot-allup.json', JSON.stringify(s1, null, 2));
      ctx.save('vmpath/proc-diskstats.txt', out(['cat', '/proc/diskstats']));
      assertMatchesKernel(ctx, s1, r, 'all up');
      assert.equal(s1.maps.length, 2);

      // The path selectors this kernel can load, as observe reads them, against modinfo.
      ctx.fact('host.pathSelectors', s1.host.pathSelectors ?? 'unknown');
      assert.ok(s1.host.pathSelectors, 'depmod lists read');
      for (const selector of ['round-robin', 'queue-length', 'service-time', 'historical-service-time']) {
        const known = sh(['modinfo', '-n', `dm-${selector}`], { allowFail: true }).status === 0;
        ctx.fact(`modinfo dm-${selector}`, known ? 'present' : 'absent');
        assert.equal(s1.host.pathSelectors.includes(selector), known, `dm-${selector}`);
      }

      // The same host read with sysfs on the scan thread (observe uses it on large hosts only).
      const threaded = await stableSnapshot(ctx, { sysfsThread: 'always' });
      assert.deepEqual(
        threaded.diagnostics.filter((d) => /scan thread/.test(d.message)),
        [],
        'the scan thread ran',
      );
      assertMatchesKernel(ctx, threaded, r, 'all up, scan thread');
      const shape = (x: HostSnapshot) => x.paths.map(({ stat: _s, inflight: _i, ...rest }) => rest);
      assert.deepEqual(shape(threaded), shape(s1));

      const m = r.maps[0];
      const p = m?.paths[0];
      assert.ok(m && p);
      writeAttr(`/sys/block/${p.dev}/device/state`, 'offline');
      try {
        await until(
          `${p.dev} failed in dmsetup status`,
          () =>
            dmStatus(m.name)
              .groups.flatMap((g) => g.paths)
              .find((x) => x.devt === p.devt)?.state === 'F'
              ? true
              : undefined,
          30_000,
          100,
        );
        const s2 = await stableSnapshot(ctx);
        ctx.save('vmpath/snapshot-offline.json', JSON.stringify(s2, null, 2));
        assertMatchesKernel(ctx, s2, r, 'one path offline');
        const seen = s2.maps.find((x) => x.name === m.name)?.groups.flatMap((g) => g.paths);
        assert.equal(seen?.find((x) => x.devT === p.devt)?.dmState, 'failed');
        assert.equal(s2.paths.find((x) => x.devT === p.devt)?.deviceState, 'offline');
      } finally {
        writeAttr(`/sys/block/${p.dev}/device/state`, 'running');
      }
    },
  },
];
