/**
 * Captures fixtures (test/fixtures/lab/, README there): real multipath-tools 0.9.4 and
 * dm-multipath output in more states than shared/fixtures has. Run with
 * `scripts/lab run capture`; the files come back under .lab/runs/capture/results/files/.
 */
import * as assert from 'node:assert/strict';
import type { LabCase } from '../lib/case';
import { captureState, sysfsListing } from '../lib/capture';
import { dmDevT, dmStatus, mapsJson, rig, teardown } from '../lib/rig';
import type { MapInfo } from '../lib/rig';
import { out, sh, sleep, until, writeAttr } from '../lib/sh';

function states(m: MapInfo): string[] {
  return dmStatus(m.name).groups.flatMap((g) => g.paths.map((p) => p.state));
}

function setState(devs: readonly string[], state: 'offline' | 'running'): void {
  for (const d of devs) writeAttr(`/sys/block/${d}/device/state`, state);
}

async function allFailed(m: MapInfo): Promise<void> {
  await until(`all paths of ${m.name} failed`, () => (states(m).every((s) => s === 'F') ? true : undefined));
  await sleep(3000); // let multipathd's checker see it too
}

async function allActive(m: MapInfo): Promise<void> {
  await until(
    `all paths of ${m.name} active`,
    () => (states(m).every((s) => s === 'A') && mapsJson()[0]?.paths === m.paths.length ? true : undefined),
    60_000,
    200,
  );
}

function single(maps: readonly MapInfo[]): MapInfo {
  const m = maps[0];
  assert.ok(m);
  return m;
}

