import fc from 'fast-check';
import { ParseError } from '../../../agent/model';
import {
  parseBlockStat,
  parseDevT,
  parseInflight,
  classifyDmUuid,
} from '../../../agent/observe/parse/block-files';
import {
  cgroupMountsOf,
  parseCmdline,
  parseMounts,
  parseProcCgroup,
  parseProcStat,
} from '../../../agent/observe/parse/proc-files';
import { parseQemuOptString, qemuIdentityArgs, isQemuArgv } from '../../../agent/observe/parse/qemu-args';
import { parseIoMax, mergeV1Throttle, parseDefaultWeight } from '../../../agent/observe/vms/cgroup-io';
import { parseProxmoxTags } from '../../../agent/observe/vms/proxmox';
import { naturalCompare } from '../../../agent/observe/natural-order';

/** A parser either returns or throws ParseError: never anything else. */
function onlyParseErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
}
const junk = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '\n', '\0', ')', '(', ':'),
);

describe('/proc/PID/cmdline', () => {
  it('round-trips any argv without NULs', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((s) => !s.includes('\0')),
          { minLength: 1 },
        ),
        (argv) => {
          expect(parseCmdline(argv.join('\0') + '\0')).toEqual(argv);
        },
      ),
    );
  });
  it('never throws; empty for kernel threads', () => {
    fc.assert(fc.property(junk, (s) => void parseCmdline(s)));
    expect(parseCmdline('')).toEqual([]);
    expect(parseCmdline('/usr/bin/kvm')).toEqual(['/usr/bin/kvm']);
  });
});

describe('/proc/PID/stat', () => {
  it('finds the state after the last ) whatever comm contains', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4194304 }),
        fc.string({ maxLength: 16 }).filter((s) => !s.includes('\n')),
        fc.constantFrom('R', 'S', 'D', 'Z', 'T', 't', 'X', 'I'),
        (pid, comm, state) => {
          expect(parseProcStat(`${pid} (${comm}) ${state} 1 2 3 4\n`)).toEqual({ pid, comm, state });
        },
      ),
    );
  });
  it('throws only ParseError on junk', () => {
    fc.assert(fc.property(junk, (s) => onlyParseErrors(() => parseProcStat(s))));
    expect(() => parseProcStat('12 (x')).toThrow(ParseError);
  });
});

describe('/proc/PID/cgroup', () => {
  const entry = fc.record({
    hierarchy: fc.integer({ min: 0, max: 20 }),
    controllers: fc.array(fc.constantFrom('blkio', 'cpu', 'cpuacct', 'name=systemd'), { maxLength: 2 }),
    path: fc
      .array(fc.stringMatching(/^[A-Za-z0-9_.:\\-]{1,12}$/), { maxLength: 4 })
      .map((p) => '/' + p.join('/')),
  });
  it('round-trips well-formed lines (paths may contain colons)', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const text =
          entries.map((e) => `${e.hierarchy}:${e.controllers.join(',')}:${e.path}`).join('\n') + '\n';
        const parsed = parseProcCgroup(text);
        expect(parsed.badLines).toBe(0);
        expect(parsed.entries).toEqual(entries.map((e) => ({ ...e, deleted: false })));
      }),
    );
  });
  it('never throws; every entry it keeps has an absolute path', () => {
    fc.assert(
      fc.property(junk, (s) => {
        for (const e of parseProcCgroup(s).entries) expect(e.path.startsWith('/')).toBe(true);
      }),
    );
  });
  it('strips the (deleted) marker', () => {
    expect(parseProcCgroup('0::/a/b (deleted)\n').entries[0]).toMatchObject({ path: '/a/b', deleted: true });
  });
});

