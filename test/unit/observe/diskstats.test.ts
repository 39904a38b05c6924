import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseDiskstats } from '../../../agent/observe/parse/diskstats';
import { parseBlockStat } from '../../../agent/observe/parse/block-files';
import { observeHost } from '../../../agent/observe';
import type { HostFs, HostFsSync } from '../../../agent/model/seams';
import type { HostSnapshot } from '../../../agent/model';
import { createSimHost, scaleSpec, type SimHost } from '../../../agent/sim';
import { LAB_FIXTURES, labSysfsTree, noMultipathRunner } from './lab-sysfs-tree';

const sim0Clock = { nowMs: () => 0 };

// Lines as Linux prints them (block/genhd.c: "%4d %7d %pg" then the counters): 6.1 has 17
// counters (flushes since 5.5), 4.18–5.4 15 (discards), older kernels 11.
const LINUX_6_1 = [
  '   8       0 sda 5218 1433 427930 2118 10472 9140 328456 7702 0 10796 11143 0 0 0 0 1301 1322',
  '   8      16 sdb 312 0 17424 93 0 0 0 0 0 128 93 0 0 0 0 0 0',
  ' 253       0 dm-0 120 0 5184 41 8 0 64 3 2 72 44 0 0 0 0 0 0',
  ' 259       1 nvme0n1 90 0 4312 17 0 0 0 0 0 60 17 0 0 0 0 0 0',
].join('\n');
const LINUX_4_19 = '   8      32 sdc 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15';
const LINUX_4_4 = '   8      48 sdd 1 2 3 4 5 6 7 8 9 10 11';

describe('parseDiskstats', () => {
  it('reads MAJ:MIN and the stat counters of every device line (17, 15 and 11 counters)', () => {
    const d = parseDiskstats(`${LINUX_6_1}\n${LINUX_4_19}\n${LINUX_4_4}\n`);
    expect(d.rejected).toBe(0);
    expect([...d.byName.keys()]).toEqual(['sda', 'sdb', 'dm-0', 'nvme0n1', 'sdc', 'sdd']);
    expect(d.byName.get('sda')).toEqual({
      devT: '8:0',
      stat: {
        readIos: 5218,
        readSectors: 427930,
        writeIos: 10472,
        writeSectors: 328456,
        inFlight: 0,
        ioTicksMs: 10796,
      },
    });
    expect(d.byName.get('dm-0')?.devT).toBe('253:0');
    expect(d.byName.get('dm-0')?.stat.inFlight).toBe(2);
    expect(d.byName.get('sdd')?.stat).toEqual({
      readIos: 1,
      readSectors: 3,
      writeIos: 5,
      writeSectors: 7,
      inFlight: 9,
      ioTicksMs: 10,
    });
  });

  it('gives the same counters as /sys/block/X/stat for the same numbers', () => {
    const fields = '5218 1433 427930 2118 10472 9140 328456 7702 0 10796 11143 0 0 0 0 1301 1322';
    expect(parseDiskstats(`   8       0 sda ${fields}`).byName.get('sda')?.stat).toEqual(
      parseBlockStat(fields),
    );
  });

  it('counts lines it cannot read and keeps the rest; the first of a repeated name wins', () => {
    const d = parseDiskstats(
      [
        '   8       0 sda 1 2 3',
        'garbage',
        '   x       1 sdb 1 2 3 4 5 6 7 8 9 10 11',
        '   8      16 sdb 1 2 3 4 5 6 7 8 9 10 -1',
        '   8      32 sdc 1 2 3 4 5 6 7 8 9 10 11',
        '   8      48 sdc 9 9 9 9 9 9 9 9 9 9 9',
        '',
        '\t8\t64\tsde\t1 2 3 4 5 6 7 8 9 10 11\r',
        `   8      80 ${'x'.repeat(65)} 1 2 3 4 5 6 7 8 9 10 11`,
        '12345 1 sdf 1 2 3 4 5 6 7 8 9 10 11',
      ].join('\n'),
    );
    expect([...d.byName.keys()]).toEqual(['sdc', 'sde']);
    expect(d.byName.get('sdc')?.stat.readIos).toBe(1);
    expect(d.byName.get('sde')?.devT).toBe('8:64');
    expect(d.rejected).toBe(6);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        const d = parseDiskstats(text);
        expect(d.rejected).toBeGreaterThanOrEqual(0);
      }),
    );
    const junk = 'x'.repeat(1024) + '\n' + '1 2 x '.repeat(200_000);
    expect(parseDiskstats(junk.repeat(5)).byName.size).toBe(0);
  });

  it('round-trips generated device lines', () => {
    const counter = fc.nat({ max: 2 ** 40 });
    const line = fc.record({
      major: fc.nat({ max: 4095 }),
      minor: fc.nat({ max: 1_048_575 }),
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
      counters: fc.oneof(
        fc.array(counter, { minLength: 11, maxLength: 11 }),
        fc.array(counter, { minLength: 15, maxLength: 15 }),
        fc.array(counter, { minLength: 17, maxLength: 17 }),
      ),
    });
    fc.assert(
      fc.property(fc.uniqueArray(line, { selector: (l) => l.name, maxLength: 20 }), (lines) => {
        const text = lines
          .map(
            (l) =>
              `${String(l.major).padStart(4)} ${String(l.minor).padStart(7)} ${l.name} ${l.counters.join(' ')}`,
          )
          .join('\n');
        const d = parseDiskstats(text);
        expect(d.rejected).toBe(0);
        for (const l of lines) {
          const c = l.counters;
          expect(d.byName.get(l.name)).toEqual({
            devT: `${l.major}:${l.minor}`,
            stat: {
              readIos: c[0],
              readSectors: c[2],
              writeIos: c[4],
              writeSectors: c[6],
              inFlight: c[8],
              ioTicksMs: c[9],
            },
          });
        }
      }),
    );
  });
});

