/** The lab itself works: kernel features, multipathd over two and three paths, cgroup v2 io. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { LabCase } from '../lib/case';
import { dmStatus, enableIo, mapsJson, rig } from '../lib/rig';
import { out, readAttr } from '../lib/sh';

export const cases: LabCase[] = [
  {
    name: 'kernel has dm-multipath, scsi_debug and cgroup v2 io',
    async run(ctx) {
      ctx.fact('kernel', out(['uname', '-r']));
      ctx.fact('multipathd', out(['dpkg-query', '-W', 'multipath-tools', 'lvm2', 'udev']));
      enableIo();
      assert.match(readAttr('/sys/fs/cgroup/cgroup.subtree_control'), /\bio\b/);
      assert.ok(fs.existsSync('/usr/local/bin/node'));
    },
  },
  {
    name: 'two paths: one map, both paths active in the kernel',
    async run(ctx) {
      const r = await rig({ paths: 2 });
      const m = r.maps[0];
      assert.ok(m);
      const st = dmStatus(m.name);
      ctx.fact('status', st.raw);
      assert.equal(st.groups.flatMap((g) => g.paths).filter((p) => p.state === 'A').length, 2);
    },
  },
  {
    name: 'three paths, two LUNs: two maps of three active paths',
    async run(ctx) {
      const r = await rig({ paths: 3, luns: 2, grouping: 'group_by_prio' });
      assert.equal(r.maps.length, 2);
      ctx.fact(
        'maps',
        r.maps.map((m) => `${m.name} ${m.wwid} ${m.paths.map((p) => p.dev).join(',')}`),
      );
      assert.equal(mapsJson().length, 2);
    },
  },
];
