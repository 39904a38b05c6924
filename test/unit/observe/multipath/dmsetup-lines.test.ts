import { ParseError } from '../../../../agent/model/errors';
import { parseDmsetupLines } from '../../../../agent/observe/multipath/dmsetup-lines';
import { fixture } from './fixture';

describe('dmsetup table/status output lines', () => {
  it('reads the real prefixed line, dropping the trailing space dmsetup prints', () => {
    expect(parseDmsetupLines(fixture('dmsetup-table.txt'), 'dmsetup table')).toEqual([
      {
        name: 'mpatha',
        start: 0,
        length: 131072,
        target: 'multipath',
        params: '0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1',
        line: 1,
      },
    ]);
  });

  it('reads the real unprefixed line of `dmsetup status mpatha` when given the name', () => {
    const [line] = parseDmsetupLines(
      fixture('switchgroup-dmsetup-status.txt'),
      'dmsetup status mpatha',
      'mpatha',
    );
    expect(line).toMatchObject({ name: 'mpatha', start: 0, length: 131072, target: 'multipath' });
  });

  it('"No devices found" and empty output mean no maps', () => {
    expect(parseDmsetupLines('No devices found\n', 'x')).toEqual([]);
    expect(parseDmsetupLines('', 'x')).toEqual([]);
  });

  it('several devices and segments, names with colons and spaces', () => {
    const out = [
      'mpatha: 0 2048 multipath 0 0 0 0 ',
      'vg-lv: 0 1024 linear 253:0 2048',
      'vg-lv: 1024 1024 linear 253:1 0',
      'odd:name: 0 8 multipath 0 0 0 0 ',
      'with space: 0 8 error',
    ].join('\n');
    const lines = parseDmsetupLines(`${out}\n`, 'x');
    expect(lines.map((l) => [l.name, l.start, l.target, l.params])).toEqual([
      ['mpatha', 0, 'multipath', '0 0 0 0'],
      ['vg-lv', 0, 'linear', '253:0 2048'],
      ['vg-lv', 1024, 'linear', '253:1 0'],
      ['odd:name', 0, 'multipath', '0 0 0 0'],
      ['with space', 0, 'error', ''],
    ]);
  });

  it.each([
    ['/dev/mapper/control: open failed: No such device\n', undefined],
    ['Device does not exist.\n', 'mpatha'],
    ['mpatha: 0 x multipath 0\n', undefined],
    ['mpatha: 0 8 multipath 0\n', 'mpatha'],
  ])('rejects %j with a ParseError naming the line', (text, name) => {
    expect(() => parseDmsetupLines(text, 'dmsetup status', name)).toThrow(ParseError);
    expect(() => parseDmsetupLines(text, 'dmsetup status', name)).toThrow('dmsetup status: line 1: expected');
  });
});
