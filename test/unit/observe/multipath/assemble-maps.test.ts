import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  assembleMultipathMaps,
  finishMultipathMaps,
  noPathRetryOf,
  type DmDeviceFacts,
  type MultipathSources,
} from '../../../../agent/observe/multipath/assemble-maps';
import { parseDmsetupLines } from '../../../../agent/observe/multipath/dmsetup-lines';
import { parseMultipathdJson } from '../../../../agent/observe/multipath/multipathd-json';
import { prepareMultipathMaps } from '../../../../agent/observe/multipath/prepare-maps';
import type { MultipathMap } from '../../../../agent/model/snapshot';
import { fixture } from './fixture';

const WWID = '1Linux_scsi_debug_2000';
const LAB = path.join(__dirname, '../../../fixtures/lab');
const MPATHA: DmDeviceFacts = {
  name: 'mpatha',
  dm: 'dm-0',
  devT: '253:0',
  uuid: `mpath-${WWID}`,
  holders: [],
  suspended: false,
};
const PATH_NAMES = new Map([
  ['8:0', 'sda'],
  ['8:16', 'sdb'],
]);

function sources(
  table: string,
  status: string,
  json: string | undefined,
  more: Partial<MultipathSources> = {},
): MultipathSources {
  const bare = status.startsWith('switchgroup') ? 'mpatha' : undefined;
  return {
    tableLines: parseDmsetupLines(fixture(table), 'dmsetup table'),
    statusLines: parseDmsetupLines(fixture(status), 'dmsetup status', bare),
    ...(json ? { multipathd: parseMultipathdJson(fixture(json)) } : {}),
    devices: new Map([['mpatha', MPATHA]]),
    pathNames: PATH_NAMES,
    ...more,
  };
}

function only(src: MultipathSources): MultipathMap {
  const { maps, diagnostics } = assembleMultipathMaps(src);
  expect(diagnostics).toEqual([]);
  expect(maps).toHaveLength(1);
  return maps[0] as MultipathMap;
}

