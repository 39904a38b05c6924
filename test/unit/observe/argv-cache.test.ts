import { observeHost } from '../../../agent/observe';
import type { HostFs } from '../../../agent/model';
import { parseProcStat } from '../../../agent/observe/parse/proc-files';
import type { RootedHostFs } from '../../../agent/os/host-fs';
import { clock, fixtureRunner, treeMaker, kvmArgv } from './host-tree';

const tree = treeMaker();

const kvm = kvmArgv;
/** A full 52-field stat line, as Linux 6.1 writes it: field 22 is the start time. */
const statLine = (pid: number, comm: string, start: number) =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 8 0 ${start} ${Array(30).fill('0').join(' ')}\n`;

/** The tree's fs, counting reads per path; `hung` paths never answer. */
class WatchedFs implements HostFs {
  readonly reads = new Map<string, number>();
  readonly hung = new Set<string>();
  constructor(private readonly inner: RootedHostFs) {}
  get root() {
    return this.inner.root;
  }
  readFile = (p: string) => {
    this.reads.set(p, (this.reads.get(p) ?? 0) + 1);
    return this.hung.has(p) ? new Promise<string>(() => undefined) : this.inner.readFile(p);
  };
  writeFile = (p: string, d: string) => this.inner.writeFile(p, d);
  readdir = (p: string) => this.inner.readdir(p);
  readlink = (p: string) => this.inner.readlink(p);
  realpath = (p: string) => this.inner.realpath(p);
  exists = (p: string) => this.inner.exists(p);
  blockDevT = (p: string) => this.inner.blockDevT(p);
}

const observe = (fs: HostFs) => observeHost({ fs, runner: fixtureRunner(), clock }, { readTimeoutMs: 200 });

describe('argv of known processes (ArgvCache)', () => {
  it('parses the start time (field 22) from a full stat line, and leaves it out of a short one', () => {
    expect(parseProcStat(statLine(42, 'kvm', 123456)).startTime).toBe('123456');
    expect(parseProcStat(statLine(42, 'a) b (c', 99)).startTime).toBe('99');
    expect(parseProcStat('42 (kvm) S 1 42 42 0\n').startTime).toBeUndefined();
  });

  it('reads a QEMU cmdline once; a later hang of that file does not lose the VM', async () => {
    const t = tree()
      .qemu(50, { argv: kvm('150'), cgroup: '0::/\n' })
      .file('/proc/50/stat', statLine(50, 'kvm', 777));
    const fs = new WatchedFs(t.fs);
    expect((await observe(fs)).vms.map((v) => v.id)).toEqual(['150']);
    fs.hung.add('/proc/50/cmdline');
    const again = await observe(fs);
    expect(again.vms.map((v) => v.id)).toEqual(['150']);
    expect(fs.reads.get('/proc/50/cmdline')).toBe(1);
    expect(again.diagnostics.filter((d) => /no answer/.test(d.message))).toEqual([]);
  });

  it('reads the cmdline again after an exec (comm changed) or a pid reuse (start time changed)', async () => {
    const t = tree()
      .process(60, ['/bin/sh', '/usr/local/bin/start-vm'])
      .file('/proc/60/stat', statLine(60, 'sh', 1000))
      .file('/proc/60/cgroup', '0::/\n')
      .dir('/proc/60/fd');
    const fs = new WatchedFs(t.fs);
    expect((await observe(fs)).vms).toEqual([]);
    // The wrapper execs QEMU: same pid, same start time, new comm and argv.
    t.file('/proc/60/cmdline', kvm('160').join('\0') + '\0').file('/proc/60/stat', statLine(60, 'kvm', 1000));
    expect((await observe(fs)).vms.map((v) => v.id)).toEqual(['160']);
    // That QEMU exits and the pid is reused by another QEMU: new start time.
    t.file('/proc/60/cmdline', kvm('161').join('\0') + '\0').file('/proc/60/stat', statLine(60, 'kvm', 5000));
    expect((await observe(fs)).vms.map((v) => v.id)).toEqual(['161']);
    expect(fs.reads.get('/proc/60/cmdline')).toBe(3);
  });

  it('does not remember a cmdline it could not read, nor cache without a start time', async () => {
    const t = tree()
      .qemu(70, { argv: kvm('170'), cgroup: '0::/\n' })
      .file('/proc/70/stat', statLine(70, 'kvm', 42))
      .qemu(71, { argv: kvm('171'), cgroup: '0::/\n' }); // the builder's short stat: no start time
    const fs = new WatchedFs(t.fs);
    fs.hung.add('/proc/70/cmdline');
    expect((await observe(fs)).vms.map((v) => v.id)).toEqual(['171']);
    fs.hung.delete('/proc/70/cmdline');
    expect((await observe(fs)).vms.map((v) => v.id)).toEqual(['170', '171']);
    expect(await observe(fs)).toMatchObject({ vms: [{ id: '170' }, { id: '171' }] });
    expect(fs.reads.get('/proc/70/cmdline')).toBe(2);
    expect(fs.reads.get('/proc/71/cmdline')).toBe(3);
  });

  it('keeps one cache per HostFs object: another fs over the same tree reads again', async () => {
    const t = tree()
      .qemu(80, { argv: kvm('180'), cgroup: '0::/\n' })
      .file('/proc/80/stat', statLine(80, 'kvm', 9));
    const a = new WatchedFs(t.fs);
    const b = new WatchedFs(t.fs);
    await observe(a);
    await observe(a);
    await observe(b);
    expect([a.reads.get('/proc/80/cmdline'), b.reads.get('/proc/80/cmdline')]).toEqual([1, 1]);
  });
});
