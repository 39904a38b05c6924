/**
 * Which of a QEMU process's open files can be a block device, from the text of its
 * `/proc/PID/fd/N` link, so that only those are stat'ed. A QEMU process holds tens of other fds
 * (sockets, eventfds, pipes, /dev/kvm, vhost and tun devices, log and image files); stat'ing each
 * is an async call per fd per snapshot on a host with hundreds of VMs.
 *
 * The link text is the kernel's d_path of the open file: `socket:[ino]`, `anon_inode:[eventfd]`,
 * `pipe:[ino]`, `/memfd:name (deleted)`, or a path as the process sees it (`/dev/dm-3`, in
 * libvirt's private /dev too). Block device nodes live under /dev; a few /dev names are known
 * character devices. Anything else under /dev is stat'ed (the rdev, not the name, decides).
 *
 * Reading the link is safe synchronously (read.ts syncReadlinkFor), unlike /proc/PID/cmdline,
 * so it cannot hang on a stuck process.
 */
import type { HostFs, HostFsSync } from '../../model/seams';
import { syncReadlinkFor } from '../read';

/** /dev names that are never block devices (character devices and virtual filesystems). */
const NOT_BLOCK =
  /^\/dev\/(?:null|zero|full|random|urandom|kvm|ptmx|tty\w*|console|userfaultfd|fuse|net\/|vhost-|pts\/|shm\/|hugepages|mqueue\/|vfio\/|dri\/|bus\/|snd\/|sgx|udmabuf|rtc|hpet|mem$)/;

/** Whether an fd whose link reads `target` may be a block device (false = skip its stat). */
export function mayBeBlockDevice(target: string): boolean {
  return target.startsWith('/dev/') && !NOT_BLOCK.test(target);
}

/**
 * The link text of `/proc/PID/fd/N`, or undefined when it cannot be read as a link (the fd
 * closed, or a tree that models fds as plain files: then the caller stats it as before).
 */
export async function fdLinkTarget(fs: HostFs, fdPath: string): Promise<string | undefined> {
  const sync = syncReadlinkFor(fs, fdPath);
  if (sync) return linkTextNow(sync, fdPath);
  try {
    return await fs.readlink(fdPath);
  } catch {
    return undefined;
  }
}

/** fdLinkTarget through the synchronous reads syncReadlinkFor gave for the fd's path. */
export function linkTextNow(sync: HostFsSync, fdPath: string): string | undefined {
  try {
    return sync.readlink(fdPath);
  } catch {
    return undefined;
  }
}
