/**
 * Who a QEMU process is: a Proxmox VE VM (vmid), a libvirt domain (name, uuid) or a plain QEMU
 * (its -name). Pure: decided from the command line, the process's cgroup paths and the
 * Proxmox pidfiles found on the host.
 *
 * Proxmox evidence (any): pve-qemu's `-id N`; a /var/run/qemu-server/N.pid whose content is the
 * pid; `-pidfile` or a socket under `/qemu-server/N.`; cgroup `qemu.slice/N.scope`.
 * libvirt evidence (any): cgroup `machine-qemu\x2dN\x2dNAME.scope` or `qemu-N-NAME.libvirt-qemu`;
 * a monitor socket or pidfile under a `/libvirt/` directory.
 */
import { validateVmId } from '../../model/names';
import type { VmKind } from '../../model/snapshot';
import type { ProcCgroupEntry } from '../parse/proc-files';
import type { QemuIdentityArgs } from '../parse/qemu-args';

export interface VmIdentity {
  readonly kind: VmKind;
  readonly id: string;
  readonly name: string;
  readonly uuid?: string;
  /** Set when the natural id was unusable and a fallback was taken (reported as a diagnostic). */
  readonly fallbackReason?: string;
}

const PVE_PATH = /\/qemu-server\/(\d+)\.(?:pid|qmp|vnc|mon)/;
const PVE_SCOPE = /(?:^|\/)qemu\.slice\/(\d+)\.scope(?:\/|$)/;
const LIBVIRT_SCOPE = /machine-qemu\\x2d\d+\\x2d[^/]*\.scope|\/qemu-\d+-[^/]*\.libvirt-qemu/;

function isValidId(id: string | undefined): id is string {
  if (id === undefined) return false;
  try {
    validateVmId(id);
    return true;
  } catch {
    return false;
  }
}

export function proxmoxVmid(
  pid: number,
  args: QemuIdentityArgs,
  cgroups: readonly ProcCgroupEntry[],
  pidfiles: ReadonlyMap<number, string>,
): string | undefined {
  if (args.id !== undefined && /^\d+$/.test(args.id)) return args.id;
  const fromPidfile = pidfiles.get(pid);
  if (fromPidfile !== undefined) return fromPidfile;
  for (const p of args.paths) {
    const m = PVE_PATH.exec(p);
    if (m) return m[1];
  }
  for (const c of cgroups) {
    const m = PVE_SCOPE.exec(c.path);
    if (m) return m[1];
  }
  return undefined;
}

export function looksLibvirt(args: QemuIdentityArgs, cgroups: readonly ProcCgroupEntry[]): boolean {
  return cgroups.some((c) => LIBVIRT_SCOPE.test(c.path)) || args.paths.some((p) => p.includes('/libvirt/'));
}

export function identifyVm(
  pid: number,
  args: QemuIdentityArgs,
  cgroups: readonly ProcCgroupEntry[],
  pidfiles: ReadonlyMap<number, string>,
): VmIdentity {
  const uuid = args.uuid;
  const withUuid = uuid !== undefined ? { uuid } : {};
  const vmid = proxmoxVmid(pid, args, cgroups, pidfiles);
  if (vmid !== undefined) return { kind: 'proxmox', id: vmid, name: args.name ?? `vm${vmid}`, ...withUuid };
  const kind: VmKind = looksLibvirt(args, cgroups) ? 'libvirt' : 'qemu';
  if (isValidId(args.name)) return { kind, id: args.name, name: args.name, ...withUuid };
  const fallback = kind === 'libvirt' && isValidId(uuid) ? uuid : `pid-${pid}`;
  const reason =
    args.name === undefined
      ? 'no -name on the command line'
      : `name ${JSON.stringify(args.name)} is not a valid id`;
  return { kind, id: fallback, name: args.name ?? fallback, ...withUuid, fallbackReason: reason };
}
