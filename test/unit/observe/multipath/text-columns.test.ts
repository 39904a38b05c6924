import fc from 'fast-check';
import { ParseError } from '../../../../agent/model/errors';
import {
  parseMultipathdColumns,
  parseMultipathdRaw,
  parseShowPaths,
} from '../../../../agent/observe/multipath/text-columns';
import { fixture } from './fixture';
import { labFixture, LAB_SCENARIOS } from './lab-fixture';

function parseError(f: () => unknown): ParseError {
  try {
    f();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('multipathd padded text tables', () => {
  it('reads the real `show paths`: keyed by header, next_check keeps its space', () => {
    const t = parseMultipathdColumns(fixture('show-paths.txt'));
    expect(t.columns).toEqual(['hcil', 'dev', 'dev_t', 'pri', 'dm_st', 'chk_st', 'dev_st', 'next_check']);
    expect(t.rows.map((r) => r.fields)).toEqual([
      {
        hcil: '0:0:0:0',
        dev: 'sda',
        dev_t: '8:0',
        pri: '50',
        dm_st: 'active',
        chk_st: 'ready',
        dev_st: 'running',
        next_check: 'XXXXXXX... 3/4',
      },
      {
        hcil: '1:0:0:0',
        dev: 'sdb',
        dev_t: '8:16',
        pri: '10',
        dm_st: 'active',
        chk_st: 'ready',
        dev_st: 'running',
        next_check: 'XXXXXXX... 3/4',
      },
    ]);
    expect(t.rows.map((r) => r.line)).toEqual([2, 3]);
  });

  it('reads the real offline `show paths` as typed paths', () => {
    expect(parseShowPaths(fixture('offline-show-paths.txt'))).toEqual([
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
    ]);
  });

  it('reads the real cli-fail `show paths`', () => {
    const p = parseShowPaths(fixture('cli-fail-show-paths.txt'));
    expect(p.map((x) => [x.dev, x.devT, x.dmState, x.checkerState, x.deviceState, x.nextCheck])).toEqual([
      ['sda', '8:0', 'active', 'ready', 'running', 'XXXXXXXXXX 2/2'],
      ['sdb', '8:16', 'active', 'ready', 'running', 'XXXXX..... 2/4'],
    ]);
  });

  it('reads the real `show maps`', () => {
    const t = parseMultipathdColumns(fixture('show-maps.txt'), 'multipathd show maps');
    expect(t.columns).toEqual(['name', 'sysfs', 'uuid']);
    expect(t.rows.map((r) => r.fields)).toEqual([
      { name: 'mpatha', sysfs: 'dm-0', uuid: '1Linux_scsi_debug_2000' },
    ]);
  });

  it.each(LAB_SCENARIOS)('reads the lab `show paths` of %s', (dir) => {
    const paths = parseShowPaths(labFixture(dir, 'show-paths.txt'));
    expect(paths.length).toBeGreaterThanOrEqual(2);
    for (const p of paths) expect(p.devT).toMatch(/^8:\d+$/);
  });

  it('reads the lab all-down `show paths`: three failed faulty offline paths', () => {
    const p = parseShowPaths(labFixture('3paths-all-down', 'show-paths.txt'));
    expect(p.map((x) => [x.dev, x.devT, x.priority, x.dmState, x.checkerState, x.deviceState])).toEqual([
      ['sdb', '8:16', 50, 'failed', 'faulty', 'offline'],
      ['sda', '8:0', 10, 'failed', 'faulty', 'offline'],
      ['sdc', '8:32', 1, 'failed', 'faulty', 'offline'],
    ]);
  });

  it('keeps values with spaces (`i/o pending`) in a hand-made padded table', () => {
    const text = [
      'hcil    dev dev_t pri dm_st  chk_st      dev_st  next_check    ',
      '0:0:0:0 sda 8:0   50  active i/o pending running XX........ 1/4',
      '2:0:0:0 sdc 8:32  -1  failed i/o timeout offline orphan        ',
      '',
    ].join('\n');
    const p = parseShowPaths(text);
    expect(p.map((x) => [x.checkerState, x.checkerText, x.priority, x.nextCheck])).toEqual([
      ['i/o pending', 'i/o pending', 50, 'XX........ 1/4'],
      ['i/o timeout', 'i/o timeout', -1, 'orphan'],
    ]);
  });

  it('empty output and a lone header mean no rows', () => {
    expect(parseMultipathdColumns('')).toEqual({ columns: [], rows: [] });
    expect(parseShowPaths('hcil dev dev_t pri dm_st chk_st dev_st next_check\n')).toEqual([]);
  });

  it('rejects garbage with the line number', () => {
    expect(parseError(() => parseMultipathdColumns('{"maps": []}')).details).toMatchObject({ line: 1 });
    const shifted = 'name   sysfs uuid\nmpatha dm-0  x\nmpathbb dm-1 y\n';
    const e = parseError(() => parseMultipathdColumns(shifted, 'show maps'));
    expect(e.details).toMatchObject({ source: 'show maps', line: 3 });
    expect(e.message).toMatch(/^show maps: line 3: /);
    expect(() =>
      parseShowPaths('hcil dev dev_t dm_st chk_st dev_st\nx    sda 8:0   huh   ready  running\n'),
    ).toThrow(ParseError);
    expect(() => parseShowPaths('name sysfs\nmpatha dm-0\n')).toThrow(ParseError);
  });

  it('random strings only ever throw ParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseShowPaths(s);
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
    );
  });

  it('random truncation of a real table never throws anything but ParseError', () => {
    const text = fixture('offline-show-paths.txt');
    fc.assert(
      fc.property(fc.nat({ max: text.length }), (n) => {
        try {
          parseShowPaths(text.slice(0, n));
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
    );
  });
});

describe('multipathd raw format output', () => {
  const PATH_COLUMNS = [
    'wwid',
    'hcil',
    'dev',
    'dev_t',
    'dm_st',
    'chk_st',
    'dev_st',
    'pri',
    'vend',
    'host_wwnn',
    'protocol',
  ];

  it('reads the lab `show paths raw format` with | as separator', () => {
    const t = parseMultipathdRaw(labFixture('3paths-all-down', 'show-paths-raw.txt'), PATH_COLUMNS, '|');
    expect(t.rows).toHaveLength(3);
    expect(t.rows[0]?.fields).toEqual({
      wwid: '1Linux_scsi_debug_2000',
      hcil: '0:0:0:0',
      dev: 'sdb',
      dev_t: '8:16',
      dm_st: 'failed',
      chk_st: 'faulty',
      dev_st: 'offline',
      pri: '50',
      vend: 'Linux,scsi_debug',
      host_wwnn: '[undef]',
      protocol: 'scsi:unspec',
    });
  });

  it('reads the lab `show maps raw format`', () => {
    const cols = [
      'name',
      'uuid',
      'sysfs',
      'paths',
      'queueing',
      'write_prot',
      'dm_st',
      'switch_grp',
      'failback',
    ];
    const t = parseMultipathdRaw(labFixture('3paths-failover', 'show-maps-raw.txt'), cols, '|');
    expect(t.rows[0]?.fields).toMatchObject({ name: 'mpatha', sysfs: 'dm-0', paths: '3', queueing: 'off' });
  });

  it('a row with the wrong field count is a ParseError naming the line', () => {
    const e = parseError(() => parseMultipathdRaw('a|b\na|b|c\n', ['x', 'y'], '|', 'raw'));
    expect(e.details).toMatchObject({ source: 'raw', line: 2 });
  });
});