export const cases: LabCase[] = [
  {
    name: '3 paths, failover grouping (+ sysfs listings of the dm and sd devices)',
    async run(ctx) {
      const m = single((await rig({ paths: 3, grouping: 'failover' })).maps);
      captureState(ctx, '3paths-failover');
      ctx.save(`sysfs/${m.dm}.txt`, sysfsListing(m.dm));
      for (const p of m.paths) ctx.save(`sysfs/${p.dev}.txt`, sysfsListing(p.dev));
      ctx.save('3paths-failover/multipath.conf', out(['cat', '/etc/multipath.conf']) + '\n');
    },
  },
  {
    name: '3 paths: all down (no_path_retry fail), then one deleted',
    timeoutMs: 180_000,
    async run(ctx) {
      const m = single((await rig({ paths: 3, grouping: 'failover' })).maps);
      const devs = m.paths.map((p) => p.dev);
      setState(devs, 'offline');
      try {
        await allFailed(m);
        captureState(ctx, '3paths-all-down');
      } finally {
        setState(devs, 'running');
      }
      await allActive(m);
      const gone = m.paths[2];
      assert.ok(gone);
      writeAttr(`/sys/block/${gone.dev}/device/delete`, '1');
      await until('multipathd to drop the deleted path', () =>
        mapsJson()[0]?.path_groups.flatMap((g) => g.paths).length === 2 ? true : undefined,
      );
      await sleep(1000);
      ctx.fact('deleted', `${gone.dev} ${gone.devt}`);
      captureState(ctx, '3paths-deleted-path');
      teardown();
    },
  },
  {
    name: '3 paths: multibus and group_by_prio grouping',
    timeoutMs: 240_000,
    async run(ctx) {
      await rig({ paths: 3, grouping: 'multibus' });
      captureState(ctx, '3paths-multibus');
      await rig({ paths: 3, grouping: 'group_by_prio' });
      captureState(ctx, '3paths-group-by-prio');
    },
  },
  {
    name: 'selectors: round-robin 0 and queue-length 0 (multibus, 2 paths)',
    timeoutMs: 240_000,
    async run(ctx) {
      await rig({ paths: 2, grouping: 'multibus', selector: 'round-robin 0' });
      captureState(ctx, 'selector-round-robin');
      await rig({ paths: 2, grouping: 'multibus', selector: 'queue-length 0' });
      captureState(ctx, 'selector-queue-length');
    },
  },
  {
    name: 'queueing on (no_path_retry queue): healthy, then all paths down with no I/O',
    timeoutMs: 180_000,
    async run(ctx) {
      const m = single((await rig({ paths: 2, grouping: 'failover', noPathRetry: 'queue' })).maps);
      captureState(ctx, 'queueing-on');
      const devs = m.paths.map((p) => p.dev);
      setState(devs, 'offline');
      try {
        await allFailed(m);
        captureState(ctx, 'queueing-on-all-down');
      } finally {
        setState(devs, 'running');
      }
      await allActive(m);
      teardown();
    },
  },
  {
    name: 'bio-based per-VM map (queue_mode bio) and LVM on multipath with an LV moved onto a per-VM map',
    timeoutMs: 240_000,
    async run(ctx) {
      const m = single((await rig({ paths: 2, grouping: 'failover' })).maps);
      const [a, b] = m.paths;
      assert.ok(a && b);
      const bio = `${m.name}-vm201`;
      sh([
        'dmsetup',
        'create',
        bio,
        '--uuid',
        `vmpath-201-${m.wwid}`,
        '--table',
        `0 ${m.sectors} multipath 2 queue_mode bio 0 2 1 service-time 0 1 2 ${b.devt} 1 1 service-time 0 1 2 ${a.devt} 1 1`,
      ]);
      sh([
        'dd',
        `if=/dev/mapper/${bio}`,
        'of=/dev/null',
        'bs=64K',
        'count=16',
        'iflag=direct',
        'status=none',
      ]);
      captureState(ctx, 'bio-map');
      const bioDm = out(['dmsetup', 'info', '-c', '--noheadings', '-o', 'blkdevname', bio]);
      ctx.save(`sysfs/${bioDm}-bio-map.txt`, sysfsListing(bioDm));
      sh(['dmsetup', 'remove', bio]);

      const conf = `devices { global_filter=["a|^/dev/mapper/${m.name}$|","r|.*|"] use_devicesfile=0 }`;
      const lvm = (...argv: string[]) => sh(['lvm', ...argv, '--config', conf], { timeoutMs: 60_000 });
      lvm('pvcreate', '-ff', '-y', `/dev/mapper/${m.name}`);
      lvm('vgcreate', 'pve', `/dev/mapper/${m.name}`);
      lvm('lvcreate', '-y', '-L', '8M', '-n', 'vm-101-disk-0', 'pve');
      lvm('lvcreate', '-y', '-L', '8M', '-n', 'vm-102-disk-0', 'pve');
      captureState(ctx, 'lvm-on-multipath');
      const lv = 'pve-vm--101--disk--0';
      const lvDm = out(['dmsetup', 'info', '-c', '--noheadings', '-o', 'blkdevname', lv]);
      ctx.save(`sysfs/${lvDm}-lv.txt`, sysfsListing(lvDm));
      ctx.save(`sysfs/${m.dm}-with-lvs.txt`, sysfsListing(m.dm));

      const permap = `${m.name}-vm101`;
      sh([
        'dmsetup',
        'create',
        permap,
        '--uuid',
        `vmpath-101-${m.wwid}`,
        '--table',
        `0 ${m.sectors} multipath 0 0 2 1 service-time 0 1 2 ${b.devt} 1 1 service-time 0 1 2 ${a.devt} 1 1`,
      ]);
      const original = out(['dmsetup', 'table', lv]);
      const [, len, , , offset] = original.split(/\s+/);
      const permapDevt = dmDevT(permap);
      sh(['dmsetup', 'suspend', lv]);
      sh(['dmsetup', 'load', lv, '--table', `0 ${len} linear ${permapDevt} ${offset}`]);
      sh(['dmsetup', 'resume', lv]);
      captureState(ctx, 'lvm-lv-on-per-vm-map');
      const permapDm = out(['dmsetup', 'info', '-c', '--noheadings', '-o', 'blkdevname', permap]);
      ctx.save(`sysfs/${permapDm}-per-vm-map.txt`, sysfsListing(permapDm));
      sh(['dmsetup', 'suspend', lv]);
      sh(['dmsetup', 'load', lv, '--table', original]);
      sh(['dmsetup', 'resume', lv]);
      sh(['dmsetup', 'remove', permap]);
      lvm('vgchange', '-an', 'pve');
      lvm('vgremove', '-y', 'pve');
      lvm('pvremove', '-y', `/dev/mapper/${m.name}`);
    },
  },
];
