import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as path from 'node:path';
import { runCli } from '../../../agent/cli/run-cli';
import { captureIo } from './capture-io';

const MT = path.join(__dirname, '../../fixtures/multipath-tools-0.9.4');
const LAB = path.join(__dirname, '../../fixtures/lab');

async function parse(args: string[], stdin = '') {
  const io = captureIo(stdin);
  const code = await runCli(['parse', ...args], io);
  return { code, io, json: () => JSON.parse(io.stdout) as Record<string, unknown> };
}

const OFFLINE_GROUPS_TOPOLOGY = [
  {
    index: 1,
    state: 'enabled',
    selector: 'service-time 0',
    priority: 0,
    paths: [{ dev: 'sda', devT: '8:0', dmState: 'failed', checkerState: 'faulty', deviceState: 'offline' }],
  },
  {
    index: 2,
    state: 'active',
    selector: 'service-time 0',
    priority: 10,
    paths: [{ dev: 'sdb', devT: '8:16', dmState: 'active', checkerState: 'ready', deviceState: 'running' }],
  },
];

describe('vmpath parse', () => {
  it('topology: the real offline multipath -ll', async () => {
    const r = await parse(['topology', path.join(MT, 'offline-multipath-ll.txt'), '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      kind: 'topology',
      maps: [{ name: 'mpatha', wwid: '1Linux_scsi_debug_2000', dm: 'dm-0', groups: OFFLINE_GROUPS_TOPOLOGY }],
    });
  });

  // The JSON was captured before multipathd noticed the offline state: dev_st still says running.
  it('multipathd-json: the real offline maps.json', async () => {
    const r = await parse(['multipathd-json', path.join(MT, 'offline-maps.json'), '--json']);
    expect(r.code).toBe(0);
    const out = r.json() as {
      kind: string;
      maps: { name: string; wwid: string; dm: string; groups: unknown[] }[];
    };
    expect(out.kind).toBe('multipathd-json');
    expect(out.maps[0]).toMatchObject({ name: 'mpatha', wwid: '1Linux_scsi_debug_2000', dm: 'dm-0' });
    expect(out.maps[0]?.groups).toMatchObject([
      {
        index: 1,
        paths: [
          { dev: 'sda', devT: '8:0', dmState: 'failed', checkerState: 'faulty', deviceState: 'running' },
        ],
      },
      {
        index: 2,
        state: 'active',
        paths: [{ dev: 'sdb', devT: '8:16', dmState: 'active', checkerState: 'ready' }],
      },
    ]);
  });

  it('multipathd-paths: the real offline show paths', async () => {
    const r = await parse(['multipathd-paths', path.join(MT, 'offline-show-paths.txt'), '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      kind: 'multipathd-paths',
      paths: [
        {
          hcil: '0:0:0:0',
          dev: 'sda',
          devT: '8:0',
          priority: 50,
          dmState: 'failed',
          checkerState: 'faulty',
          checkerText: 'faulty',
          deviceState: 'offline',
          nextCheck: 'XXXXX..... 2/4',
        },
        {
          hcil: '1:0:0:0',
          dev: 'sdb',
          devT: '8:16',
          priority: 10,
          dmState: 'active',
          checkerState: 'ready',
          checkerText: 'ready',
          deviceState: 'running',
          nextCheck: 'XX........ 1/4',
        },
      ],
    });
  });

  it('dmsetup-table: the real table, selector as multipathd prints it, devT only', async () => {
    const r = await parse(['dmsetup-table', path.join(MT, 'dmsetup-table.txt'), '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      kind: 'dmsetup-table',
      maps: [
        {
          name: 'mpatha',
          groups: [
            { index: 1, selector: 'service-time 0', paths: [{ devT: '8:0' }] },
            { index: 2, selector: 'service-time 0', paths: [{ devT: '8:16' }] },
          ],
        },
      ],
    });
  });

  it('dmsetup-status: the real offline status', async () => {
    const r = await parse(['dmsetup-status', path.join(MT, 'offline-dmsetup-status.txt'), '--json']);
    expect(r.code).toBe(0);
    const out = r.json() as { maps: { groups: { paths: { devT: string; dmState: string }[] }[] }[] };
    expect(out.maps[0]?.groups.flatMap((g) => g.paths.map((p) => [p.devT, p.dmState]))).toEqual([
      ['8:0', 'failed'],
      ['8:16', 'active'],
    ]);
  });

  it('dmsetup-status skips non-multipath targets (lab LVs on the map)', async () => {
    const r = await parse([
      'dmsetup-status',
      path.join(LAB, 'lvm-on-multipath/dmsetup-status.txt'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect((r.json() as { maps: { name: string }[] }).maps.map((m) => m.name)).toEqual(['mpatha']);
  });

  it('reads stdin for `-` and for no FILE', async () => {
    const text = readFileSync(path.join(MT, 'show-topology.txt'), 'utf8');
    const dash = await parse(['topology', '-', '--json'], text);
    const none = await parse(['topology', '--json'], text);
    expect(dash.code).toBe(0);
    expect(none.io.stdout).toBe(dash.io.stdout);
    expect((dash.json() as { maps: { name: string }[] }).maps[0]?.name).toBe('mpatha');
  });

  it('prints a readable table without --json', async () => {
    const r = await parse(['topology', path.join(MT, 'offline-multipath-ll.txt')]);
    expect(r.code).toBe(0);
    expect(r.io.stdout).toContain('mpatha (1Linux_scsi_debug_2000) dm-0');
    expect(r.io.stdout).toMatch(/group 1 +enabled +service-time 0 +prio=0/);
    expect(r.io.stdout).toMatch(/sda +8:0 +failed +faulty +offline/);
    const paths = await parse(['multipathd-paths', path.join(MT, 'show-paths.txt')]);
    expect(paths.io.stdout).toMatch(/^HCIL +DEV +DEV_T/);
    for (const kind of ['multipathd-json', 'dmsetup-table', 'dmsetup-status']) {
      const file = {
        'multipathd-json': 'maps.json',
        'dmsetup-table': 'dmsetup-table.txt',
        'dmsetup-status': 'dmsetup-status.txt',
      }[kind] as string;
      const k = await parse([kind, path.join(MT, file)]);
      expect(k.code).toBe(0);
      expect(k.io.stdout).toContain('mpatha');
    }
  });

  it.each(['multipathd-json', 'multipathd-paths', 'topology', 'dmsetup-table', 'dmsetup-status'])(
    'garbage given as %s exits 1 with VMPATH_E_PARSE',
    async (kind) => {
      const r = await parse([kind, '-', '--json'], 'this is not\nmultipath output at all\n');
      expect(r.code).toBe(1);
      expect((r.json() as { error: { code: string } }).error.code).toBe('VMPATH_E_PARSE');
    },
  );

  it('a garbage file exits 1 with VMPATH_E_PARSE on stderr', async () => {
    const r = await parse(['topology', path.join(MT, 'maps.json')]);
    expect(r.code).toBe(1);
    expect(r.io.stderr).toMatch(/line 1: .*\[VMPATH_E_PARSE\]/);
  });

  it('unknown kind, missing kind, extra arguments and a missing file are usage errors (exit 2)', async () => {
    for (const args of [
      ['nope', '-'],
      [],
      ['topology', 'a', 'b'],
      ['topology', path.join(MT, 'no-such-file')],
    ]) {
      const r = await parse(args);
      expect(r.code).toBe(2);
      expect(r.io.stderr).toContain('VMPATH_E_USAGE');
    }
  });

  it('random input for any kind exits 0 or 1 with VMPATH_E_PARSE, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'multipathd-json',
          'multipathd-paths',
          'multipathd-maps',
          'topology',
          'dmsetup-table',
          'dmsetup-status',
        ),
        fc.string({ maxLength: 120 }),
        async (kind, text) => {
          const r = await parse([kind, '-', '--json'], text);
          if (r.code !== 0) {
            expect(r.code).toBe(1);
            expect((r.json() as { error: { code: string } }).error.code).toBe('VMPATH_E_PARSE');
          }
          expect(r.io.stderr).toBe('');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random truncation of a real capture of any kind exits 0 or 1 with VMPATH_E_PARSE', async () => {
    const files: Record<string, string> = {
      'multipathd-json': 'offline-maps.json',
      'multipathd-paths': 'offline-show-paths.txt',
      'multipathd-maps': 'show-maps.txt',
      topology: 'show-topology.txt',
      'dmsetup-table': 'multibus-dmsetup-table.txt',
      'dmsetup-status': 'offline-dmsetup-status.txt',
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(files)), fc.nat(), async (kind, cut) => {
        const text = readFileSync(path.join(MT, files[kind] as string), 'utf8');
        const r = await parse([kind, '-', '--json'], text.slice(0, cut % (text.length + 1)));
        if (r.code !== 0) {
          expect(r.code).toBe(1);
          expect((r.json() as { error: { code: string } }).error.code).toBe('VMPATH_E_PARSE');
        }
        expect(r.io.stderr).toBe('');
      }),
      { numRuns: 200 },
    );
  });

  it('docs/parse-schema.md examples are what the command prints', async () => {
    const doc = readFileSync(path.join(__dirname, '../../../docs/parse-schema.md'), 'utf8');
    const examples = [...doc.matchAll(/`vmpath parse (\S+) (\S+) --json`:\n\n```json\n([\s\S]*?)```/g)];
    expect(examples.map((m) => m[1])).toEqual([
      'multipathd-json',
      'multipathd-paths',
      'multipathd-maps',
      'topology',
      'dmsetup-table',
      'dmsetup-status',
    ]);
    for (const [, kind, file, json] of examples) {
      const r = await parse([kind as string, path.join(__dirname, '../../..', file as string), '--json']);
      expect(r.io.stdout).toBe(json);
    }
  });
});

