import { ParseError } from '../../../../agent/model/errors';
import {
  compareVersion,
  parseMultipathToolsVersion,
} from '../../../../agent/observe/multipath/multipath-version';

describe('multipath-tools version', () => {
  it('reads the 0.9.4 banner (as `multipath -h` prints it on stderr)', () => {
    const v = parseMultipathToolsVersion(
      'multipath-tools v0.9.4 (12/19, 2022)\nUsage:\n  multipath [-v level] ...\n',
    );
    expect(v).toEqual({ version: '0.9.4', major: 0, minor: 9, patch: 4, date: '12/19, 2022' });
    expect(compareVersion(v, 0, 9, 4)).toBe(0);
    expect(compareVersion(v, 0, 9, 5)).toBeLessThan(0);
    expect(compareVersion(v, 0, 8, 9)).toBeGreaterThan(0);
  });

  it('reads a banner without a date and with leading noise', () => {
    expect(parseMultipathToolsVersion('\nmultipath-tools v0.13.0\n').version).toBe('0.13.0');
  });

  it('throws ParseError when there is no banner', () => {
    expect(() => parseMultipathToolsVersion('multipath: command not found')).toThrow(ParseError);
  });
});
