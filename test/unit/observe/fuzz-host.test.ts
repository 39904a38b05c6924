/**
 * Whole-pipeline fuzzing: a small host kept in memory, with random junk written over chosen
 * files (or files removed, or calls failing with errno), must always give a frozen snapshot —
 * never an exception, never a hang.
 */
import fc from 'fast-check';
import { observeHost } from '../../../agent/observe';
import type { HostFs } from '../../../agent/model';
import { clock, fixtureRunner } from './host-tree';

type Entry = string | { dir: string[] } | { link: string } | { block: string };

function baseHost(): Map<string, Entry> {
  const m = new Map<string, Entry>();
  const put = (p: string, e: Entry) => m.set(p, e);
  put('/proc/mounts', 'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n');
  put('/proc/sys/kernel/hostname', 'h\n');
  put('/proc', { dir: ['1', '42', 'self'] });
  put('/proc/1/cmdline', '/sbin/init\0');
  put('/proc/42/cmdline', ['/usr/bin/kvm', '-id', '101', '-name', 'web', ''].join('\0'));
  put('/proc/42/stat', '42 (kvm) S 1 2 3\n');
  put('/proc/42/cgroup', '0::/qemu.slice/101.scope\n');
  put('/proc/42/fd', { dir: ['3', '4'] });
  put('/proc/42/fd/3', { block: '253:1' });
  put('/proc/42/fd/4', { block: '8:0' });
  put('/sys/fs/cgroup/qemu.slice/101.scope', { dir: ['io.max'] });
  put('/sys/fs/cgroup/qemu.slice/101.scope/io.max', '253:1 rbps=100 wbps=max riops=max wiops=max\n');
  put('/etc/pve/qemu-server/101.conf', 'tags: a\n');
  put('/sys/block', { dir: ['sda', 'sdb', 'dm-0', 'dm-1'] });
  for (const [d, t] of [
    ['sda', '8:0'],
    ['sdb', '8:16'],
  ] as const) {
    put(`/sys/block/${d}/dev`, `${t}\n`);
    put(`/sys/block/${d}/stat`, '1 0 8 0 1 0 8 0 1 2 3\n');
    put(`/sys/block/${d}/inflight`, '1 0\n');
    put(`/sys/block/${d}/device`, {
      link: `/sys/devices/host0/rport-0:0-0/target0:0:0/0:0:0:${t.split(':')[1]}`,
    });
    put(`/sys/block/${d}/device/state`, 'running\n');
    put(`/sys/block/${d}/device/access_state`, 'active/optimized\n');
  }
  put('/sys/class/fc_remote_ports/rport-0:0-0/port_state', 'Online\n');
  put('/sys/block/dm-0/dev', '253:0\n');
  put('/sys/block/dm-0/dm/name', 'mpatha\n');
  put('/sys/block/dm-0/dm/uuid', 'mpath-1Linux_scsi_debug_2000\n');
  put('/sys/block/dm-0/dm/suspended', '0\n');
  put('/sys/block/dm-0/slaves', { dir: ['sda', 'sdb'] });
  put('/sys/block/dm-0/holders', { dir: ['dm-1'] });
  put('/sys/block/dm-1/dev', '253:1\n');
  put('/sys/block/dm-1/dm/name', 'vg-lv\n');
  put('/sys/block/dm-1/dm/uuid', 'LVM-x\n');
  put('/sys/block/dm-1/dm/suspended', '0\n');
  put('/sys/block/dm-1/slaves', { dir: ['dm-0'] });
  return m;
}

const enoent = (p: string) => Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });

class MemFs implements HostFs {
  readonly root = '/mem';
  constructor(
    private readonly m: Map<string, Entry>,
    private readonly errnos: Map<string, string>,
  ) {}
  private get(p: string): Entry {
    const code = this.errnos.get(p);
    if (code) throw Object.assign(new Error(`${code} ${p}`), { code });
    const e = this.m.get(p);
    if (e === undefined) throw enoent(p);
    return e;
  }
  async readFile(p: string) {
    const e = this.get(p);
    if (typeof e !== 'string') throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    return e;
  }
  async writeFile() {
    throw Object.assign(new Error('EROFS'), { code: 'EROFS' });
  }
  async readdir(p: string) {
    const e = this.get(p);
    if (typeof e === 'object' && 'dir' in e) return e.dir;
    throw Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' });
  }
  async readlink(p: string) {
    const e = this.get(p);
    if (typeof e === 'object' && 'link' in e) return e.link;
    throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
  }
  async realpath(p: string) {
    const e = this.get(p);
    return typeof e === 'object' && 'link' in e ? e.link : p;
  }
  async exists(p: string) {
    return this.m.has(p);
  }
  async blockDevT(p: string) {
    const e = this.m.get(p);
    return typeof e === 'object' && e !== null && 'block' in e ? e.block : undefined;
  }
}

describe('observeHost under random damage', () => {
  const paths = [...baseHost().keys()];
  const damage = fc.oneof(
    fc.string({ maxLength: 200 }).map((s) => ({ kind: 'junk' as const, s })),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => ({ kind: 'junk' as const, s })),
    fc.constant({ kind: 'remove' as const }),
    fc.constantFrom('EACCES', 'EIO', 'ESRCH', 'ENOENT').map((code) => ({ kind: 'errno' as const, code })),
  );

  it('always returns a frozen snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...paths), damage, { maxKeys: 8 }), async (changes) => {
        const m = baseHost();
        const errnos = new Map<string, string>();
        for (const [p, d] of Object.entries(changes)) {
          if (d.kind === 'junk') m.set(p, d.s);
          else if (d.kind === 'remove') m.delete(p);
          else errnos.set(p, d.code);
        }
        const s = await observeHost({ fs: new MemFs(m, errnos), runner: fixtureRunner(), clock });
        expect(Object.isFrozen(s)).toBe(true);
        for (const d of s.diagnostics) expect(['info', 'warn', 'error']).toContain(d.level);
        for (const v of s.vms) expect(v.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/);
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('the undamaged in-memory host is read completely', async () => {
    const s = await observeHost({ fs: new MemFs(baseHost(), new Map()), runner: fixtureRunner(), clock });
    expect(s.vms.map((v) => [v.id, v.disks.map((d) => d.chain.map((l) => l.kind).join('>'))])).toEqual([
      ['101', ['lv>multipath>path>path', 'disk']],
    ]);
    expect(s.paths.map((p) => [p.dev, p.transport.kind, p.inflight.read])).toEqual([
      ['sda', 'fc', 1],
      ['sdb', 'fc', 1],
    ]);
    expect(s.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
  });
});
