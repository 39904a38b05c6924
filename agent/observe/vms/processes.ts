/**
 * Finding QEMU processes in /proc and reading what observe needs of each: argv, run state,
 * cgroups, and the block devices it holds open (/proc/PID/fd/* → stat rdev as MAJ:MIN; never
 * the link name, since libvirt's QEMU has a private /dev — the link text only rules out fds that
 * cannot be block devices, fd-links.ts). /proc/PID/environ is never read.
 */
import { ProcessVanishedError } from '../../model/errors';
import type { HostFs } from '../../model/seams';
import type { DevT } from '../../model/snapshot';
import { mapLimit } from '../concurrency';
import { parseCmdline, parseProcCgroup, parseProcStat, type ParsedProcCgroup } from '../parse/proc-files';
import { isQemuArgv } from '../parse/qemu-args';
import { classifyFsError, listRequired, readRequired, syncReadlinkFor } from '../read';
import { ArgvCache } from './argv-cache';
import { fdLinkTarget, linkTextNow, mayBeBlockDevice } from './fd-links';

export interface QemuProcess {
  readonly pid: number;
  readonly argv: readonly string[];
  /** /proc/PID/stat state letter. */
  readonly state: string;
  readonly cgroup: ParsedProcCgroup;
  /** Distinct block devices open, in fd order. */
  readonly openDevTs: readonly DevT[];
}

/** Numeric /proc entries (processes; threads are not listed). */
export async function listPids(fs: HostFs): Promise<number[]> {
  return (await listRequired(fs, '/proc'))
    .filter((n) => /^\d{1,10}$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * argv of a pid if it is QEMU, else undefined. Processes that vanish or cannot be read are not
 * QEMU as far as we can tell: undefined as well (we do not know yet that they matter).
 */
export async function qemuArgv(fs: HostFs, pid: number): Promise<string[] | undefined> {
  try {
    const argv = parseCmdline(await fs.readFile(`/proc/${pid}/cmdline`));
    return isQemuArgv(argv) ? argv : undefined;
  } catch {
    return undefined;
  }
}

export interface QemuCandidate {
  readonly pid: number;
  readonly argv: readonly string[];
  /** /proc/PID/stat as read to look a known process up (readQemuProcess uses it, not a second read). */
  readonly statText?: string;
}

/**
 * The pid as a QEMU candidate, or undefined (not QEMU, vanished, unreadable). With a cache, the
 * stat line is read first and a process seen before is not asked for its cmdline again (see
 * ArgvCache); a cmdline that cannot be read is not remembered, so it is tried again next time.
 */
export async function qemuCandidate(
  fs: HostFs,
  pid: number,
  cache?: ArgvCache,
): Promise<QemuCandidate | undefined> {
  if (!cache) {
    const argv = await qemuArgv(fs, pid);
    return argv ? { pid, argv } : undefined;
  }
  let statText: string;
  let key: string | undefined;
  try {
    statText = await readRequired(fs, `/proc/${pid}/stat`);
  } catch {
    // As without a cache: if it is QEMU, readQemuProcess reports why its stat cannot be read.
    const argv = await qemuArgv(fs, pid);
    return argv ? { pid, argv } : undefined;
  }
  try {
    key = ArgvCache.keyOf(parseProcStat(statText));
  } catch {
    key = undefined; // readQemuProcess reports the malformed line if this is QEMU
  }
  const hit = key === undefined ? undefined : cache.lookup(pid, key);
  let argv: readonly string[] | undefined;
  if (hit) argv = hit.argv;
  else {
    try {
      const parsed = parseCmdline(await fs.readFile(`/proc/${pid}/cmdline`));
      argv = isQemuArgv(parsed) ? parsed : undefined;
      if (key !== undefined) cache.remember(pid, key, argv);
    } catch {
      return undefined;
    }
  }
  // The stat line is reused only when nothing was read after it: read before a cmdline, it could
  // predate the process's exit that the cmdline read raced with.
  return argv ? { pid, argv, ...(hit ? { statText } : {}) } : undefined;
}

export async function openBlockDevices(fs: HostFs, pid: number, concurrency: number): Promise<DevT[]> {
  const fdDir = `/proc/${pid}/fd`;
  const fds = (await listRequired(fs, fdDir))
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b));
  // The link texts first (synchronous where the HostFs can: a QEMU has tens of fds, most of
  // them sockets and eventfds), then a stat only for the fds that can be block devices.
  const sync = fds.length > 0 ? syncReadlinkFor(fs, `${fdDir}/${fds[0]}`) : undefined;
  const candidates: string[] = [];
  for (const fd of fds) {
    const fdPath = `${fdDir}/${fd}`;
    const target = sync ? linkTextNow(sync, fdPath) : await fdLinkTarget(fs, fdPath);
    if (target === undefined || mayBeBlockDevice(target)) candidates.push(fdPath);
  }
  const devTs = await mapLimit(candidates, concurrency, async (fdPath) => {
    try {
      return await fs.blockDevT(fdPath);
    } catch {
      return undefined; // an fd closed between readdir and stat
    }
  });
  return [...new Set(devTs.filter((d): d is DevT => d !== undefined))];
}

/**
 * Everything about one QEMU pid. Throws ProcessVanishedError if it exited mid-read or is a zombie
 * (daemonized QEMU lingers as one briefly), other classified errors for unreadable files.
 */
export async function readQemuProcess(
  fs: HostFs,
  pid: number,
  argv: readonly string[],
  fdConcurrency: number,
  knownStatText?: string,
): Promise<QemuProcess> {
  const [statText, cgroupText, openDevTs] = await Promise.all([
    knownStatText ?? readRequired(fs, `/proc/${pid}/stat`),
    readRequired(fs, `/proc/${pid}/cgroup`),
    openBlockDevices(fs, pid, fdConcurrency).catch((err: unknown) => {
      throw classifyFsError(`/proc/${pid}/fd`, err);
    }),
  ]);
  const { state } = parseProcStat(statText);
  if (state === 'Z' || state === 'X') {
    throw new ProcessVanishedError(`process ${pid} is a zombie (exited)`, { pid, state });
  }
  return { pid, argv, state, cgroup: parseProcCgroup(cgroupText), openDevTs };
}