describe('block stat and inflight', () => {
  const counter = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
  it('reads 11, 15 and 17 field stat files', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(11, 15, 17),
        fc.array(counter, { minLength: 17, maxLength: 17 }),
        (n, values) => {
          const f = values.slice(0, n);
          const text = '  ' + f.map(String).join('    ') + '\n';
          expect(parseBlockStat(text)).toEqual({
            readIos: f[0],
            readSectors: f[2],
            writeIos: f[4],
            writeSectors: f[6],
            inFlight: f[8],
            ioTicksMs: f[9],
          });
        },
      ),
    );
  });
  it('fewer than 11 fields or non-numbers throw ParseError', () => {
    expect(() => parseBlockStat('1 2 3')).toThrow(ParseError);
    expect(() => parseBlockStat('1 2 3 4 5 6 7 8 9 10 x')).toThrow(ParseError);
    fc.assert(fc.property(junk, (s) => onlyParseErrors(() => parseBlockStat(s))));
  });
  it('inflight is exactly two numbers', () => {
    fc.assert(
      fc.property(counter, counter, (r, w) =>
        expect(parseInflight(`${r} ${w}\n`)).toEqual({ read: r, write: w }),
      ),
    );
    fc.assert(fc.property(junk, (s) => onlyParseErrors(() => parseInflight(s))));
    expect(() => parseInflight('1 2 3')).toThrow(ParseError);
  });
  it('dev is MAJ:MIN', () => {
    expect(parseDevT('253:12\n')).toBe('253:12');
    fc.assert(fc.property(junk, (s) => onlyParseErrors(() => parseDevT(s))));
  });
  it('classifies dm uuids', () => {
    expect(classifyDmUuid('mpath-3600a0b8')).toEqual({ kind: 'multipath', wwid: '3600a0b8' });
    expect(classifyDmUuid('part2-mpath-3600a0b8')).toEqual({
      kind: 'kpartx',
      partition: 2,
      wwid: '3600a0b8',
    });
    expect(classifyDmUuid('vmpath-101-3600a0b8')).toEqual({ kind: 'vm-map', vmId: '101', wwid: '3600a0b8' });
    expect(classifyDmUuid('LVM-abc')).toEqual({ kind: 'lv' });
    expect(classifyDmUuid(undefined)).toEqual({ kind: 'dm-other' });
    fc.assert(fc.property(junk, (s) => void classifyDmUuid(s)));
  });
});

describe('/proc/mounts', () => {
  it('never throws and decodes octal escapes', () => {
    fc.assert(fc.property(junk, (s) => void cgroupMountsOf(parseMounts(s))));
    expect(parseMounts('a /mnt/with\\040space ext4 rw 0 0\n')[0]?.mountPoint).toBe('/mnt/with space');
  });
  it('tells the cgroup mode', () => {
    const v1 = 'cgroup /sys/fs/cgroup/blkio cgroup rw,blkio 0 0\n';
    const v2 = 'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n';
    expect(cgroupMountsOf(parseMounts(v1))).toEqual({ mode: 'v1', v1Blkio: '/sys/fs/cgroup/blkio' });
    expect(cgroupMountsOf(parseMounts(v2))).toEqual({ mode: 'v2', v2: '/sys/fs/cgroup' });
    expect(cgroupMountsOf(parseMounts(v1 + v2)).mode).toBe('hybrid');
    expect(cgroupMountsOf([]).mode).toBe('none');
  });
});

