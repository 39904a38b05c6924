import { observeHost } from '../../../agent/observe';
import type { HostFs, HostSnapshot } from '../../../agent/model';
import type { RootedHostFs } from '../../../agent/os/host-fs';
import { clock, fixtureRunner, withFixtureMap, treeMaker, kvmArgv } from './host-tree';

const tree = treeMaker();

const kvm = kvmArgv;

/** A HostFs that fails or hangs on chosen paths, otherwise reads the tree. */
class FaultyFs implements HostFs {
  constructor(
    private readonly inner: RootedHostFs,
    private readonly faults: Record<string, string | 'hang'>,
  ) {}
  get root() {
    return this.inner.root;
  }
  private check(p: string): Promise<void> {
    const f = this.faults[p];
    if (f === 'hang') return new Promise(() => undefined);
    if (f) return Promise.reject(Object.assign(new Error(`${f}: ${p}`), { code: f }));
    return Promise.resolve();
  }
  readFile = async (p: string) => (await this.check(p), this.inner.readFile(p));
  writeFile = async (p: string, d: string) => (await this.check(p), this.inner.writeFile(p, d));
  readdir = async (p: string) => (await this.check(p), this.inner.readdir(p));
  readlink = async (p: string) => (await this.check(p), this.inner.readlink(p));
  realpath = async (p: string) => (await this.check(p), this.inner.realpath(p));
  exists = async (p: string) => (await this.check(p), this.inner.exists(p));
  blockDevT = async (p: string) => (await this.check(p), this.inner.blockDevT(p));
}

const codes = (s: HostSnapshot) => s.diagnostics.map((d) => `${d.level} ${d.code ?? '-'} ${d.subject}`);

