/**
 * Kernel errnos from cgroupfs, as typed errors. The mapping is the contract with the loop:
 * ENOENT = the VM's cgroup is gone (VM stopped; retry later finds nothing to do),
 * ENODEV = no such block device, EINVAL = malformed or unsupported rule,
 * EACCES/EPERM/EROFS = not allowed. Anything else is re-thrown as a CgroupInvalidError carrying
 * the errno so nothing escapes untyped.
 */
import {
  CgroupGoneError,
  CgroupInvalidError,
  CgroupNoDeviceError,
  CgroupPermissionError,
  VmpathError,
} from '../model/errors';

export function cgroupError(err: unknown, path: string, data?: string): VmpathError {
  if (err instanceof VmpathError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
  const details = { path, errno: code, ...(data === undefined ? {} : { data: data.trim() }) };
  const what = data === undefined ? `read ${path}` : `write ${JSON.stringify(data.trim())} to ${path}`;
  switch (code) {
    case 'ENOENT':
      return new CgroupGoneError(`cgroup gone: ${what}: ENOENT`, details, err);
    case 'ENODEV':
      return new CgroupNoDeviceError(`no such device: ${what}: ENODEV`, details, err);
    case 'EINVAL':
      return new CgroupInvalidError(`rule rejected: ${what}: EINVAL`, details, err);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new CgroupPermissionError(`not permitted: ${what}: ${code}`, details, err);
    default:
      return new CgroupInvalidError(`${what}: ${code}`, details, err);
  }
}
