/**
 * dm table strings vs real kernel output (test/fixtures/lab, Linux 6.1 + multipath-tools 0.9.4):
 * a per-VM map table built by decide/ must be byte-identical to what the kernel printed for the
 * lab's hand-made per-VM maps, and re-emitting a base map must give back its own table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { retargetTable, vmMapTable } from '../../../agent/decide/dm-table';
import type { MultipathMap } from '../../../agent/model';
import { parseMultipathTable } from './apply-plan';

const LAB = join(__dirname, '../../fixtures/lab');
const DEVS = new Map([
  ['8:0', 'sda'],
  ['8:16', 'sdb'],
  ['8:32', 'sdc'],
]);

function tables(fixture: string): Map<string, string> {
  const text = readFileSync(join(LAB, fixture, 'dmsetup-table.txt'), 'utf8');
  return new Map(
    text
      .split('\n')
      .filter((l) => l.includes(': '))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2).trim()]),
  );
}

function asMap(table: string): MultipathMap {
  return {
    ...parseMultipathTable(table, DEVS),
    name: 'mpatha',
    wwid: 'w',
    dm: 'dm-0',
    devT: '253:0',
    queueIfNoPath: false,
    queueMode: 'rq',
    owner: 'multipathd',
    holders: [],
  };
}

describe('dm tables in the kernel format', () => {
  it.each(['3paths-group-by-prio', 'queueing-on', 'selector-round-robin', 'bio-map', 'lvm-lv-on-per-vm-map'])(
    '%s: re-emitting the base map in its own order gives its table back',
    (fixture) => {
      const base = tables(fixture).get('mpatha') as string;
      const map = asMap(base);
      const firstGroup = map.groups[0]?.paths.map((p) => p.dev) ?? [];
      expect(vmMapTable(map, firstGroup, false)).toBe(base);
    },
  );

  it('bio-map: the per-VM map for VM 201 on sdb is what the kernel printed', () => {
    const t = tables('bio-map');
    const base = {
      ...asMap(t.get('mpatha') as string),
      features: ['retain_attached_hw_handler'],
      hwHandler: '0',
    };
    expect(vmMapTable(base, ['sdb'], true)).toBe(t.get('mpatha-vm201'));
  });

  it('lvm-lv-on-per-vm-map: per-VM map for VM 101 and its LV moved onto it', () => {
    const t = tables('lvm-lv-on-per-vm-map');
    const base = { ...asMap(t.get('mpatha') as string), hwHandler: '0' };
    expect(vmMapTable(base, ['sdb'], false)).toBe(t.get('mpatha-vm101'));
    expect(retargetTable(t.get('pve-vm--102--disk--0') as string, '253:0', '253:3')).toBe(
      '0 16384 linear 253:3 18432',
    );
    expect(retargetTable('0 16384 linear 253:1 2048', '253:0', '253:3')).toBeUndefined();
  });
});
