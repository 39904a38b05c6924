/**
 * Validation for every name that reaches a path (sysfs, cgroupfs, /dev/mapper) or a command
 * argument. A name that fails throws InvalidNameError before any I/O happens.
 */
import { InvalidNameError } from './errors';

const BLOCK_DEV = /^[a-z][a-z0-9_-]{0,31}$/; // sda, dm-3, nvme0n1, vda, loop0
const DM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+:@-]{0,126}$/; // mpatha, vg-lv--name, 3600a0b8...
const DEV_T = /^\d{1,4}:\d{1,7}$/;
const VM_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/; // 101, libvirt domain names
const CGROUP_PATH = /^(\/[A-Za-z0-9_.:@\\-]+)*\/?$/; // absolute, no .., no spaces
const NODE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/; // a cluster node's host name (one DNS label)

function check(kind: string, value: unknown, re: RegExp): string {
  if (typeof value !== 'string' || !re.test(value) || value.includes('..')) {
    throw new InvalidNameError(`invalid ${kind}: ${JSON.stringify(value)}`, { kind, value: String(value) });
  }
  return value;
}

export const validateBlockDevName = (v: unknown): string => check('block device name', v, BLOCK_DEV);
export const validateDmName = (v: unknown): string => check('device-mapper name', v, DM_NAME);
export const validateDevT = (v: unknown): string => check('MAJ:MIN', v, DEV_T);
export const validateVmId = (v: unknown): string => check('VM id', v, VM_ID);
/** A cluster node name (Proxmox node = short host name): one DNS label, so it is safe as a file name. */
export const validateNodeName = (v: unknown): string => check('cluster node name', v, NODE_NAME);
export function validateCgroupPath(v: unknown): string {
  const path = check('cgroup path', v, CGROUP_PATH);
  if (!path.startsWith('/'))
    throw new InvalidNameError(`invalid cgroup path: ${JSON.stringify(v)}`, { kind: 'cgroup path' });
  return path;
}