const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });

/**
 * The sim's fs, with /proc/diskstats replaced (undefined = absent) and every synchronous read
 * recorded; `hidden` paths read as absent.
 */
function viewOf(
  sim: SimHost,
  diskstats: (real: string) => string | undefined,
  reads: string[],
  hidden: (p: string) => boolean = () => false,
): HostFs {
  const inner = sim.fs.sync as HostFsSync;
  const sync: HostFsSync = {
    ...inner,
    readFile: (p) => {
      reads.push(p);
      if (hidden(p)) throw enoent(p);
      if (p !== '/proc/diskstats') return inner.readFile(p);
      const text = diskstats(inner.readFile(p));
      if (text === undefined) throw enoent(p);
      return text;
    },
  };
  return new Proxy(sim.fs, {
    get(target, prop) {
      if (prop === 'sync') return sync;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('observeHost with /proc/diskstats', () => {
  let sim: SimHost;
  beforeAll(() => {
    sim = createSimHost(scaleSpec({ vms: 6, luns: 8, pathsPerLun: 2 }));
    // Some I/O so the counters are not all zero.
    sim.tick(2000);
  });
  afterAll(() => sim.dispose());

  const snap = (fs: HostFs): Promise<HostSnapshot> =>
    observeHost({ fs, runner: sim.runner, clock: sim.clock });

  it('gives the same snapshot as reading dev and stat from sysfs, with neither file read', async () => {
    const viaStats: string[] = [];
    const viaSysfs: string[] = [];
    const fast = await snap(viewOf(sim, (t) => t, viaStats));
    const slow = await snap(viewOf(sim, () => undefined, viaSysfs));
    expect(fast.paths.length).toBe(16);
    expect(fast.paths.some((p) => (p.stat?.readIos ?? 0) > 0)).toBe(true);
    expect(fast.paths).toEqual(slow.paths);
    expect(fast.maps).toEqual(slow.maps);
    expect(fast.vms).toEqual(slow.vms);
    expect(fast.diagnostics).toEqual(slow.diagnostics);
    const perDevice = (reads: string[]) => reads.filter((p) => /^\/sys\/block\/[^/]+\/(dev|stat)$/.test(p));
    expect(perDevice(viaStats)).toEqual([]);
    expect(perDevice(viaSysfs).length).toBeGreaterThanOrEqual(2 * 16);
  });

  it('reads a device from sysfs when its diskstats line is garbled, and says so', async () => {
    const reads: string[] = [];
    const victim = (await snap(viewOf(sim, (t) => t, []))).paths[3]!;
    const garble = (t: string) =>
      t
        .split('\n')
        .map((l) => (l.split(/\s+/).includes(victim.dev) ? l.replace(/ \d+$/, ' x') : l))
        .join('\n');
    const s = await snap(viewOf(sim, garble, reads));
    expect(s.paths.find((p) => p.dev === victim.dev)).toEqual(victim);
    expect(reads).toContain(`/sys/block/${victim.dev}/stat`);
    expect(s.diagnostics).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('/proc/diskstats: 1 line(s)'),
      }),
    );
  });

  it('reads SCSI attributes from the resolved /sys/devices directory, or through the link when a tree lacks it', async () => {
    const direct: string[] = [];
    const viaLink: string[] = [];
    const expected = await snap(viewOf(sim, (t) => t, direct));
    const s = await snap(
      viewOf(
        sim,
        (t) => t,
        viaLink,
        (p) => p.startsWith('/sys/devices/') && p.endsWith('state'),
      ),
    );
    expect(s.paths).toEqual(expected.paths);
    expect(expected.paths.every((p) => p.deviceState === 'running' && p.accessState !== undefined)).toBe(
      true,
    );
    expect(direct.filter((p) => p.endsWith('/device/state'))).toEqual([]);
    expect(viaLink.filter((p) => p.endsWith('/device/state'))).toHaveLength(expected.paths.length);
  });
});

describe('parseDiskstats on the lab kernel (Linux 6.1, test/fixtures/lab/diskstats)', () => {
  it('reads every line, the hidden NVMe path disks included (which sysfs gives no dev)', () => {
    const text = fs.readFileSync(path.join(LAB_FIXTURES, 'diskstats/nvme-live.txt'), 'utf8');
    const d = parseDiskstats(text);
    expect(d.rejected).toBe(0);
    expect([...d.byName.keys()]).toEqual([
      'nvme0n1',
      'vda',
      'vdb',
      'sda',
      'sde',
      'sdb',
      'sdd',
      'sdc',
      'sdf',
      'dm-0',
      'dm-1',
      'nvme1c1n1',
      'nvme1n1',
      'nvme1c2n1',
    ]);
    expect(d.byName.get('nvme1c1n1')).toEqual({
      devT: '259:1',
      stat: { readIos: 34, readSectors: 672, writeIos: 0, writeSectors: 0, inFlight: 0, ioTicksMs: 76 },
    });
    expect(d.byName.get('dm-1')?.devT).toBe('253:1');
  });

  it('leaves NVMe path devices at 0:0 although diskstats lists them, with the same counters', async () => {
    const text = fs.readFileSync(path.join(LAB_FIXTURES, 'diskstats/nvme-live.txt'), 'utf8');
    const plain = labSysfsTree('nvme-live');
    const withStats = labSysfsTree('nvme-live').file('/proc/diskstats', text);
    try {
      const a = await observeHost({ fs: plain.fs, runner: noMultipathRunner(), clock: sim0Clock });
      const b = await observeHost({ fs: withStats.fs, runner: noMultipathRunner(), clock: sim0Clock });
      expect(b.paths.map((p) => [p.dev, p.devT])).toEqual([
        ['nvme1c1n1', '0:0'],
        ['nvme1c2n1', '0:0'],
      ]);
      // The sysfs capture and the diskstats capture are minutes apart: compare what cannot move.
      const fixed = (s: HostSnapshot) => s.paths.map((p) => ({ ...p, stat: { readIos: p.stat?.readIos } }));
      expect(fixed(b)).toEqual(fixed(a));
      expect(b.diagnostics).toEqual(a.diagnostics);
    } finally {
      plain.cleanup();
      withStats.cleanup();
    }
  });
});