describe('assembling maps from real dmsetup + multipathd output', () => {
  it('healthy failover map: the full record', () => {
    expect(only(sources('dmsetup-table.txt', 'dmsetup-status.txt', 'maps.json'))).toEqual({
      name: 'mpatha',
      wwid: WWID,
      dm: 'dm-0',
      devT: '253:0',
      sizeSectors: 131072,
      features: [],
      queueIfNoPath: false,
      queueMode: 'rq',
      hwHandler: 'alua',
      groups: [
        {
          index: 1,
          state: 'active',
          selector: 'service-time',
          selectorArgs: [],
          priority: 50,
          paths: [
            {
              dev: 'sda',
              devT: '8:0',
              dmState: 'active',
              failCount: 0,
              checkerState: 'ready',
              deviceState: 'running',
              priority: 50,
              marginal: false,
              selectorArgs: ['1', '1'],
              selectorStatus: ['0', '1'],
            },
          ],
        },
        {
          index: 2,
          state: 'enabled',
          selector: 'service-time',
          selectorArgs: [],
          priority: 10,
          paths: [
            {
              dev: 'sdb',
              devT: '8:16',
              dmState: 'active',
              failCount: 0,
              checkerState: 'ready',
              deviceState: 'running',
              priority: 10,
              marginal: false,
              selectorArgs: ['1', '1'],
              selectorStatus: ['0', '1'],
            },
          ],
        },
      ],
      activeGroup: 1,
      nextGroup: 1,
      failback: '-',
      noPathRetry: 'fail',
      vendor: 'Linux',
      product: 'scsi_debug',
      owner: 'multipathd',
      holders: [],
      suspended: false,
    });
  });

  it('sda offline: kernel failed it, group 2 active, checker faulty', () => {
    const m = only(sources('dmsetup-table.txt', 'offline-dmsetup-status.txt', 'offline-maps.json'));
    expect(m.activeGroup).toBe(2);
    expect(m.groups.map((g) => g.state)).toEqual(['enabled', 'active']);
    expect(m.groups[0]?.paths[0]).toMatchObject({
      dev: 'sda',
      dmState: 'failed',
      failCount: 1,
      checkerState: 'faulty',
    });
    expect(m.groups[0]?.priority).toBe(0); // multipathd's group priority with its only path down
  });

  it('the kernel is the truth for path state when multipathd lags (cli-fail)', () => {
    const m = only(sources('dmsetup-table.txt', 'cli-fail-dmsetup-status.txt', 'maps.json'));
    expect(m.groups[1]?.paths[0]).toMatchObject({ dev: 'sdb', dmState: 'failed', checkerState: 'ready' });
  });

  it('right after switchgroup: no active group yet, next group 2', () => {
    const m = only(sources('dmsetup-table.txt', 'switchgroup-dmsetup-status.txt', 'switchgroup-maps.json'));
    expect(m.activeGroup).toBeUndefined();
    expect(m.nextGroup).toBe(2);
    expect(m.groups.map((g) => g.state)).toEqual(['enabled', 'enabled']);
  });

  it('multibus: one group with both paths', () => {
    const m = only(
      sources('multibus-dmsetup-table.txt', 'multibus-dmsetup-status.txt', 'multibus-maps.json'),
    );
    expect(m.groups).toHaveLength(1);
    expect(m.groups[0]?.paths.map((p) => [p.dev, p.priority])).toEqual([
      ['sda', 50],
      ['sdb', 10],
    ]);
    expect(m.groups[0]?.priority).toBe(30);
  });

  it('multipathd down: the map is built from the kernel and sysfs alone', () => {
    const m = only(sources('dmsetup-table.txt', 'dmsetup-status.txt', undefined));
    expect(m.wwid).toBe(WWID);
    expect(m.owner).toBe('multipathd');
    expect(m.failback).toBeUndefined();
    expect(m.groups.map((g) => g.priority)).toEqual([undefined, undefined]);
    expect(m.groups[0]?.paths[0]).toEqual({
      dev: 'sda',
      devT: '8:0',
      dmState: 'active',
      failCount: 0,
      selectorArgs: ['1', '1'],
      selectorStatus: ['0', '1'],
    });
  });

  it('group priority is not borrowed from a multipathd group that holds other paths', () => {
    // multipathd's JSON still shows the failover layout while the kernel already has multibus.
    const m = only(sources('multibus-dmsetup-table.txt', 'multibus-dmsetup-status.txt', 'maps.json'));
    expect(m.groups[0]?.priority).toBeUndefined();
    expect(m.groups[0]?.paths.map((p) => p.checkerState)).toEqual(['ready', 'ready']);
  });

  it('output is plain JSON data (no undefined members, survives a round trip)', () => {
    const { maps } = assembleMultipathMaps(
      sources('dmsetup-table.txt', 'offline-dmsetup-status.txt', 'offline-maps.json'),
    );
    expect(JSON.parse(JSON.stringify(maps))).toEqual(maps);
  });
});

describe('per-VM maps', () => {
  const vmTable =
    'mpatha-vm101: 0 131072 multipath 2 queue_mode bio 0 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:0 1 1';
  const vmStatus = 'mpatha-vm101: 0 131072 multipath 2 0 0 0 2 1 A 0 1 2 8:16 A 0 0 1 E 0 1 2 8:0 F 2 0 1';
  const VM_MAP: DmDeviceFacts = {
    name: 'mpatha-vm101',
    dm: 'dm-3',
    devT: '253:3',
    uuid: `vmpath-101-${WWID}`,
    holders: ['dm-4'],
  };

  function withVmMap(json: string | undefined): MultipathSources {
    const base = sources('dmsetup-table.txt', 'dmsetup-status.txt', json);
    return {
      ...base,
      tableLines: [...base.tableLines, ...parseDmsetupLines(vmTable, 't')],
      statusLines: [...base.statusLines, ...parseDmsetupLines(vmStatus, 's')],
      devices: new Map([
        ['mpatha', MPATHA],
        ['mpatha-vm101', VM_MAP],
      ]),
    };
  }

  it('are owned by vmpath, name their VM and base map, and borrow path facts from multipathd', () => {
    const { maps, diagnostics } = assembleMultipathMaps(withVmMap('maps.json'));
    expect(diagnostics).toEqual([]);
    expect(maps.map((m) => m.name)).toEqual(['mpatha', 'mpatha-vm101']);
    const vm = maps[1] as MultipathMap;
    expect(vm).toMatchObject({
      owner: 'vmpath',
      perVm: { vmId: '101', baseMap: 'mpatha' },
      wwid: WWID,
      queueMode: 'bio',
      hwHandler: '',
      holders: ['dm-4'],
      activeGroup: 1,
    });
    expect(vm.failback).toBeUndefined();
    expect(vm.vendor).toBeUndefined();
    expect(vm.groups.map((g) => g.paths.map((p) => [p.dev, p.dmState, p.checkerState]))).toEqual([
      [['sdb', 'active', 'ready']],
      [['sda', 'failed', 'ready']],
    ]);
    expect(vm.groups.map((g) => g.priority)).toEqual([undefined, undefined]);
  });

  it('find their base map by the mpath- uuid when multipathd is down', () => {
    const vm = assembleMultipathMaps(withVmMap(undefined)).maps[1];
    expect(vm?.perVm).toEqual({ vmId: '101', baseMap: 'mpatha' });
  });

  it('without a base map: kept, with a warning', () => {
    const src = withVmMap(undefined);
    const { maps, diagnostics } = assembleMultipathMaps({
      ...src,
      tableLines: src.tableLines.filter((l) => l.name !== 'mpatha'),
      statusLines: src.statusLines.filter((l) => l.name !== 'mpatha'),
      devices: new Map([['mpatha-vm101', VM_MAP]]),
    });
    expect(maps.map((m) => [m.name, m.perVm])).toEqual([['mpatha-vm101', { vmId: '101', baseMap: '' }]]);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        level: 'warn',
        subject: 'map mpatha-vm101',
        message: expect.stringContaining('no multipathd map'),
      }),
    ]);
  });
});

