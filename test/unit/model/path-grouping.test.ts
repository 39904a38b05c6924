/**
 * vmpath.conf path grouping (model/path-grouping.ts): the entry multipathd 0.9.4 honoured in the
 * lab (test/fixtures/lab/grouping-weightedpath/vmpath.conf) round-trips, and nothing but strict
 * H:C:T:L values and small integer priorities ever reaches the file.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePrioArgs, prioArgs, type PathGrouping } from '../../../agent/model/path-grouping';
import { parseVmpathConf, renderVmpathConf, withSetting } from '../../../agent/model/vmpath-conf';

const LAB = path.join(__dirname, '../../fixtures/lab');
const G: PathGrouping = {
  paths: [
    { hbtl: '2:0:0:0', prio: 10 },
    { hbtl: '0:0:0:0', prio: 50 },
    { hbtl: '1:0:0:0', prio: 50 },
  ],
};

describe('vmpath.conf path grouping', () => {
  it('renders exactly the entry measured in the lab (failback immediate, hbtl order) and parses it back', () => {
    const text = withSetting(null, '1Linux_scsi_debug_2000', { grouping: G });
    const lab = readFileSync(path.join(LAB, 'grouping-weightedpath/vmpath.conf'), 'utf8');
    expect(text.split('\n').slice(2).join('\n')).toBe(lab);
    const back = parseVmpathConf(text).get('1Linux_scsi_debug_2000');
    expect(back?.grouping?.paths.map((p) => `${p.hbtl}=${p.prio}`)).toEqual([
      '0:0:0:0=50',
      '1:0:0:0=50',
      '2:0:0:0=10',
    ]);
    expect(renderVmpathConf(parseVmpathConf(text))).toBe(text);
  });

  it('failback immediate replaces manual while grouped; removing the grouping keeps the other settings', () => {
    const one = withSetting(null, 'w1', { failback: 'manual', noPathRetry: 'queue' });
    const two = withSetting(one, 'w1', { grouping: G });
    expect(two).toContain(
      '\t\tfailback immediate\n\t\tno_path_retry queue\n\t\tpath_grouping_policy group_by_prio\n',
    );
    expect(two).not.toContain('failback manual');
    const three = withSetting(two, 'w1', { grouping: undefined });
    expect(parseVmpathConf(three).get('w1')).toEqual({ noPathRetry: 'queue' });
    expect(three).not.toMatch(/group_by_prio|weightedpath|prio_args/);
  });

  it('sorts H:C:T:L numerically (10 after 9) and anchors every regex', () => {
    const args = prioArgs({
      paths: [
        { hbtl: '10:0:0:1', prio: 50 },
        { hbtl: '9:0:0:1', prio: 10 },
      ],
    });
    expect(args).toBe('hbtl ^9:0:0:1$ 10 ^10:0:0:1$ 50');
    expect(parsePrioArgs(args)).toEqual({
      paths: [
        { hbtl: '9:0:0:1', prio: 10 },
        { hbtl: '10:0:0:1', prio: 50 },
      ],
    });
  });

  it.each([
    ['a device name', 'sda'],
    ['three fields', '1:0:0'],
    ['a regex', '1:.:.:.'],
    ['a quote', '1:0:0:0" 50\n}\nblacklist {'],
    ['a space', '1:0:0:0 50 ^2'],
    ['empty', ''],
  ])('refuses %s as H:C:T:L', (_what, hbtl) => {
    expect(() => withSetting(null, 'w1', { grouping: { paths: [{ hbtl, prio: 50 }] } })).toThrow(
      /invalid SCSI H:C:T:L/,
    );
  });

  it.each([0, 100, 1.5, -1, Number.NaN])('refuses priority %p', (prio) => {
    expect(() => prioArgs({ paths: [{ hbtl: '1:0:0:0', prio }] })).toThrow(/invalid path priority/);
  });

  it('refuses a repeated H:C:T:L and an empty grouping', () => {
    const twice = {
      paths: [
        { hbtl: '1:0:0:0', prio: 50 },
        { hbtl: '1:0:0:0', prio: 10 },
      ],
    };
    expect(() => prioArgs(twice)).toThrow(/repeated/);
    expect(() => prioArgs({ paths: [] })).toThrow(/empty/);
  });

  it('ignores prio_args vmpath does not write (devname, unanchored, other keywords missing)', () => {
    expect(parsePrioArgs('devname ^sda$ 50')).toBeUndefined();
    expect(parsePrioArgs('hbtl 1:0:0:0 50')).toBeUndefined();
    expect(parsePrioArgs('hbtl ^1:0:0:0$')).toBeUndefined();
    const noPolicy =
      'multipaths {\n\tmultipath {\n\t\twwid "w1"\n\t\tprio weightedpath\n\t\tprio_args "hbtl ^1:0:0:0$ 50"\n\t}\n}\n';
    expect(parseVmpathConf(noPolicy).get('w1')).toEqual({});
  });
});
