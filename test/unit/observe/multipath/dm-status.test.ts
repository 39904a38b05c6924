import fc from 'fast-check';
import { ParseError } from '../../../../agent/model/errors';
import {
  parseDmMultipathStatus,
  type DmMultipathStatus,
} from '../../../../agent/observe/multipath/dm-status';
import { parseDmsetupLines } from '../../../../agent/observe/multipath/dmsetup-lines';
import { fixture } from './fixture';
import { renderStatus } from './render';

function statusOf(file: string, name?: string): DmMultipathStatus {
  const [line] = parseDmsetupLines(fixture(file), file, name);
  if (!line) throw new Error(`${file}: no line`);
  return parseDmMultipathStatus(line.params, file);
}

/** [group flag, [devT, A/F, fail count]...] per group: the compact view of a status. */
function view(s: DmMultipathStatus): [string, ...string[]][] {
  return s.groups.map((g) => [
    g.flag,
    ...g.paths.map((p) => `${p.devT} ${p.active ? 'A' : 'F'} ${p.failCount}`),
  ]);
}

describe('dm-multipath status parser on real output', () => {
  it('healthy failover map: group 1 active, both paths usable, service-time status per path', () => {
    const s = statusOf('dmsetup-status.txt');
    expect(s).toEqual({
      info: ['0', '1'],
      queueIo: false,
      pgInitCount: 1,
      hwHandlerStatus: [],
      nextGroup: 1,
      groups: [
        {
          index: 1,
          flag: 'A',
          selectorStatus: [],
          paths: [{ devT: '8:0', active: true, failCount: 0, selectorStatus: ['0', '1'] }],
        },
        {
          index: 2,
          flag: 'E',
          selectorStatus: [],
          paths: [{ devT: '8:16', active: true, failCount: 0, selectorStatus: ['0', '1'] }],
        },
      ],
    });
  });

  it.each<[string, number, [string, ...string[]][]]>([
    // sda offline: kernel failed it, moved to group 2 (next group 2)
    [
      'offline-dmsetup-status.txt',
      2,
      [
        ['E', '8:0 F 1'],
        ['A', '8:16 A 0'],
      ],
    ],
    // after sda came back
    [
      'reinstated-dmsetup-status.txt',
      2,
      [
        ['E', '8:0 A 1'],
        ['A', '8:16 A 0'],
      ],
    ],
    // `multipathd fail path sdb`
    [
      'cli-fail-dmsetup-status.txt',
      2,
      [
        ['E', '8:0 A 1'],
        ['A', '8:16 F 1'],
      ],
    ],
    [
      'cli-reinstate-dmsetup-status.txt',
      1,
      [
        ['A', '8:0 A 1'],
        ['E', '8:16 A 1'],
      ],
    ],
    // right after switchgroup: no group is A yet, only the next-group field says 2
    [
      'switchgroup-dmsetup-status.txt',
      2,
      [
        ['E', '8:0 A 1'],
        ['E', '8:16 A 1'],
      ],
    ],
    ['multibus-dmsetup-status.txt', 1, [['A', '8:0 A 0', '8:16 A 0']]],
    [
      'allup-dmsetup-status.txt',
      3,
      [
        ['E', '8:0 A 1'],
        ['E', '8:16 A 1'],
        ['A', '8:32 A 1'],
      ],
    ],
  ])('%s: next group %d, groups %j', (file, next, groups) => {
    const name = file.startsWith('switchgroup') ? 'mpatha' : undefined; // captured as `dmsetup status mpatha`
    const s = statusOf(file, name);
    expect(s.nextGroup).toBe(next);
    expect(view(s)).toEqual(groups);
  });

  it('reads queue_io and a hardware handler status when a kernel prints them', () => {
    const s = parseDmMultipathStatus('2 1 0 1 0 1 1 D 0 1 0 8:0 F 3', 't');
    expect(s).toMatchObject({ queueIo: true, pgInitCount: 0, hwHandlerStatus: ['0'] });
    expect(s.groups[0]).toMatchObject({ flag: 'D', paths: [{ devT: '8:0', active: false, failCount: 3 }] });
  });

  it('leaves queueIo unset for an info block it does not know', () => {
    const s = parseDmMultipathStatus('1 x 0 0 0', 't');
    expect(s.info).toEqual(['x']);
    expect(s.queueIo).toBeUndefined();
  });

  it.each([
    ['2 0 1 0 1 1 X 0 1 2 8:0 A 0 0 1', 'state of group 1 (A|E|D)'],
    ['2 0 1 0 1 1 A 0 1 2 8:0 Q 0 0 1', 'state of 8:0 (A|F)'],
    ['2 0 1 0 1 1 A 0 1 2 8:0 A -1 0 1', 'fail count of 8:0'],
    ['2 0 1 0 1 0 A 0 1 2 8:0 A 0 0 1', 'next path group 0 is not within 1..1'],
    ['2 0 1 0 1 1 A 0 2 2 8:0 A 0 0 1', 'device of path 2 in group 1'],
  ])('rejects %j (%s)', (params, expected) => {
    expect(() => parseDmMultipathStatus(params, 's')).toThrow(ParseError);
    expect(() => parseDmMultipathStatus(params, 's')).toThrow(expected);
  });
});

const devT = fc
  .tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 1048575 }))
  .map(([a, b]) => `${a}:${b}`);
const num = fc.nat({ max: 1_000_000 }).map(String);

const statusArb: fc.Arbitrary<DmMultipathStatus> = fc
  .record({
    queueIo: fc.boolean(),
    pgInit: fc.nat({ max: 1000 }),
    groups: fc.array(
      fc.record({
        flag: fc.constantFrom('A' as const, 'E' as const, 'D' as const),
        selectorStatus: fc.array(num, { maxLength: 2 }),
        perPath: fc.integer({ min: 0, max: 3 }),
        paths: fc.array(
          fc.record({
            devT,
            active: fc.boolean(),
            failCount: fc.nat({ max: 99999 }),
            st: fc.array(num, { minLength: 3, maxLength: 3 }),
          }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
      }),
      { maxLength: 4 },
    ),
    next: fc.nat(),
  })
  .map((r) => ({
    info: [r.queueIo ? '1' : '0', String(r.pgInit)],
    queueIo: r.queueIo,
    pgInitCount: r.pgInit,
    hwHandlerStatus: [],
    nextGroup: r.groups.length === 0 ? 0 : (r.next % r.groups.length) + 1,
    groups: r.groups.map((g, i) => ({
      index: i + 1,
      flag: g.flag,
      selectorStatus: g.selectorStatus,
      paths: g.paths.map((p) => ({
        devT: p.devT,
        active: p.active,
        failCount: p.failCount,
        selectorStatus: p.st.slice(0, g.perPath),
      })),
    })),
  }));

describe('dm-multipath status parser, properties', () => {
  it('parse(render(status)) gives the status back', () => {
    fc.assert(fc.property(statusArb, (s) => expect(parseDmMultipathStatus(renderStatus(s), 'p')).toEqual(s)));
  });

  it('any text either parses or throws ParseError, nothing else', () => {
    const tokens = fc.constantFrom('0', '1', '2', '8:0', 'A', 'E', 'D', 'F', '-3', 'x');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(tokens, { maxLength: 30 }).map((a) => a.join(' ')),
        ),
        (s) => {
          try {
            parseDmMultipathStatus(s, 'fuzz');
          } catch (e) {
            expect(e).toBeInstanceOf(ParseError);
          }
        },
      ),
    );
  });
});