describe('maps that cannot be understood are left out with a diagnostic', () => {
  const twoMaps = (statusB: string): MultipathSources => ({
    tableLines: parseDmsetupLines(
      `${fixture('dmsetup-table.txt')}mpathb: 0 2048 multipath 0 0 1 1 round-robin 0 1 1 8:32 1000\nvg-lv: 0 8 linear 253:0 0\n`,
      't',
    ),
    statusLines: parseDmsetupLines(`${fixture('dmsetup-status.txt')}${statusB}\nvg-lv: 0 8 linear \n`, 's'),
    devices: new Map([
      ['mpatha', MPATHA],
      ['mpathb', { name: 'mpathb', dm: 'dm-1', devT: '253:1', uuid: 'mpath-b', holders: [] }],
    ]),
    pathNames: new Map([...PATH_NAMES, ['8:32', 'sdc']]),
  });

  it('a reload between the table and status reads (retryable, info)', () => {
    const { maps, diagnostics } = assembleMultipathMaps(
      twoMaps('mpathb: 0 2048 multipath 2 0 0 0 1 1 A 0 2 0 8:32 A 0 8:48 A 0'),
    );
    expect(maps.map((m) => m.name)).toEqual(['mpatha']);
    expect(diagnostics).toEqual([
      {
        level: 'info',
        code: 'VMPATH_E_DM_STATE_CHANGED',
        subject: 'map mpathb',
        message: expect.stringContaining('table and status disagree'),
      },
    ]);
  });

  it('a status line that does not parse (terminal, warn), other maps still come through', () => {
    const { maps, diagnostics } = assembleMultipathMaps(
      twoMaps('mpathb: 0 2048 multipath 2 0 0 0 1 1 Z 0 1 0 8:32 A 0'),
    );
    expect(maps.map((m) => m.name)).toEqual(['mpatha']);
    expect(diagnostics).toEqual([
      expect.objectContaining({ level: 'warn', code: 'VMPATH_E_PARSE', subject: 'map mpathb' }),
    ]);
  });

  it('a map with no status line, one missing from sysfs, and a status with no table', () => {
    const src = twoMaps('mpathc: 0 8 multipath 2 0 0 0 0 0');
    const { maps, diagnostics } = assembleMultipathMaps({ ...src, devices: new Map() });
    expect(maps).toEqual([]);
    expect(diagnostics.map((d) => [d.subject, d.code])).toEqual([
      ['map mpatha', 'VMPATH_E_DM_STATE_CHANGED'],
      ['map mpathb', 'VMPATH_E_DM_STATE_CHANGED'],
      ['map mpathc', 'VMPATH_E_DM_STATE_CHANGED'],
    ]);
    expect(diagnostics[0]?.message).toContain('not in sysfs');
    expect(diagnostics[1]?.message).toContain('no dmsetup status line');
  });

  it('prepared before sysfs is in, finished after: the same maps and diagnostics, whatever sysfs says', () => {
    const src = twoMaps('mpathb: 0 2048 multipath 2 0 0 0 1 1 Z 0 1 0 8:32 A 0');
    const prepared = prepareMultipathMaps(src);
    expect(prepared.byName.map(([name, p]) => [name, 'error' in p])).toEqual([
      ['mpatha', false],
      ['mpathb', true],
    ]);
    expect(finishMultipathMaps(prepared, src)).toEqual(assembleMultipathMaps(src));
    // The prepared half is reusable: finishing it against other sysfs facts reads nothing again.
    const noSysfs = finishMultipathMaps(prepared, { devices: new Map() });
    expect(noSysfs.maps).toEqual([]);
    expect(noSysfs.diagnostics.map((d) => [d.subject, d.code])).toEqual([
      ['map mpatha', 'VMPATH_E_DM_STATE_CHANGED'],
      ['map mpathb', 'VMPATH_E_PARSE'],
    ]);
  });

  it('a multipath map with several segments', () => {
    const src = twoMaps('mpathb: 0 2048 multipath 2 0 0 0 1 1 A 0 1 0 8:32 A 0');
    const { maps, diagnostics } = assembleMultipathMaps({
      ...src,
      tableLines: [...src.tableLines, ...parseDmsetupLines('mpathb: 2048 8 multipath 0 0 0 0', 't')],
    });
    expect(maps.map((m) => m.name)).toEqual(['mpatha']);
    expect(diagnostics[0]).toMatchObject({
      code: 'VMPATH_E_PARSE',
      message: expect.stringContaining('several segments'),
    });
  });

  it('a path no source can name keeps its MAJ:MIN as name, with a warning', () => {
    const { maps, diagnostics } = assembleMultipathMaps({
      ...sources('dmsetup-table.txt', 'dmsetup-status.txt', undefined),
      pathNames: new Map([['8:0', 'sda']]),
    });
    expect(maps[0]?.groups[1]?.paths[0]?.dev).toBe('8:16');
    expect(diagnostics).toEqual([
      { level: 'warn', subject: 'map mpatha', message: 'no device name known for path 8:16; using MAJ:MIN' },
    ]);
  });
});

