import fc from 'fast-check';
import { ParseError } from '../../../../agent/model/errors';
import { parseDmMultipathTable, type DmMultipathTable } from '../../../../agent/observe/multipath/dm-table';
import { parseDmsetupLines } from '../../../../agent/observe/multipath/dmsetup-lines';
import { fixture } from './fixture';
import { tableArb } from './arbitraries';
import { renderTable } from './render';

function tableOf(file: string): DmMultipathTable {
  const [line] = parseDmsetupLines(fixture(file), file);
  if (!line) throw new Error(`${file}: no line`);
  return parseDmMultipathTable(line.params, file);
}

describe('dm-multipath table parser', () => {
  it('reads the real failover table: two groups of one path, alua, no features', () => {
    expect(tableOf('dmsetup-table.txt')).toEqual({
      features: [],
      queueIfNoPath: false,
      queueMode: 'rq',
      retainAttachedHwHandler: false,
      hwHandler: 'alua',
      hwHandlerArgs: [],
      firstGroup: 1,
      groups: [
        {
          index: 1,
          selector: 'service-time',
          selectorArgs: [],
          paths: [{ devT: '8:0', selectorArgs: ['1', '1'] }],
        },
        {
          index: 2,
          selector: 'service-time',
          selectorArgs: [],
          paths: [{ devT: '8:16', selectorArgs: ['1', '1'] }],
        },
      ],
    });
  });

  it('reads the real multibus table: one group, two paths', () => {
    const t = tableOf('multibus-dmsetup-table.txt');
    expect(t.groups).toHaveLength(1);
    expect(t.groups[0]?.paths.map((p) => p.devT)).toEqual(['8:0', '8:16']);
  });

  it('interprets queueing, queue_mode and pg_init features, keeping every word', () => {
    const features =
      'queue_if_no_path pg_init_retries 50 pg_init_delay_msecs 2000 retain_attached_hw_handler queue_mode bio';
    const t = parseDmMultipathTable(`8 ${features} 0 1 1 round-robin 0 2 1 8:0 1000 8:16 1000`, 'test');
    expect(t.features).toEqual(features.split(' '));
    expect(t).toMatchObject({
      queueIfNoPath: true,
      queueMode: 'bio',
      pgInitRetries: 50,
      pgInitDelayMsecs: 2000,
      retainAttachedHwHandler: true,
      hwHandler: '',
      firstGroup: 1,
    });
    expect(t.groups[0]?.paths).toEqual([
      { devT: '8:0', selectorArgs: ['1000'] },
      { devT: '8:16', selectorArgs: ['1000'] },
    ]);
  });

  it('keeps hardware handler args and selector args, and starts at the group the table names', () => {
    const t = parseDmMultipathTable(
      '1 queue_if_no_path 2 emc 1 2 2 round-robin 1 x 1 1 8:0 1 queue-length 0 1 1 8:16 1',
      't',
    );
    expect(t.hwHandler).toBe('emc');
    expect(t.hwHandlerArgs).toEqual(['1']);
    expect(t.firstGroup).toBe(2);
    expect(t.groups.map((g) => [g.selector, g.selectorArgs])).toEqual([
      ['round-robin', ['x']],
      ['queue-length', []],
    ]);
  });

  it('accepts queue_mode mq and an empty map', () => {
    expect(parseDmMultipathTable('2 queue_mode mq 0 1 1 service-time 0 1 2 8:0 1 1', 't').queueMode).toBe(
      'mq',
    );
    expect(parseDmMultipathTable('0 0 0 0', 't').groups).toEqual([]);
  });

  it.each([
    ['', 'feature count'],
    ['0 0 2 1 service-time 0 1 2 8:0 1 1', 'path selector of group 2'],
    ['0 0 1 2 service-time 0 1 2 8:0 1 1', 'first path group 2 is not within 1..1'],
    ['0 0 1 1 service-time 0 1 2 sda 1 1', 'MAJ:MIN'],
    ['0 0 1 1 service-time 0 1 2 8:0 1', 'per-path arg of 8:0'],
    ['0 0 1 1 service-time 0 1 2 8:0 1 1 extra', 'unexpected trailing words'],
    ['2 queue_mode xyz 0 0 0', 'queue_mode needs rq|mq|bio'],
    ['1 pg_init_retries 0 0 0', 'pg_init_retries needs a number'],
    ['x 0 0 0', 'feature count (an unsigned integer)'],
  ])('rejects %j with a ParseError naming %s', (params, expected) => {
    let err: unknown;
    try {
      parseDmMultipathTable(params, 'dmsetup table m');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).message).toContain(expected);
    expect((err as ParseError).message).toMatch(/^dmsetup table m: word \d+: /);
    expect((err as ParseError).details.source).toBe('dmsetup table m');
  });
});

describe('dm-multipath table parser, properties', () => {
  it('parse(render(table)) gives the table back', () => {
    fc.assert(fc.property(tableArb, (t) => expect(parseDmMultipathTable(renderTable(t), 'p')).toEqual(t)));
  });

  it('extra whitespace and a trailing space (as dmsetup prints) change nothing', () => {
    fc.assert(
      fc.property(tableArb, (t) => {
        const spaced = `  ${renderTable(t).split(' ').join('   ')} `;
        expect(parseDmMultipathTable(spaced, 'p')).toEqual(t);
      }),
    );
  });

  it('any text either parses or throws ParseError, nothing else', () => {
    const tokens = fc.constantFrom(
      '0',
      '1',
      '2',
      '3',
      '8:0',
      '8:16',
      'service-time',
      'queue_mode',
      'bio',
      'x',
      'A',
      '-1',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(tokens, { maxLength: 30 }).map((a) => a.join(' ')),
        ),
        (s) => {
          try {
            parseDmMultipathTable(s, 'fuzz');
          } catch (e) {
            expect(e).toBeInstanceOf(ParseError);
          }
        },
      ),
    );
  });

  it('cutting a valid table short always fails', () => {
    fc.assert(
      fc.property(tableArb, fc.nat(), (t, n) => {
        const words = renderTable(t).split(' ');
        const cut = words.slice(0, n % words.length).join(' ');
        expect(() => parseDmMultipathTable(cut, 'p')).toThrow(ParseError);
      }),
    );
  });
});
