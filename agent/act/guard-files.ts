/**
 * What keeps udev and LVM sane once per-VM maps exist (DESIGN.md §3.2): without them LVM sees
 * every PV twice ("duplicate PV devices") and `lvextend` / `vgchange -ay` refuse.
 *  - a udev rule giving `vmpath-` maps DM_NOSCAN=1 and DM_UDEV_DISABLE_OTHER_RULES_FLAG=1 (so
 *    blkid, LVM's udev rules and by-id links skip them). It must sort after 10-dm.rules (which
 *    imports DM_UUID) and before 13-dm-disk.rules / 69-lvm.rules: hence `12-`.
 *  - an lvm.conf `devices { global_filter }` rejecting them by every name LVM may see.
 * The same text ships in packaging/ (installed by the package); `installGuardFiles` writes them on
 * a host that runs vmpath from a checkout. A unit test keeps both copies equal.
 */
import type { ConfigFiles } from './config-files';

export const UDEV_RULE_PATH = '/etc/udev/rules.d/12-vmpath-dm.rules';
export const LVM_SNIPPET_PATH = '/etc/lvm/lvm.conf.d/vmpath-filter.conf';

export const UDEV_RULE = `# vmpath: per-VM path maps (dm uuid vmpath-<vmid>-<wwid>) are second views of LUNs that
# multipathd already presents. Keep udev's disk rules, blkid and LVM away from them.
SUBSYSTEM!="block", GOTO="vmpath_end"
KERNEL!="dm-[0-9]*", GOTO="vmpath_end"
ACTION!="add|change", GOTO="vmpath_end"
ENV{DM_UUID}=="vmpath-?*", ENV{DM_NOSCAN}="1", ENV{DM_UDEV_DISABLE_OTHER_RULES_FLAG}="1"
LABEL="vmpath_end"
`;

export const LVM_SNIPPET = `# vmpath: never scan per-VM path maps (<map>-vm<ID>, dm uuid vmpath-*) as PVs: they show the
# same PV as the shared multipath map and LVM would refuse to work ("duplicate PV devices").
# Merge into the devices section of /etc/lvm/lvm.conf if your lvm2 does not read lvm.conf.d.
# No trailing accept-all rule: a device another rule does not reject stays accepted.
devices {
	global_filter = [ "r|^/dev/mapper/[^/]+-vm[A-Za-z0-9_.:-]+$|", "r|^/dev/disk/by-id/dm-uuid-vmpath-|", "r|^/dev/disk/by-id/dm-name-[^/]+-vm[A-Za-z0-9_.:-]+$|" ]
}
`;

/** Write both files if they differ; returns the paths written. */
export async function installGuardFiles(files: ConfigFiles): Promise<string[]> {
  const written: string[] = [];
  for (const [path, text] of [
    [UDEV_RULE_PATH, UDEV_RULE],
    [LVM_SNIPPET_PATH, LVM_SNIPPET],
  ] as const) {
    if ((await files.read(path)) === text) continue;
    await files.write(path, text);
    written.push(path);
  }
  return written;
}