describe('vmpath parse: show maps and raw format', () => {
  const MAP_COLUMNS = 'name,uuid,sysfs,paths,queueing,write_prot,dm_st,switch_grp,failback';
  const PATH_COLUMNS = 'uuid,hcil,dev,dev_t,dm_st,chk_st,dev_st,pri,vend,host_adapter,protocol';

  it('multipathd-maps: the real padded show maps', async () => {
    const r = await parse(['multipathd-maps', path.join(MT, 'show-maps.txt'), '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      kind: 'multipathd-maps',
      maps: [
        {
          name: 'mpatha',
          wwid: '1Linux_scsi_debug_2000',
          dm: 'dm-0',
          fields: { name: 'mpatha', sysfs: 'dm-0', uuid: '1Linux_scsi_debug_2000' },
        },
      ],
    });
  });

  it('multipathd-maps --columns: the lab show maps raw format, readable', async () => {
    const file = path.join(LAB, '3paths-failover', 'show-maps-raw.txt');
    const r = await parse(['multipathd-maps', file, '--columns', MAP_COLUMNS]);
    expect(r.code).toBe(0);
    expect(r.io.stdout).toBe(
      [
        'NAME    UUID                    SYSFS  PATHS  QUEUEING  WRITE_PROT  DM_ST   SWITCH_GRP  FAILBACK',
        'mpatha  1Linux_scsi_debug_2000  dm-0   3      off       rw          active  0           --',
        '',
      ].join('\n'),
    );
  });

  it('multipathd-paths --columns: every lab show paths raw format reads like its padded show paths', async () => {
    for (const dir of readdirSync(LAB).filter((d) => existsSync(path.join(LAB, d, 'show-paths-raw.txt')))) {
      const raw = await parse([
        'multipathd-paths',
        path.join(LAB, dir, 'show-paths-raw.txt'),
        '--columns',
        PATH_COLUMNS,
        '--separator',
        '|',
        '--json',
      ]);
      const padded = await parse(['multipathd-paths', path.join(LAB, dir, 'show-paths.txt'), '--json']);
      expect(raw.code).toBe(0);
      const withoutNextCheck = (padded.json().paths as Record<string, unknown>[]).map(
        ({ nextCheck: _n, ...p }) => p,
      );
      expect(raw.json()).toEqual({ kind: 'multipathd-paths', paths: withoutNextCheck });
    }
  });

  it('a raw row with the wrong field count exits 1 with VMPATH_E_PARSE naming the line', async () => {
    const r = await parse(['multipathd-maps', '-', '--columns', 'name,uuid', '--json'], 'a|b\na|b|c\n');
    expect(r.code).toBe(1);
    const err = (r.json() as { error: { code: string; details: { line: number } } }).error;
    expect(err.code).toBe('VMPATH_E_PARSE');
    expect(err.details.line).toBe(2);
  });

  it('--columns misuse is a usage error (exit 2)', async () => {
    for (const args of [
      ['topology', '-', '--columns', 'name'],
      ['multipathd-maps', '-', '--separator', ','],
      ['multipathd-maps', '-', '--columns', 'name,,uuid'],
      ['multipathd-maps', '-', '--columns', 'name,name'],
      ['multipathd-paths', '-', '--columns', 'dev', '--separator', ''],
    ]) {
      const r = await parse(args, 'x\n');
      expect(r.code).toBe(2);
      expect(r.io.stderr).toContain('VMPATH_E_USAGE');
    }
  });
});
