/** cgroup file formats (v2 io.max / io.weight, v1 throttle / bfq weight) on a rooted fake cgroupfs. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { formatIoMaxLine, parseIoMaxLine, setIoLimit, setIoWeight } from '../../../agent/act/cgroup-io';
import { parseCgroupMounts, cgroupDir } from '../../../agent/act/cgroup-mounts';
import { tmpRoot } from './helpers';

const FIXTURE = readFileSync(path.join(__dirname, '../../fixtures/multipath-tools-0.9.4/io.max.txt'), 'utf8');

describe('cgroup mounts', () => {
  it('finds v1 blkio and cgroup2 in /proc/mounts (hybrid host)', () => {
    const text = [
      'tmpfs /sys/fs/cgroup tmpfs rw 0 0',
      'cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0',
      'cgroup /sys/fs/cgroup/blkio cgroup rw,relatime,blkio 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0',
    ].join('\n');
    expect(parseCgroupMounts(text)).toEqual({
      v1Blkio: '/sys/fs/cgroup/blkio',
      v2: '/sys/fs/cgroup/unified',
    });
    expect(cgroupDir({ v2: '/sys/fs/cgroup' }, { version: 2, path: '/qemu.slice/101.scope' })).toBe(
      '/sys/fs/cgroup/qemu.slice/101.scope',
    );
    expect(() => cgroupDir({}, { version: 2, path: '/a/../../etc' })).toThrow(
      expect.objectContaining({ code: 'VMPATH_E_INVALID_NAME' }),
    );
  });
});

describe('v2 io.max', () => {
  it('parses the real io.max fixture and formats lines with max for unset fields', () => {
    expect(parseIoMaxLine(FIXTURE, '8:0')).toEqual({ rbps: 2097152, wiops: 100 });
    expect(parseIoMaxLine(FIXTURE, '253:0')).toEqual({ rbps: 1048576 });
    expect(parseIoMaxLine(FIXTURE, '8:16')).toBeNull();
    expect(formatIoMaxLine('253:0', { rbps: 10 })).toBe('253:0 rbps=10 wbps=max riops=max wiops=max\n');
    expect(formatIoMaxLine('253:0', null)).toBe('253:0 rbps=max wbps=max riops=max wiops=max\n');
  });

  it('setIoLimit writes one line only when the value differs', async () => {
    const root = tmpRoot();
    const dir = path.join(root, 'sys/fs/cgroup/qemu.slice/101.scope');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'io.max'), FIXTURE);
    const fs = new RootedHostFs(root);
    const ref = { version: 2 as const, path: '/qemu.slice/101.scope' };
    const mounts = { v2: '/sys/fs/cgroup' };
    expect(await setIoLimit(fs, mounts, ref, '253:0', { rbps: 1048576 })).toEqual({
      before: { rbps: 1048576 },
      changed: false,
    });
    expect(await setIoLimit(fs, mounts, ref, '253:0', { wbps: 5 })).toEqual({
      before: { rbps: 1048576 },
      changed: true,
    });
    expect(readFileSync(path.join(dir, 'io.max'), 'utf8')).toBe(
      '253:0 rbps=max wbps=5 riops=max wiops=max\n',
    );
  });

  it('io.weight default and per device', async () => {
    const root = tmpRoot();
    const dir = path.join(root, 'sys/fs/cgroup/vm');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'io.weight'), 'default 100\n');
    const fs = new RootedHostFs(root);
    const ref = { version: 2 as const, path: '/vm' };
    expect(await setIoWeight(fs, { v2: '/sys/fs/cgroup' }, ref, undefined, 100)).toMatchObject({
      changed: false,
    });
    expect(await setIoWeight(fs, { v2: '/sys/fs/cgroup' }, ref, undefined, 300)).toMatchObject({
      before: 100,
      changed: true,
    });
    expect(readFileSync(path.join(dir, 'io.weight'), 'utf8')).toBe('default 300\n');
    await setIoWeight(fs, { v2: '/sys/fs/cgroup' }, ref, '253:0', 50);
    expect(readFileSync(path.join(dir, 'io.weight'), 'utf8')).toBe('253:0 50\n');
  });
});

describe('v1 weight', () => {
  it('uses blkio.bfq.weight when present, blkio.weight otherwise, and says so when neither exists', async () => {
    const root = tmpRoot();
    const bfq = path.join(root, 'sys/fs/cgroup/blkio/a');
    const cfq = path.join(root, 'sys/fs/cgroup/blkio/b');
    const none = path.join(root, 'sys/fs/cgroup/blkio/c');
    for (const d of [bfq, cfq, none]) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(bfq, 'blkio.bfq.weight'), '100\n');
    writeFileSync(path.join(cfq, 'blkio.weight'), '500\n');
    const fs = new RootedHostFs(root);
    const m = { v1Blkio: '/sys/fs/cgroup/blkio' };
    await setIoWeight(fs, m, { version: 1, path: '/a' }, undefined, 200);
    expect(readFileSync(path.join(bfq, 'blkio.bfq.weight'), 'utf8')).toBe('200\n');
    expect(await setIoWeight(fs, m, { version: 1, path: '/b' }, undefined, 500)).toMatchObject({
      changed: false,
    });
    await expect(setIoWeight(fs, m, { version: 1, path: '/c' }, undefined, 200)).rejects.toMatchObject({
      code: 'VMPATH_E_CGROUP_INVALID',
    });
    await expect(setIoWeight(fs, m, { version: 1, path: '/gone' }, undefined, 200)).rejects.toMatchObject({
      code: 'VMPATH_E_CGROUP_GONE',
    });
  });
});
