import { ParseError } from '../../../../agent/model/errors';
import {
  parseMultipathdRaw,
  parseShowMaps,
  parseShowPaths,
  showMapsOf,
  showPathsOf,
} from '../../../../agent/observe/multipath';
import { fixture } from './fixture';
import { labFixture, LAB_SCENARIOS } from './lab-fixture';

const MAP_RAW_COLUMNS = [
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
const PATH_RAW_COLUMNS = [
  'uuid',
  'hcil',
  'dev',
  'dev_t',
  'dm_st',
  'chk_st',
  'dev_st',
  'pri',
  'vend',
  'host_adapter',
  'protocol',
];

describe('multipathd show maps', () => {
  it('reads the real padded `show maps`: name, wwid, dm and every column', () => {
    expect(parseShowMaps(fixture('show-maps.txt'))).toEqual([
      {
        name: 'mpatha',
        wwid: '1Linux_scsi_debug_2000',
        dm: 'dm-0',
        fields: { name: 'mpatha', sysfs: 'dm-0', uuid: '1Linux_scsi_debug_2000' },
      },
    ]);
  });

  it('reads the lab `show maps raw format` (3paths-failover)', () => {
    const maps = showMapsOf(
      parseMultipathdRaw(labFixture('3paths-failover', 'show-maps-raw.txt'), MAP_RAW_COLUMNS, '|'),
    );
    expect(maps).toEqual([
      {
        name: 'mpatha',
        wwid: '1Linux_scsi_debug_2000',
        dm: 'dm-0',
        fields: {
          name: 'mpatha',
          uuid: '1Linux_scsi_debug_2000',
          sysfs: 'dm-0',
          paths: '3',
          queueing: 'off',
          write_prot: 'rw',
          dm_st: 'active',
          switch_grp: '0',
          failback: '--',
        },
      },
    ]);
  });

  it('leaves out dm for `undef` and wwid when there is no uuid column', () => {
    const maps = parseShowMaps('name   sysfs\nmpathb undef\n');
    expect(maps).toEqual([{ name: 'mpathb', fields: { name: 'mpathb', sysfs: 'undef' } }]);
  });

  it('a table without a name column is a ParseError; an empty one has no maps', () => {
    expect(() => parseShowMaps('sysfs uuid\ndm-0  x\n')).toThrow(ParseError);
    expect(() => parseShowMaps('sysfs uuid\ndm-0  x\n')).toThrow('no name column');
    expect(parseShowMaps('')).toEqual([]);
    expect(parseShowMaps('name sysfs uuid\n')).toEqual([]);
  });

  it.each(LAB_SCENARIOS)('`show paths raw format` of %s reads like its padded `show paths`', (dir) => {
    const raw = showPathsOf(parseMultipathdRaw(labFixture(dir, 'show-paths-raw.txt'), PATH_RAW_COLUMNS, '|'));
    const padded = parseShowPaths(labFixture(dir, 'show-paths.txt')).map(({ nextCheck: _n, ...p }) => p);
    expect(raw).toEqual(padded);
  });

  it('`show paths raw format` of 3paths-failover, typed', () => {
    const raw = showPathsOf(
      parseMultipathdRaw(labFixture('3paths-failover', 'show-paths-raw.txt'), PATH_RAW_COLUMNS, '|'),
    );
    expect(
      raw.map((p) => [p.hcil, p.dev, p.devT, p.priority, p.dmState, p.checkerState, p.deviceState]),
    ).toEqual([
      ['0:0:0:0', 'sdb', '8:16', 50, 'active', 'ready', 'running'],
      ['1:0:0:0', 'sda', '8:0', 10, 'active', 'ready', 'running'],
      ['2:0:0:0', 'sdc', '8:32', 1, 'active', 'ready', 'running'],
    ]);
  });
});
