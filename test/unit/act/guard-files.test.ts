/** The udev rule and LVM filter shipped in packaging/ are the ones act/ installs. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LVM_SNIPPET, UDEV_RULE, installGuardFiles, UDEV_RULE_PATH } from '../../../agent/act/guard-files';
import { RootedConfigFiles } from '../../../agent/act/config-files';
import { tmpRoot } from './helpers';

const repo = path.join(__dirname, '../../..');

describe('guard files', () => {
  it('packaging copies equal the constants', () => {
    expect(readFileSync(path.join(repo, 'packaging/udev/12-vmpath-dm.rules'), 'utf8')).toBe(UDEV_RULE);
    expect(readFileSync(path.join(repo, 'packaging/lvm/vmpath-filter.conf'), 'utf8')).toBe(LVM_SNIPPET);
  });

  it('the udev rule marks vmpath- maps, the LVM filter rejects per-VM map names only', () => {
    expect(UDEV_RULE).toContain(
      'ENV{DM_UUID}=="vmpath-?*", ENV{DM_NOSCAN}="1", ENV{DM_UDEV_DISABLE_OTHER_RULES_FLAG}="1"',
    );
    const rules = [...LVM_SNIPPET.matchAll(/"r\|(.*?)\|"/g)].map((m) => new RegExp(m[1] as string));
    const rejected = (dev: string) => rules.some((r) => r.test(dev));
    expect(rejected('/dev/mapper/mpatha-vm101')).toBe(true);
    expect(rejected('/dev/disk/by-id/dm-uuid-vmpath-101-3600a0b8')).toBe(true);
    expect(rejected('/dev/mapper/mpatha')).toBe(false);
    expect(rejected('/dev/mapper/vg-vm--101--disk--0')).toBe(false);
    expect(rejected('/dev/disk/by-id/dm-name-vg-vm--101--disk--0')).toBe(false);
  });

  it('installs both once', async () => {
    const files = new RootedConfigFiles(tmpRoot());
    expect(await installGuardFiles(files)).toHaveLength(2);
    expect(await installGuardFiles(files)).toEqual([]);
    expect(await files.read(UDEV_RULE_PATH)).toBe(UDEV_RULE);
  });
});
