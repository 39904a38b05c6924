import { observeHost } from '../../../agent/observe';
import { syncFor, syncReadlinkFor } from '../../../agent/observe/read';
import type { HostFs, HostFsSync } from '../../../agent/model/seams';
import { createSimHost, scaleSpec, type SimHost } from '../../../agent/sim';

/** A HostFs that records which reads went through the synchronous twins and which were async. */
function recording(inner: HostFs): { fs: HostFs; syncReads: string[]; asyncReads: string[] } {
  const syncReads: string[] = [];
  const asyncReads: string[] = [];
  const innerSync = inner.sync as HostFsSync;
  const sync: HostFsSync = {
    readFile: (p) => (syncReads.push(p), innerSync.readFile(p)),
    readdir: (p) => (syncReads.push(p), innerSync.readdir(p)),
    readlink: (p) => (syncReads.push(p), innerSync.readlink(p)),
    realpath: (p) => innerSync.realpath(p),
    exists: (p) => innerSync.exists(p),
  };
  const fs: HostFs = {
    root: inner.root,
    sync,
    readFile: (p) => (asyncReads.push(p), inner.readFile(p)),
    writeFile: (p, d) => inner.writeFile(p, d),
    readdir: (p) => (asyncReads.push(p), inner.readdir(p)),
    readlink: (p) => (asyncReads.push(p), inner.readlink(p)),
    realpath: (p) => inner.realpath(p),
    exists: (p) => inner.exists(p),
    blockDevT: (p) => (asyncReads.push(p), inner.blockDevT(p)),
  };
  return { fs, syncReads, asyncReads };
}

describe('which host files may be read synchronously (syncFor)', () => {
  const fs = { sync: {} as HostFsSync } as HostFs;
  it.each([
    ['/sys/block/sda/device/state', true],
    ['/sys/fs/cgroup/qemu.slice/101.scope/io.max', true],
    ['/run/qemu-server/101.pid', true],
    ['/proc/diskstats', true],
    ['/proc', true],
    ['/proc/4242/stat', true],
    ['/proc/4242/cgroup', true],
    ['/proc/4242/fd', true],
    // cmdline takes the process's memory lock: a QEMU stuck on its storage can hang the read.
    ['/proc/4242/cmdline', false],
    ['/proc/4242/environ', false],
    ['/proc/4242/status', false],
    // Following an fd (stat) reaches whatever filesystem the file lives on.
    ['/proc/4242/fd/7', false],
    ['/proc/4242/stat/..', false],
    ['/proc/self/stat', false],
    ['/etc/pve/qemu-server/101.conf', false],
  ])('%s → sync %s', (path, expected) => {
    expect(syncFor(fs, path) !== undefined).toBe(expected);
  });

  it('an fd link may be read synchronously, the file behind it may not', () => {
    expect(syncReadlinkFor(fs, '/proc/4242/fd/7')).toBeDefined();
    expect(syncFor(fs, '/proc/4242/fd/7')).toBeUndefined();
  });

  it('nothing is synchronous for a HostFs without synchronous reads', () => {
    expect(syncFor({} as HostFs, '/proc/4242/stat')).toBeUndefined();
  });
});

describe('a snapshot reads cmdline asynchronously and stat, cgroup and fd/ synchronously', () => {
  let sim: SimHost;
  beforeAll(() => {
    sim = createSimHost(scaleSpec({ vms: 4, luns: 4, pathsPerLun: 2 }));
  });
  afterAll(() => sim.dispose());

  it('on a simulated host', async () => {
    const rec = recording(sim.fs);
    const s = await observeHost(
      { fs: rec.fs, runner: sim.runner, clock: sim.clock },
      { sysfsThread: 'never' },
    );
    expect(s.vms).toHaveLength(4);
    const perProcess = (reads: string[], file: string) =>
      reads.filter((p) => new RegExp(`^/proc/\\d+/${file}$`).test(p)).length;
    expect(perProcess(rec.asyncReads, 'cmdline')).toBe(4);
    expect(perProcess(rec.syncReads, 'cmdline')).toBe(0);
    for (const file of ['stat', 'cgroup', 'fd']) {
      // stat twice for a process not seen before: once to look it up, once after its cmdline.
      expect(perProcess(rec.syncReads, file)).toBeGreaterThanOrEqual(4);
      expect(perProcess(rec.asyncReads, file)).toBe(0);
    }
    // Each VM's disks were found through stat of its fds (async), not through their link text.
    expect(rec.asyncReads.filter((p) => /^\/proc\/\d+\/fd\/\d+$/.test(p)).length).toBeGreaterThanOrEqual(4);
    expect(s.vms.every((vm) => vm.disks.length > 0)).toBe(true);
  });
});
