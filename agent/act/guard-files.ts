/**
 * What keeps udev and LVM sane once per-VM maps exist (DESIGN.md §3.2): without them LVM sees
 * every PV twice ("duplicate PV devices") and `lvextend` / `vgchange -ay` refuse.
 *  - a udev rule giving `vmpath-` maps DM_NOSCAN=1 and DM_UDEV_DISABLE_OTHER_RULES_FLAG=1 (so
 *    blkid, LVM's udev rules and by-id links skip them). It must sort after 10-dm.rules (which
 *    imports DM_UUID) and before 13-dm-disk.rules / 69-lvm.rules: hence `12-`.
 *  - an lvm.conf `devices { global_filter }` rejecting them by every name LVM may see. lvm2 has no
 *    conf.d and a second global_filter would replace the host's (Proxmox sets one), so this is a
 *    snippet to merge, written to /etc/vmpath for the installer; it is not active by itself.
 * The same text ships in packaging/ (installed by the package); `installGuardFiles` writes them on
 * a host that runs vmpath from a checkout. A unit test keeps both copies equal.
 */
import type { ConfigFiles } from './config-files';

export const UDEV_RULE_PATH = '/etc/udev/rules.d/12-vmpath-dm.rules';
/** lvm2 has no conf.d: this is a reference copy for the installer / operator to merge (see below). */
export const LVM_SNIPPET_PATH = '/etc/vmpath/lvm-global-filter.conf';

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
# lvm2 reads no conf.d: merge these rules into devices/global_filter in /etc/lvm/lvm.conf, KEEPING
# the rules already there (Proxmox VE rejects /dev/zd* and /dev/rbd* this way). Setting
# global_filter in lvmlocal.conf instead would replace them.
# The dm-uuid link is the exact match; the name rules (<map>-vm<ID>, no dash after "vm", so
# Proxmox LVs like vg-vm--101--disk--0 are not matched) cover hosts where the link is missing.
# No trailing accept-all rule: a device another rule does not reject stays accepted.
devices {
	global_filter = [ "r|^/dev/disk/by-id/dm-uuid-vmpath-|", "r|^/dev/mapper/[^/]+-vm[A-Za-z0-9][A-Za-z0-9_.:]*$|", "r|^/dev/disk/by-id/dm-name-[^/]+-vm[A-Za-z0-9][A-Za-z0-9_.:]*$|" ]
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
