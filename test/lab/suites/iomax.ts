/**
 * Per-VM limits through cgroup v2 io.max (DESIGN §3.3), measured with O_DIRECT reads by a
 * process in its own cgroup: on the dm device; on a path device sdX under request-based
 * dm-multipath; on sdX under a bio-based per-VM map (queue_mode bio) over the same paths.
 */
import * as assert from 'node:assert/strict';
import type { CaseContext, LabCase } from '../lib/case';
import type { MapInfo } from '../lib/rig';
import { ddIn, dmDevT, dmStatus, rig, setIoMax, vmCgroup } from '../lib/rig';
import { out, sh } from '../lib/sh';

const BS = 262_144;

function activePath(m: MapInfo): { dev: string; devt: string } {
  const g = dmStatus(m.name).groups.find((x) => x.state === 'A') ?? dmStatus(m.name).groups[0];
  const devt = g?.paths[0]?.devt;
  const p = m.paths.find((x) => x.devt === devt);
  assert.ok(p, `active path of ${m.name}`);
  return p;
}

/** Reads `mib` MiB with O_DIRECT from dev inside cg; returns MiB/s. */
function readRate(cg: string, dev: string, mib: number): number {
  return ddIn(cg, [`if=${dev}`, 'of=/dev/null', `bs=${BS}`, `count=${(mib * 1048576) / BS}`, 'iflag=direct'])
    .mbps;
}

function within(ctx: CaseContext, what: string, mbps: number, limit: number, tolerance = 0.3): void {
  ctx.fact(what, Number(mbps.toFixed(2)));
  assert.ok(
    Math.abs(mbps - limit) <= limit * tolerance,
    `${what}: ${mbps.toFixed(2)} MiB/s is not within ±${tolerance * 100}% of the ${limit} MiB/s limit`,
  );
}

export const cases: LabCase[] = [
  {
    name: 'io.max: dm device honoured, path device ignored under request-based multipath, honoured under queue_mode bio',
    timeoutMs: 300_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const m = r.maps[0];
      assert.ok(m);
      const path = activePath(m);
      const cg = vmCgroup('lab-vm101');
      const dm = `/dev/mapper/${m.name}`;
      ctx.fact('map', `${m.name} ${m.devt} active path ${path.dev} ${path.devt}`);

      const baseline = readRate(cg, dm, 16);
      ctx.fact('unlimited dm MiB/s', Number(baseline.toFixed(2)));
      const limit = baseline >= 16 ? 2 : 1;
      const bps = String(limit * 1048576);
      const mib = limit * 4; // ~4 s at the limit
      assert.ok(baseline > 4 * limit, `baseline ${baseline} MiB/s too slow to tell a ${limit} MiB/s limit`);
      ctx.fact('limit MiB/s', limit);

      setIoMax(cg, m.devt, `rbps=${bps}`);
      within(ctx, 'dm limited: dm MiB/s', readRate(cg, dm, mib), limit);
      setIoMax(cg, m.devt, 'rbps=max');

      setIoMax(cg, path.devt, `rbps=${bps}`);
      within(ctx, 'sdX limited: direct sdX MiB/s', readRate(cg, `/dev/${path.dev}`, mib), limit);
      const requestBased = readRate(cg, dm, 16);
      ctx.fact('sdX limited: request-based dm MiB/s', Number(requestBased.toFixed(2)));
      assert.ok(requestBased > 3 * limit, 'request-based dm-multipath ignores io.max on the path device');

      // A bio-based per-VM map over the same two paths, the active path first.
      const other = m.paths.find((p) => p.devt !== path.devt);
      assert.ok(other);
      const bioName = `${m.name}-vm101`;
      const table =
        `0 ${m.sectors} multipath 2 queue_mode bio 0 2 1 ` +
        `service-time 0 1 2 ${path.devt} 1 1 service-time 0 1 2 ${other.devt} 1 1`;
      sh(['dmsetup', 'create', bioName, '--uuid', `vmpath-101-${m.wwid}`, '--table', table]);
      try {
        ctx.fact('bio table', out(['dmsetup', 'table', bioName]));
        sh(['udevadm', 'settle', '--timeout=10'], { timeoutMs: 15_000 });
        const bioDm = `/dev/mapper/${bioName}`;
        const bioLimited = readRate(cg, bioDm, mib);
        within(ctx, 'sdX limited: bio-based map MiB/s', bioLimited, limit);
        setIoMax(cg, path.devt, 'rbps=max');
        const bioFree = readRate(cg, bioDm, 16);
        ctx.fact('unlimited bio-based map MiB/s', Number(bioFree.toFixed(2)));
        assert.ok(bioFree > 3 * limit, 'the bio map is not slow by itself');
        const bioDevt = dmDevT(bioName);
        setIoMax(cg, bioDevt, `rbps=${bps}`);
        within(ctx, 'bio map limited: bio-based map MiB/s', readRate(cg, bioDm, mib), limit);
        setIoMax(cg, bioDevt, 'rbps=max');
        ctx.fact('io.stat', out(['cat', `${cg}/io.stat`]));
      } finally {
        setIoMax(cg, path.devt, 'rbps=max');
        sh(['dmsetup', 'remove', bioName], { allowFail: true });
      }
    },
  },
];
