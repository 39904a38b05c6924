import fc from 'fast-check';
import { ParseError } from '../../../../agent/model/errors';
import { sameMultipathTable } from '../../../../agent/observe/multipath/table-compare';
import { parseDmsetupLines } from '../../../../agent/observe/multipath/dmsetup-lines';
import { tableArb } from './arbitraries';
import { fixture } from './fixture';
import { renderTable } from './render';

/** The table the lab suite gave `dmsetup create mpatha-vm101 --table ...`. */
const CREATED =
  '0 131072 multipath 3 queue_if_no_path queue_mode bio 0 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:0 1 1';

function readBack(name: string): string {
  const line = parseDmsetupLines(fixture('lab-observe/vm-map-dmsetup-table.txt'), 't').find(
    (l) => l.name === name,
  );
  if (!line) throw new Error(name);
  return `${line.start} ${line.length} ${line.target} ${line.params} `;
}

describe('comparing multipath tables by meaning', () => {
  it('the table created in the lab equals what the kernel read back (retain_attached_hw_handler added)', () => {
    const back = readBack('mpatha-vm101');
    expect(back).not.toBe(CREATED);
    expect(sameMultipathTable(CREATED, back)).toBe(true);
  });

  it('the first-group field changes with switch_group and does not count', () => {
    expect(sameMultipathTable(CREATED, CREATED.replace(' 0 2 1 service-time', ' 0 2 2 service-time'))).toBe(
      true,
    );
  });

  it('a bio map given a hardware handler reads back without it (seen live)', () => {
    const given = CREATED.replace('3 queue_if_no_path queue_mode bio 0 2', '2 queue_mode bio 1 alua 2');
    const back = CREATED.replace(
      '3 queue_if_no_path queue_mode bio 0 2',
      '3 retain_attached_hw_handler queue_mode bio 0 2',
    );
    expect(sameMultipathTable(given, back)).toBe(true);
  });

  it('queue_mode mq is the default request-based mode', () => {
    const rq = '0 8 multipath 0 0 1 1 round-robin 0 1 1 8:0 1000';
    expect(sameMultipathTable(rq, rq.replace('multipath 0 0', 'multipath 2 queue_mode mq 0'))).toBe(true);
  });

  it.each([
    [
      'another path order',
      CREATED.replace('2 8:16 1 1 service-time 0 1 2 8:0', '2 8:0 1 1 service-time 0 1 2 8:16'),
    ],
    ['no queueing', CREATED.replace('3 queue_if_no_path queue_mode bio', '2 queue_mode bio')],
    ['request-based', CREATED.replace('3 queue_if_no_path queue_mode bio', '1 queue_if_no_path')],
    ['another size', CREATED.replace('0 131072', '0 131071')],
    ['another selector', CREATED.replace('service-time 0 1 2 8:16 1 1', 'round-robin 0 1 1 8:16 1')],
    ['another relative throughput', CREATED.replace('8:16 1 1', '8:16 1 2')],
    [
      'a hardware handler (request-based)',
      CREATED.replace('3 queue_if_no_path queue_mode bio 0 2', '1 queue_if_no_path 1 alua 2'),
    ],
    ['pg_init_retries', CREATED.replace('3 queue_if_no_path', '5 pg_init_retries 3 queue_if_no_path')],
  ])('differs: %s', (_what, other) => {
    expect(sameMultipathTable(CREATED, other)).toBe(false);
  });

  it('every table created in the lab means what the kernel read back, before and after switch_group', () => {
    const text = fixture('lab-observe/tables-read-back.txt');
    const blocks = text.split(/^# /m).filter((b) => b.trim() !== '');
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const b of blocks) {
      const get = (k: string): string => (new RegExp(`^${k}:\\s+(.*)$`, 'm').exec(b)?.[1] ?? '').trim();
      const [created, read, switched] = [get('created'), get('read'), get('switched')];
      expect(created).not.toBe('');
      expect([b.split('\n')[0], sameMultipathTable(created, read)]).toEqual([b.split('\n')[0], true]);
      expect([b.split('\n')[0], sameMultipathTable(created, switched)]).toEqual([b.split('\n')[0], true]);
    }
  });

  it('repeat_count is forced to 1 by the kernel and does not count', () => {
    const rr = '0 8 multipath 0 0 1 1 round-robin 0 2 1 8:0 1000 8:16 1000';
    expect(sameMultipathTable(rr, rr.replace(/ 1000/g, ' 1'))).toBe(true);
  });

  it('throws ParseError on something that is not one multipath line', () => {
    expect(() => sameMultipathTable(CREATED, '0 8 linear 253:0 0')).toThrow(ParseError);
    expect(() => sameMultipathTable(CREATED, `${CREATED}\n${CREATED}`)).toThrow(ParseError);
    expect(() => sameMultipathTable(CREATED, '0 8 multipath 1')).toThrow(ParseError);
  });

  it('a table equals itself with any whitespace and with the kernel-added feature', () => {
    fc.assert(
      fc.property(tableArb, (t) => {
        const line = `0 2048 multipath ${renderTable(t)}`;
        expect(sameMultipathTable(line, `  ${line.split(' ').join('  ')} `)).toBe(true);
        if (!t.retainAttachedHwHandler) {
          const kernel = renderTable({
            ...t,
            features: [...t.features, 'retain_attached_hw_handler'],
            retainAttachedHwHandler: true,
          });
          expect(sameMultipathTable(line, `0 2048 multipath ${kernel}`)).toBe(true);
        }
      }),
    );
  });
});