describe('a per-VM map captured live in the lab', () => {
  const VM_MAP: DmDeviceFacts = {
    name: 'mpatha-vm101',
    dm: 'dm-1',
    devT: '253:1',
    uuid: `vmpath-101-${WWID}`,
    holders: [],
  };

  it('reads the kernel-added retain_attached_hw_handler and the reversed group order', () => {
    const { maps, diagnostics } = assembleMultipathMaps({
      tableLines: parseDmsetupLines(fixture('lab-observe/vm-map-dmsetup-table.txt'), 'dmsetup table'),
      statusLines: parseDmsetupLines(fixture('lab-observe/vm-map-dmsetup-status.txt'), 'dmsetup status'),
      multipathd: parseMultipathdJson(fixture('maps.json')),
      devices: new Map([
        ['mpatha', MPATHA],
        ['mpatha-vm101', VM_MAP],
      ]),
    });
    expect(diagnostics).toEqual([]);
    const vm = maps.find((m) => m.name === 'mpatha-vm101');
    expect(vm).toMatchObject({
      owner: 'vmpath',
      perVm: { vmId: '101', baseMap: 'mpatha' },
      features: ['queue_if_no_path', 'retain_attached_hw_handler', 'queue_mode', 'bio'],
      queueIfNoPath: true,
      queueMode: 'bio',
      hwHandler: '',
      activeGroup: 1,
      nextGroup: 1,
    });
    expect(vm?.groups.map((g) => g.paths.map((p) => p.dev))).toEqual([['sdb'], ['sda']]);
    expect(maps.find((m) => m.name === 'mpatha')?.groups[0]?.paths[0]?.failCount).toBe(1);
  });
});

describe("multipathd's no_path_retry from its `queueing` column", () => {
  it.each([
    ['on', 'queue'],
    ['off', 'fail'],
    ['-', 'unset'],
    ['5 chk', 'retry'],
    ['12 sec', 'retry'],
    ['what', undefined],
  ])('%s → %s', (text, want) => {
    expect(noPathRetryOf(text)).toBe(want);
  });

  it.each([
    ['queueing-on', 'queue'],
    ['queueing-on-all-down', 'queue'],
    ['3paths-all-down', 'fail'],
  ])('lab capture %s: every map %s', (dir, want) => {
    const json = parseMultipathdJson(readFileSync(path.join(LAB, dir, 'maps.json'), 'utf8'));
    expect(json.maps.length).toBeGreaterThan(0);
    for (const m of json.maps) expect(noPathRetryOf(m.queueing)).toBe(want);
  });
});
