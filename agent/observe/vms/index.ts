/**
 * All VMs on the host: every QEMU process in /proc, identified (Proxmox / libvirt / plain
 * QEMU), with the cgroup that holds its threads, its run state (only `paused` when /proc says it
 * is stopped; QMP status is act/'s business), Proxmox tags, and the block devices it holds open.
 * A process that exits mid-scan is dropped with an info diagnostic; nothing here throws.
 */
import { VmpathError } from '../../model/errors';
import type { HostFs } from '../../model/seams';
import type { DevT, Vm } from '../../model/snapshot';
import { mapLimit } from '../concurrency';
import type { DiagnosticSink } from '../diagnostics';
import type { CgroupMounts } from '../parse/proc-files';
import { qemuIdentityArgs } from '../parse/qemu-args';
import { checkCgroupExists, chooseCgroup } from './cgroup';
import { readCgroupIo } from './cgroup-io';
import { identifyVm } from './identify';
import type { ArgvCache } from './argv-cache';
import { listPids, qemuCandidate, readQemuProcess, type QemuCandidate } from './processes';
import { readProxmoxPidfiles, readProxmoxTags } from './proxmox';

export interface ObservedVm {
  readonly vm: Omit<Vm, 'disks'>;
  readonly openDevTs: readonly DevT[];
}

export interface VmScanOptions {
  readonly concurrency: number;
  readonly mounts: CgroupMounts;
  /** argv of processes seen in earlier snapshots of this host (see ArgvCache). */
  readonly argvCache?: ArgvCache;
}

async function observeOne(
  fs: HostFs,
  diag: DiagnosticSink,
  { pid, argv, statText }: QemuCandidate,
  pidfiles: ReadonlyMap<number, string>,
  options: VmScanOptions,
): Promise<ObservedVm | undefined> {
  let proc;
  try {
    proc = await readQemuProcess(fs, pid, argv, options.concurrency, statText);
  } catch (err) {
    diag.error(`process ${pid}`, err);
    return undefined;
  }
  const args = qemuIdentityArgs(argv);
  const identity = identifyVm(pid, args, proc.cgroup.entries, pidfiles);
  const subject = `vm ${identity.id}`;
  if (identity.fallbackReason)
    diag.add('warn', subject, `pid ${pid}: ${identity.fallbackReason}; id ${identity.id} used`);
  if (proc.cgroup.badLines > 0)
    diag.add('warn', subject, `/proc/${pid}/cgroup: ${proc.cgroup.badLines} malformed line(s)`);
  let cgroup: Vm['cgroup'];
  try {
    cgroup = chooseCgroup(proc.cgroup.entries, options.mounts);
    if (cgroup) await checkCgroupExists(fs, cgroup, options.mounts, proc.cgroup.entries);
    else diag.add('warn', subject, `pid ${pid}: no blkio (v1) or unified (v2) cgroup found`);
  } catch (err) {
    diag.error(subject, err, 'warn');
    cgroup = undefined;
  }
  let cgroupIo: Vm['cgroupIo'];
  if (cgroup) {
    try {
      const io = await readCgroupIo(fs, cgroup, options.mounts);
      if (io?.badLines)
        diag.add('warn', subject, `cgroup ${cgroup.path}: ${io.badLines} malformed I/O rule line(s)`);
      cgroupIo = io?.io;
    } catch (err) {
      diag.error(subject, err);
    }
  }
  let tags: string[] = [];
  if (identity.kind === 'proxmox') {
    try {
      tags = await readProxmoxTags(fs, identity.id);
    } catch (err) {
      diag.error(subject, err);
    }
  }
  const { fallbackReason: _unused, ...id } = identity;
  const vm: Omit<Vm, 'disks'> = {
    ...id,
    pid,
    ...(cgroup ? { cgroup } : {}),
    runState: proc.state === 'T' || proc.state === 't' ? 'paused' : 'unknown',
    ...(tags.length ? { tags } : {}),
    ...(cgroupIo ? { cgroupIo } : {}),
    ...(args.qmpSocket !== undefined && identity.kind !== 'libvirt' ? { qmpSocket: args.qmpSocket } : {}),
  };
  return { vm, openDevTs: proc.openDevTs };
}

export async function readVms(
  fs: HostFs,
  diag: DiagnosticSink,
  options: VmScanOptions,
): Promise<ObservedVm[]> {
  let pids: number[];
  try {
    pids = await listPids(fs);
  } catch (err) {
    diag.error('host', err, 'error');
    return [];
  }
  options.argvCache?.retainOnly(new Set(pids));
  const [pidfiles, found0] = await Promise.all([
    readProxmoxPidfiles(fs, diag, options.concurrency),
    mapLimit(pids, options.concurrency, (pid) => qemuCandidate(fs, pid, options.argvCache)),
  ]);
  const candidates = found0.filter((c): c is QemuCandidate => c !== undefined);
  const found = await mapLimit(candidates, options.concurrency, (candidate) =>
    observeOne(fs, diag, candidate, pidfiles, options).catch((err: unknown) => {
      // Whatever went wrong with one process stays with that process.
      diag.error(`process ${candidate.pid}`, err, err instanceof VmpathError ? undefined : 'error');
      return undefined;
    }),
  );
  const seen = new Set<string>();
  const out: ObservedVm[] = [];
  for (const o of found) {
    if (!o) continue;
    if (seen.has(o.vm.id)) {
      const id = `pid-${o.vm.pid}`;
      diag.add(
        'warn',
        `vm ${o.vm.id}`,
        `two QEMU processes claim id ${o.vm.id}; pid ${o.vm.pid} listed as ${id}`,
      );
      out.push({ ...o, vm: { ...o.vm, id } });
    } else out.push(o);
    seen.add(o.vm.id);
  }
  return out;
}
