import { parseRange, satisfies } from '../../../agent/plugins/semver';

describe('semver ranges for engines.vmpath', () => {
  it.each([
    ['1.0.0', '^1.0.0', true],
    ['1.4.2', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['1.1.9', '^1.2.0', false],
    ['0.2.5', '^0.2.1', true],
    ['0.3.0', '^0.2.1', false],
    ['1.9.0', '>=1 <2', true],
    ['2.0.0', '>=1 <2', false],
    ['0.9.9', '>=1 <2', false],
    ['1.7.3', '1.x', true],
    ['2.0.0', '1.x', false],
    ['1.2.9', '1.2.x', true],
    ['1.3.0', '1.2.x', false],
    ['1.2.5', '~1.2.0', true],
    ['1.3.0', '~1.2.0', false],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['3.0.0', '*', true],
    ['3.1.0', '^1.0.0 || ^3.0.0', true],
    ['2.1.0', '^1.0.0 || ^3.0.0', false],
    ['1.5.0', '>= 1.2.0 <= 1.5', true],
    ['1.6.0', '>1.5', true],
    ['1.5.9', '>1.5', false],
  ])('%s satisfies %s: %s', (v, r, ok) => expect(satisfies(v, r)).toBe(ok));

  it.each(['', 'abc', '^', '>=1 <', '1.2.3.4', '^^1'])('rejects malformed range %j', (r) =>
    expect(parseRange(r)).toBeUndefined(),
  );
});
