import fc from 'fast-check';
import { ParseError } from '../../../../agent/model/errors';
import { parseMultipathdJson } from '../../../../agent/observe/multipath/multipathd-json';
import { parseTopologyText } from '../../../../agent/observe/multipath/topology-text';
import { fixture } from './fixture';
import { labFixture, LAB_SCENARIOS } from './lab-fixture';

const HEALTHY_GROUPS = [
  {
    index: 1,
    selector: 'service-time 0',
    priority: 50,
    state: 'active',
    paths: [
      {
        hcil: '0:0:0:0',
        dev: 'sda',
        devT: '8:0',
        dmState: 'active',
        checkerState: 'ready',
        checkerText: 'ready',
        deviceState: 'running',
      },
    ],
  },
  {
    index: 2,
    selector: 'service-time 0',
    priority: 10,
    state: 'enabled',
    paths: [
      {
        hcil: '1:0:0:0',
        dev: 'sdb',
        devT: '8:16',
        dmState: 'active',
        checkerState: 'ready',
        checkerText: 'ready',
        deviceState: 'running',
      },
    ],
  },
];

describe('multipath -ll / show topology text', () => {
  it('reads the real healthy `multipath -ll`', () => {
    expect(parseTopologyText(fixture('multipath-ll.txt'))).toEqual([
      {
        name: 'mpatha',
        wwid: '1Linux_scsi_debug_2000',
        dm: 'dm-0',
        vendor: 'Linux',
        product: 'scsi_debug',
        size: '64M',
        features: '0',
        hwHandler: '1 alua',
        writeProt: 'rw',
        groups: HEALTHY_GROUPS,
      },
    ]);
  });

  it('reads the real `show topology` with its `create:` action word', () => {
    const [m] = parseTopologyText(fixture('show-topology.txt'), 'multipathd show topology');
    expect(m).toMatchObject({ action: 'create', name: 'mpatha', wwid: '1Linux_scsi_debug_2000', dm: 'dm-0' });
    expect(m?.groups).toEqual(HEALTHY_GROUPS);
  });

  it('reads the real offline `multipath -ll`: group 1 enabled prio 0 with sda failed faulty offline', () => {
    const [m] = parseTopologyText(fixture('offline-multipath-ll.txt'));
    expect(m?.groups.map((g) => [g.index, g.state, g.priority])).toEqual([
      [1, 'enabled', 0],
      [2, 'active', 10],
    ]);
    expect(m?.groups[0]?.paths).toEqual([
      {
        hcil: '0:0:0:0',
        dev: 'sda',
        devT: '8:0',
        dmState: 'failed',
        checkerState: 'faulty',
        checkerText: 'faulty',
        deviceState: 'offline',
      },
    ]);
    expect(m?.groups[1]?.paths.map((p) => [p.dev, p.devT, p.dmState, p.checkerState, p.deviceState])).toEqual(
      [['sdb', '8:16', 'active', 'ready', 'running']],
    );
  });

  it('reads the real multibus `multipath -ll`: one group, two paths', () => {
    const [m] = parseTopologyText(fixture('multibus-multipath-ll.txt'));
    expect(m?.groups).toHaveLength(1);
    expect(m?.groups[0]).toMatchObject({
      index: 1,
      state: 'active',
      priority: 30,
      selector: 'service-time 0',
    });
    expect(m?.groups[0]?.paths.map((p) => [p.dev, p.devT])).toEqual([
      ['sda', '8:0'],
      ['sdb', '8:16'],
    ]);
  });

  it('reads the real switchgroup `multipath -ll`: both groups enabled', () => {
    const [m] = parseTopologyText(fixture('switchgroup-multipath-ll.txt'));
    expect(m?.groups.map((g) => [g.state, g.priority, g.paths.map((p) => p.dev)])).toEqual([
      ['enabled', 50, ['sda']],
      ['enabled', 10, ['sdb']],
    ]);
  });

  it.each(LAB_SCENARIOS)('lab %s: multipath -ll and show topology agree', (dir) => {
    const ll = parseTopologyText(labFixture(dir, 'multipath-ll.txt'));
    const topo = parseTopologyText(labFixture(dir, 'show-topology.txt'));
    expect(ll.length).toBeGreaterThanOrEqual(1);
    expect(topo.map((m) => m.groups)).toEqual(ll.map((m) => m.groups));
  });

  it('lab 3paths-all-down: three groups, every path failed faulty offline, queueing features kept', () => {
    const [m] = parseTopologyText(labFixture('3paths-all-down', 'multipath-ll.txt'));
    expect(
      m?.groups.map((g) => [
        g.state,
        g.priority,
        g.paths.map((p) => `${p.dev} ${p.dmState} ${p.checkerState} ${p.deviceState}`),
      ]),
    ).toEqual([
      ['active', 0, ['sdb failed faulty offline']],
      ['enabled', 0, ['sda failed faulty offline']],
      ['enabled', 0, ['sdc failed faulty offline']],
    ]);
    const [q] = parseTopologyText(labFixture('queueing-on-all-down', 'multipath-ll.txt'));
    expect(q?.features).toBe('1 queue_if_no_path');
  });

  it('tolerates other action words, a missing WWID, no vendor, spaces in product and `i/o pending`', () => {
    const text = [
      'reload: mpathb (3600a0980) dm-1 NETAPP,LUN C-Mode',
      "size=10G features='1 queue_if_no_path' hwhandler='0' wp=rw",
      "`-+- policy='round-robin 0' prio=-1 status=undef",
      '  |- 2:0:0:1 sdc 8:32 active i/o pending running',
      '  `- #:#:#:# -   #:#  failed faulty      unknown',
      'switchpg: 3600a0981 dm-2',
      "size=1G features='0' hwhandler='0' wp=ro",
      "`-+- policy='service-time 0' prio=1 status=disabled",
      '  `- 3:0:0:1 sdd 8:48 active ready running',
    ].join('\n');
    const [b, c] = parseTopologyText(text);
    expect(b).toMatchObject({
      action: 'reload',
      name: 'mpathb',
      wwid: '3600a0980',
      vendor: 'NETAPP',
      product: 'LUN C-Mode',
    });
    expect(b?.groups[0]?.paths[0]).toMatchObject({ checkerState: 'i/o pending', deviceState: 'running' });
    expect(b?.groups[0]?.paths[1]).toEqual({
      hcil: '#:#:#:#',
      dev: '-',
      dmState: 'failed',
      checkerState: 'faulty',
      checkerText: 'faulty',
      deviceState: 'unknown',
    });
    expect(c).toMatchObject({
      action: 'switchpg',
      name: '3600a0981',
      wwid: '3600a0981',
      dm: 'dm-2',
      writeProt: 'ro',
    });
    expect(c?.vendor).toBeUndefined();
    expect(c?.groups[0]?.state).toBe('disabled');
  });

  it('reads the trailing `marginal` word of path groups and paths', () => {
    const text = [
      'mpathc (36001) dm-3 NVME,Disk',
      "size=1G features='0' hwhandler='0' wp=rw",
      "|-+- policy='service-time 0' prio=50 status=active",
      '| `- 0:0:0:1 sde 8:64 active ready running',
      "`-+- policy='service-time 0' prio=10 status=enabled marginal",
      '  `- 1:0:0:1 sdf 8:80 active ready running marginal',
    ].join('\n');
    const [m] = parseTopologyText(text);
    expect(m?.groups[0]?.marginal).toBeUndefined();
    expect(m?.groups[0]?.paths[0]?.marginal).toBeUndefined();
    expect(m?.groups[1]).toMatchObject({ state: 'enabled', marginal: true });
    expect(m?.groups[1]?.paths[0]).toMatchObject({ dev: 'sdf', deviceState: 'running', marginal: true });
  });

  it('rejects garbage with the line number', () => {
    const bad = fixture('multipath-ll.txt').replace('status=enabled', 'status=sleepy');
    expect(() => parseTopologyText(bad)).toThrow(ParseError);
    let caught: unknown;
    try {
      parseTopologyText('mpatha (x) dm-0 A,B\nhello world\n', 'mp');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as ParseError).details).toEqual({ source: 'mp', line: 2 });
    expect((caught as ParseError).message).toMatch(/^mp: line 2: /);
    expect(() => parseTopologyText('| `- 0:0:0:0 sda 8:0 active ready running\n')).toThrow(ParseError);
    expect(() => parseTopologyText('{"maps": []}')).toThrow(ParseError);
  });

  it('random strings only ever throw ParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseTopologyText(s);
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
    );
  });

  it('random truncation of a real tree never throws anything but ParseError', () => {
    const text = labFixture('3paths-failover', 'show-topology.txt');
    fc.assert(
      fc.property(fc.nat({ max: text.length }), (n) => {
        try {
          parseTopologyText(text.slice(0, n));
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
    );
  });
});

describe('text parsers agree with multipathd JSON on the lab captures', () => {
  it.each(LAB_SCENARIOS)('%s: show topology vs show maps json', (dir) => {
    const json = parseMultipathdJson(labFixture(dir, 'maps.json'));
    const topo = parseTopologyText(labFixture(dir, 'show-topology.txt'));
    const shape = (maps: readonly { name: string; wwid: string; groups: readonly unknown[] }[]) =>
      maps.map((m) => m.name);
    expect(shape(topo)).toEqual(shape(json.maps));
    topo.forEach((m, i) => {
      const j = json.maps[i];
      expect(m.wwid).toBe(j?.wwid);
      expect(m.dm).toBe(j?.sysfs);
      expect(
        m.groups.map((g) => [g.index, g.selector, g.state, g.paths.map((p) => [p.dev, p.devT, p.dmState])]),
      ).toEqual(
        j?.groups.map((g) => [g.index, g.selector, g.state, g.paths.map((p) => [p.dev, p.devT, p.dmState])]),
      );
    });
  });
});