describe('observeHost with bad input: partial snapshots, never a crash or a hang', () => {
  it('drops processes that exit mid-scan or are zombies, keeps the others; a stopped VM is paused', async () => {
    const t = tree()
      .qemu(10, { argv: kvm('110'), cgroup: '0::/qemu.slice/110.scope\n' })
      .qemu(11, { argv: kvm('111'), cgroup: '0::/\n', state: 'Z' })
      .qemu(12, { argv: kvm('112'), cgroup: '0::/\n', state: 'T' })
      .qemu(13, { argv: kvm('113'), cgroup: '0::/\n' })
      .qemu(14, { argv: kvm('114'), cgroup: '0::/\n' })
      .remove('/proc/10/stat');
    const fs = new FaultyFs(t.fs, { '/proc/13/fd': 'ESRCH' });
    const s = await observeHost({ fs, runner: fixtureRunner(), clock });
    expect(s.vms.map((v) => [v.id, v.runState])).toEqual([
      ['112', 'paused'],
      ['114', 'unknown'],
    ]);
    expect(codes(s)).toEqual(
      expect.arrayContaining([
        'info VMPATH_E_PROCESS_VANISHED process 10',
        'info VMPATH_E_PROCESS_VANISHED process 11',
        'info VMPATH_E_PROCESS_VANISHED process 13',
      ]),
    );
  });

  it('a cgroup that is gone or unreadable leaves the VM without a cgroup, with a diagnostic', async () => {
    const t = tree()
      .qemu(20, { argv: kvm('120'), cgroup: '0::/qemu.slice/120.scope\n' })
      .qemu(21, { argv: kvm('121'), cgroup: '0::/qemu.slice/121.scope (deleted)\n' })
      .qemu(22, { argv: kvm('122'), cgroup: 'garbage\n0::/ok\n0::relative\n' })
      .dir('/sys/fs/cgroup/qemu.slice/121.scope')
      .dir('/sys/fs/cgroup/ok');
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.vms.map((v) => [v.id, v.cgroup?.path])).toEqual([
      ['120', undefined],
      ['121', undefined],
      ['122', '/ok'],
    ]);
    expect(codes(s)).toEqual(
      expect.arrayContaining([
        'warn VMPATH_E_CGROUP_GONE vm 120',
        'warn VMPATH_E_CGROUP_GONE vm 121',
        'warn - vm 122',
      ]),
    );
  });

  it('permission errors and garbage sysfs files become diagnostics', async () => {
    const t = withFixtureMap(tree())
      .file('/sys/block/sdb/stat', 'x'.repeat(10 * 1024 * 1024))
      .file('/sys/block/sda/inflight', '1 2 3\n')
      .file('/sys/block/loop0/dev', 'not-a-devt\n')
      .file('/sys/block/Bad Name/dev', '1:1\n')
      .qemu(30, { argv: kvm('130'), cgroup: '0::/\n' })
      .file('/proc/31/cmdline', '\u0000\u00ff\u0001binary junk')
      .qemu(32, { argv: kvm('132'), cgroup: '0::/\n' });
    const fs = new FaultyFs(t.fs, { '/proc/32/cgroup': 'EACCES', '/sys/block/sda/device/state': 'EACCES' });
    const s = await observeHost({ fs, runner: fixtureRunner(), clock });
    expect(s.paths.map((p) => p.dev)).toEqual(['sdb']);
    expect(s.paths[0]!.stat).toBeUndefined();
    expect(s.vms.map((v) => v.id)).toEqual(['130']);
    const c = codes(s);
    expect(c).toEqual(
      expect.arrayContaining([
        'warn VMPATH_E_SYSFS_READ path sda',
        'warn VMPATH_E_PARSE path sdb',
        'warn VMPATH_E_PARSE block loop0',
        'warn VMPATH_E_INVALID_NAME block Bad Name',
        'warn VMPATH_E_SYSFS_READ process 32',
      ]),
    );
    expect(s.maps.map((m) => m.name)).toEqual(['mpatha']);
  });

  it('a read that never answers times out instead of hanging the snapshot', async () => {
    const t = withFixtureMap(tree()).qemu(40, { argv: kvm('140'), cgroup: '0::/\n' });
    const fs = new FaultyFs(t.fs, { '/proc/40/stat': 'hang', '/sys/block/sdb/stat': 'hang' });
    const started = Date.now();
    const s = await observeHost({ fs, runner: fixtureRunner(), clock }, { readTimeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.vms).toEqual([]);
    // A path whose counters do not answer is kept, without them (like a garbled stat file).
    expect(s.paths.map((p) => p.dev)).toEqual(['sda', 'sdb']);
    expect(s.paths[1]!.stat).toBeUndefined();
    expect(s.paths[1]!.deviceState).toBe('running');
    expect(s.diagnostics.filter((d) => /no answer within 100 ms/.test(d.message))).toHaveLength(2);
  });

  it('an empty root (no /proc, no /sys) gives an empty snapshot with errors, not an exception', async () => {
    const t = tree().remove('/sys').remove('/proc');
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.vms).toEqual([]);
    expect(s.paths).toEqual([]);
    expect(s.host.cgroupMode).toBe('none');
    expect(s.host.hostname).toBe('unknown');
    expect(s.diagnostics.filter((d) => d.level === 'error').length).toBeGreaterThanOrEqual(2);
  });

  it('identity edge cases: unusable names fall back to pid-N, duplicate ids are kept apart', async () => {
    const t = tree()
      .qemu(50, { argv: ['qemu-system-x86_64', '-name', 'bad name/../x'], cgroup: '0::/\n' })
      .qemu(51, { argv: ['qemu-system-x86_64'], cgroup: '0::/\n' })
      .qemu(52, { argv: ['qemu-system-x86_64', '-name', 'same'], cgroup: '0::/\n' })
      .qemu(53, { argv: ['qemu-system-aarch64', '--name', 'guest=same'], cgroup: '0::/\n' });
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.vms.map((v) => [v.id, v.kind, v.name])).toEqual([
      ['pid-50', 'qemu', 'bad name/../x'],
      ['pid-51', 'qemu', 'pid-51'],
      ['pid-53', 'qemu', 'same'],
      ['same', 'qemu', 'same'],
    ]);
    expect(s.diagnostics.filter((d) => d.level === 'warn')).toHaveLength(3);
  });
});
