/**
 * Per-VM path maps on a shared LVM LUN (DESIGN §3.2): a second multipath map over the same
 * path devices with its own group order, the VM's LV moved onto it (suspend/load/resume) and
 * back, data written through it read back identically through the shared map with O_DIRECT.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { LabCase } from '../lib/case';
import { dmDevT, dmStatus, ioSectors, mapsJson, rig } from '../lib/rig';
import { out, sh } from '../lib/sh';

const VG = 'labvg';

function lvm(conf: string, ...argv: string[]): string {
  return out(['lvm', ...argv, '--config', conf], { timeoutMs: 60_000 });
}

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export const cases: LabCase[] = [
  {
    name: 'per-VM map over the shared LVM LUN: LV moved onto it and back, data intact through the shared map',
    timeoutMs: 240_000,
    async run(ctx) {
      const r = await rig({ paths: 2, grouping: 'failover' });
      const m = r.maps[0];
      assert.ok(m);
      // LVM sees only the shared map: never the path devices nor per-VM maps (duplicate PVs).
      const conf =
        `devices { global_filter=["a|^/dev/mapper/${m.name}$|","r|.*|"] use_devicesfile=0 } ` +
        'global { use_lvmpolld=0 } activation { monitoring=0 }';
      lvm(conf, 'pvcreate', '-ff', '-y', `/dev/mapper/${m.name}`);
      lvm(conf, 'vgcreate', VG, `/dev/mapper/${m.name}`);
      lvm(conf, 'lvcreate', '-y', '-L', '8M', '-n', 'vm101', VG);
      lvm(conf, 'lvcreate', '-y', '-L', '8M', '-n', 'vm102', VG);
      const lv = `${VG}-vm101`;
      const original = out(['dmsetup', 'table', lv]);
      ctx.fact('LV table on the shared map', original);
      const [, len, target, dev, offset] = original.split(/\s+/);
      assert.equal(target, 'linear');
      assert.equal(dev, m.devt);

      // The shared map's active path, and the VM's preferred path: the other one.
      const activeDevt = dmStatus(m.name).groups.find((g) => g.state === 'A')?.paths[0]?.devt;
      const shared = m.paths.find((p) => p.devt === activeDevt) ?? m.paths[0];
      const mine = m.paths.find((p) => p !== shared);
      assert.ok(shared && mine);
      const permap = `${m.name}-vm101`;
      const table =
        `0 ${m.sectors} multipath 0 0 2 1 ` +
        `service-time 0 1 2 ${mine.devt} 1 1 service-time 0 1 2 ${shared.devt} 1 1`;
      sh(['dmsetup', 'create', permap, '--uuid', `vmpath-101-${m.wwid}`, '--table', table]);
      try {
        const permapDevt = dmDevT(permap);
        sh(['dmsetup', 'suspend', lv]);
        sh(['dmsetup', 'load', lv, '--table', `0 ${len} linear ${permapDevt} ${offset}`]);
        sh(['dmsetup', 'resume', lv]);
        const moved = out(['dmsetup', 'table', lv]);
        ctx.fact('LV table on the per-VM map', moved);
        assert.equal(moved.split(/\s+/)[3], permapDevt);
        assert.ok(!mapsJson().some((x) => x.name === permap), 'multipathd ignores the per-VM map');
        ctx.save('permap/dmsetup-table.txt', out(['dmsetup', 'table']) + '\n');
        ctx.save('permap/dmsetup-status.txt', out(['dmsetup', 'status']) + '\n');
        ctx.save('permap/dmsetup-ls-tree.txt', out(['dmsetup', 'ls', '--tree']) + '\n');
        ctx.save('permap/maps.json', sh(['multipathd', 'show', 'maps', 'json']).stdout);

        // EBUSY while the LV sits on it.
        const busy = sh(['dmsetup', 'remove', permap], { allowFail: true });
        ctx.fact('remove per-VM map under the LV', `${busy.status} ${busy.stderr.trim()}`);
        assert.notEqual(busy.status, 0);

        const pattern = '/tmp/pattern';
        fs.writeFileSync(pattern, crypto.randomBytes(4 * 1048576));
        const before = { mine: ioSectors(mine.dev).written, shared: ioSectors(shared.dev).written };
        sh([
          'dd',
          `if=${pattern}`,
          `of=/dev/mapper/${lv}`,
          'bs=64K',
          'oflag=direct',
          'conv=fsync',
          'status=none',
        ]);
        const wrote = {
          [mine.dev]: ioSectors(mine.dev).written - before.mine,
          [shared.dev]: ioSectors(shared.dev).written - before.shared,
        };
        ctx.fact('sectors written per path through the per-VM map', wrote);
        assert.ok((wrote[mine.dev] ?? 0) >= 8192, 'writes went through the per-VM map first group');
        assert.equal(wrote[shared.dev], 0);

        const back = '/tmp/readback';
        sh([
          'dd',
          `if=/dev/mapper/${m.name}`,
          `of=${back}`,
          'bs=64K',
          'iflag=direct,skip_bytes,count_bytes',
          `skip=${Number(offset) * 512}`,
          `count=${4 * 1048576}`,
          'status=none',
        ]);
        assert.equal(sha(back), sha(pattern), 'read back through the shared map with O_DIRECT');

        sh(['dmsetup', 'suspend', lv]);
        sh(['dmsetup', 'load', lv, '--table', original]);
        sh(['dmsetup', 'resume', lv]);
        assert.equal(out(['dmsetup', 'table', lv]), original);
        sh(['dd', `if=/dev/mapper/${lv}`, `of=${back}`, 'bs=64K', 'count=64', 'iflag=direct', 'status=none']);
        assert.equal(sha(back), sha(pattern), 'read back through the LV on the shared map');
      } finally {
        if (out(['dmsetup', 'table', lv]) !== original) {
          sh(['dmsetup', 'suspend', lv], { allowFail: true });
          sh(['dmsetup', 'load', lv, '--table', original], { allowFail: true });
          sh(['dmsetup', 'resume', lv], { allowFail: true });
        }
        sh(['dmsetup', 'remove', permap]);
      }
      assert.ok(!out(['dmsetup', 'ls']).includes(permap));

      // What LVM says when it may see both maps (the trap DESIGN §3.2 describes).
      const both = `devices { global_filter=["a|^/dev/mapper/${m.name}|","r|.*|"] use_devicesfile=0 }`;
      sh(['dmsetup', 'create', permap, '--uuid', `vmpath-101-${m.wwid}`, '--table', table]);
      const pvs = sh(['lvm', 'pvs', '--config', both], { allowFail: true, timeoutMs: 60_000 });
      ctx.fact(
        'pvs seeing both maps',
        `${pvs.status} ${pvs.stderr.trim().split('\n').slice(0, 3).join(' | ')}`,
      );
      sh(['dmsetup', 'remove', permap]);

      lvm(conf, 'vgchange', '-an', VG);
      lvm(conf, 'vgremove', '-y', VG);
      lvm(conf, 'pvremove', '-y', `/dev/mapper/${m.name}`);
    },
  },
];