describe('QEMU command lines', () => {
  it('option strings round-trip with ,, escaping', () => {
    const key = fc.stringMatching(/^[a-z][a-z-]{0,8}$/);
    fc.assert(
      fc.property(
        fc.dictionary(
          key,
          fc.string({ maxLength: 10 }).filter((v) => !v.includes('=')),
        ),
        (dict) => {
          const text = Object.entries(dict)
            .map(([k, v]) => `${k}=${v.replace(/,/g, ',,')}`)
            .join(',');
          const parsed = parseQemuOptString(text);
          for (const [k, v] of Object.entries(dict)) expect(parsed.get(k)).toBe(v);
        },
      ),
    );
    expect(parseQemuOptString('vm1,debug-threads=on', 'guest').get('guest')).toBe('vm1');
    expect(parseQemuOptString('guest=a,,b', 'guest').get('guest')).toBe('a,b');
  });
  it('identity args never throw on junk argv', () => {
    fc.assert(fc.property(fc.array(junk), (argv) => void qemuIdentityArgs(['qemu-system-x86_64', ...argv])));
  });
  it('finds the QMP socket: -qmp unix:, or a chardev used by a control-mode -mon (Proxmox)', () => {
    expect(
      qemuIdentityArgs(['qemu-system-x86_64', '-qmp', 'unix:/run/q/vm7.qmp,server=on,wait=off']).qmpSocket,
    ).toBe('/run/q/vm7.qmp');
    const pve = [
      '/usr/bin/kvm',
      '-id',
      '101',
      '-chardev',
      'socket,id=hmp,path=/var/run/qemu-server/101.mon,server=on,wait=off',
      '-mon',
      'chardev=hmp,mode=readline',
      '-chardev',
      'socket,id=qmp,path=/var/run/qemu-server/101.qmp,server=on,wait=off',
      '-mon',
      'chardev=qmp,mode=control',
    ];
    expect(qemuIdentityArgs(pve).qmpSocket).toBe('/var/run/qemu-server/101.qmp');
    expect(
      qemuIdentityArgs(['qemu-system-x86_64', '-monitor', 'unix:/tmp/hmp.sock,server']).qmpSocket,
    ).toBeUndefined();
  });
  it('recognises QEMU executables', () => {
    expect(isQemuArgv(['/usr/bin/kvm'])).toBe(true);
    expect(isQemuArgv(['/usr/bin/qemu-system-x86_64'])).toBe(true);
    expect(isQemuArgv(['/usr/libexec/qemu-kvm'])).toBe(true);
    expect(isQemuArgv(['/usr/bin/qemu-img'])).toBe(false);
    expect(isQemuArgv(['/bin/bash', 'qemu-system-x86_64'])).toBe(false);
  });
});

describe('cgroup I/O files and Proxmox tags', () => {
  it('io.max: max means unlimited, unknown keys are counted', () => {
    expect(
      parseIoMax(
        '8:0 rbps=2097152 wbps=max riops=max wiops=100\n253:0 rbps=max wbps=max riops=max wiops=max\n',
      ),
    ).toEqual({
      limits: { '8:0': { rbps: 2097152, wiops: 100 } },
      badLines: 0,
    });
    expect(parseIoMax('8:0 bogus=1\nxx\n').badLines).toBe(2);
    fc.assert(fc.property(junk, (s) => void parseIoMax(s)));
  });
  it('v1 throttle files merge per device; 0 means no rule', () => {
    const limits = {};
    expect(mergeV1Throttle(limits, 'rbps', '7:0 10485760\n7:1 0\n')).toBe(0);
    expect(mergeV1Throttle(limits, 'wiops', '7:0 100\nnope\n')).toBe(1);
    expect(limits).toEqual({ '7:0': { rbps: 10485760, wiops: 100 } });
    expect(parseDefaultWeight('default 100\n8:0 200\n')).toBe(100);
    expect(parseDefaultWeight('500\n')).toBe(500);
  });
  it('tags from the main section only', () => {
    expect(parseProxmoxTags('name: x\ntags: a;b,c d\n[snap]\ntags: z\n')).toEqual(['a', 'b', 'c', 'd']);
    expect(parseProxmoxTags('[snap]\ntags: z\n')).toEqual([]);
    fc.assert(fc.property(junk, (s) => void parseProxmoxTags(s)));
  });
});

describe('natural order', () => {
  it('sorts device names the way the kernel numbers them', () => {
    const names = ['sdaa', 'dm-10', 'sdb', 'sda', 'dm-2', 'sdz', '101', '99'];
    expect([...names].sort(naturalCompare)).toEqual([
      '99',
      '101',
      'dm-2',
      'dm-10',
      'sda',
      'sdb',
      'sdz',
      'sdaa',
    ]);
    expect(['nvme10n1', 'nvme0c1n1', 'nvme0c0n1', 'nvme2n1'].sort(naturalCompare)).toEqual([
      'nvme0c0n1',
      'nvme0c1n1',
      'nvme2n1',
      'nvme10n1',
    ]);
  });
  it('is a consistent total order', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(Math.sign(naturalCompare(a, b))).toBe(-Math.sign(naturalCompare(b, a)) || 0);
        if (naturalCompare(a, b) === 0) expect(a).toBe(b);
      }),
    );
  });
});
