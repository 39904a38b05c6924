/**
 * The cgroup that directly holds a QEMU process's threads, from /proc/PID/cgroup: on hosts with
 * the v1 blkio controller (v1 and hybrid hosts) its `blkio` line, else the v2 `0::` line. This is
 * where I/O rules must be written (a rule on a parent does not apply to a child). libvirt on v2
 * places QEMU in `.../libvirt/emulator` below the machine scope: that sub-cgroup is what
 * /proc/PID/cgroup shows, and what is returned.
 */
import { CgroupGoneError } from '../../model/errors';
import { validateCgroupPath } from '../../model/names';
import type { HostFs } from '../../model/seams';
import type { CgroupRef } from '../../model/snapshot';
import type { CgroupMounts, ProcCgroupEntry } from '../parse/proc-files';
import { syncFor } from '../read';

/** Pick the entry; pure. Throws InvalidNameError for a path that could not safely reach cgroupfs. */
export function chooseCgroup(
  entries: readonly ProcCgroupEntry[],
  mounts: CgroupMounts,
): CgroupRef | undefined {
  if (mounts.v1Blkio !== undefined) {
    const v1 = entries.find((e) => e.hierarchy !== 0 && e.controllers.includes('blkio'));
    if (v1) return { version: 1, path: validateCgroupPath(v1.path) };
  }
  if (mounts.v2 !== undefined) {
    const v2 = entries.find((e) => e.hierarchy === 0 && e.controllers.length === 0);
    if (v2) return { version: 2, path: validateCgroupPath(v2.path) };
  }
  return undefined;
}

/** Host path of a cgroup directory. */
export function cgroupDir(ref: CgroupRef, mounts: CgroupMounts): string | undefined {
  const mount = ref.version === 1 ? mounts.v1Blkio : mounts.v2;
  if (mount === undefined) return undefined;
  return ref.path === '/' ? mount : `${mount}${ref.path}`;
}

async function existsAt(fs: HostFs, dir: string): Promise<boolean> {
  const sync = syncFor(fs, dir);
  return sync ? sync.exists(dir) : fs.exists(dir);
}

/** Throws CgroupGoneError if the chosen cgroup is marked deleted or its directory is gone. */
export async function checkCgroupExists(
  fs: HostFs,
  ref: CgroupRef,
  mounts: CgroupMounts,
  entries: readonly ProcCgroupEntry[],
): Promise<void> {
  const dir = cgroupDir(ref, mounts);
  const deleted = entries.some((e) => e.path === ref.path && e.deleted);
  if (deleted || dir === undefined || !(await existsAt(fs, dir))) {
    throw new CgroupGoneError(`cgroup ${ref.path} (v${ref.version}) no longer exists`, {
      path: ref.path,
      version: ref.version,
    });
  }
}
