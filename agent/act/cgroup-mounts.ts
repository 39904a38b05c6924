/**
 * Where the cgroup controllers vmpath writes are mounted, read from /proc/mounts (rooted).
 * A CgroupRef's `path` is relative to its controller mount: v1 → the `blkio` hierarchy
 * (usually /sys/fs/cgroup/blkio), v2 → the cgroup2 mount (usually /sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on hybrid hosts).
 */
import type { HostFs } from '../model/seams';
import type { CgroupRef } from '../model/snapshot';
import { validateCgroupPath } from '../model/names';

export interface CgroupMounts {
  /** Mount point of the v1 hierarchy carrying the `blkio` controller, if any. */
  readonly v1Blkio?: string;
  /** Mount point of cgroup2, if any. */
  readonly v2?: string;
}

export const DEFAULT_MOUNTS: CgroupMounts = { v1Blkio: '/sys/fs/cgroup/blkio', v2: '/sys/fs/cgroup' };

/** /proc/mounts escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseCgroupMounts(text: string): CgroupMounts {
  let v1Blkio: string | undefined;
  let v2: string | undefined;
  for (const line of text.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (!mountPoint || !type) continue;
    if (type === 'cgroup2' && v2 === undefined) v2 = unescapeMount(mountPoint);
    if (type === 'cgroup' && v1Blkio === undefined && (options ?? '').split(',').includes('blkio')) {
      v1Blkio = unescapeMount(mountPoint);
    }
  }
  return { ...(v1Blkio ? { v1Blkio } : {}), ...(v2 ? { v2 } : {}) };
}

/** Reads /proc/mounts; falls back to the conventional mount points if it cannot be read. */
export async function readCgroupMounts(fs: HostFs): Promise<CgroupMounts> {
  try {
    const found = parseCgroupMounts(await fs.readFile('/proc/mounts'));
    return { ...DEFAULT_MOUNTS, ...found };
  } catch {
    return DEFAULT_MOUNTS;
  }
}

/** Absolute host directory of a cgroup; validates the path first (no `..`, no spaces). */
export function cgroupDir(mounts: CgroupMounts, ref: CgroupRef): string {
  const rel = validateCgroupPath(ref.path);
  const base = ref.version === 1 ? mounts.v1Blkio : mounts.v2;
  const root = base ?? (ref.version === 1 ? DEFAULT_MOUNTS.v1Blkio : DEFAULT_MOUNTS.v2);
  const joined = `${root}/${rel}`.replace(/\/+/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}
