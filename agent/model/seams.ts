/**
 * The two thin OS seams. Everything that reads or changes the host goes through them, so a real
 * host, the simulated host and a captured host run the same observe/ and act/ code.
 * Only types live here; implementations are in agent/os/ (real, replay) and agent/sim/.
 */

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Milliseconds; the program is killed (SIGKILL) and CommandTimeoutError thrown after it. */
  readonly timeoutMs?: number;
  readonly input?: string;
}

/**
 * Runs a program with an argv array, never a shell. Resolves with the exit code whatever it is
 * (callers decide what non-zero means); rejects only with CommandNotFoundError or
 * CommandTimeoutError.
 */
export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

/**
 * A filesystem rooted somewhere: `/` on a real host, a directory the simulator keeps, or an
 * extracted capture. Paths are absolute host paths (`/sys/block/sda/dev`); the implementation
 * maps them under its root. Errors are Node errno errors (ENOENT etc.) for callers to classify.
 */
export interface HostFs {
  readonly root: string;
  /**
   * Optional synchronous reads (see HostFsSync). Absent: callers use the async methods, with the
   * same results. Decorators pass it on only when they can honour it.
   */
  readonly sync?: HostFsSync | undefined;
  /**
   * Optional: a local directory holding this HostFs's tree, which another thread may read
   * directly (a RootedHostFs of that root) and get the same answers — except counter files
   * (`stat`, `inflight`), which a simulated host refreshes only when read through this HostFs.
   * Absent when reads must go through this object (recording, replayed errors, decorators that
   * cannot honour it).
   */
  readonly directRoot?: string | undefined;
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  /** Resolves symlinks under the root; returns a host path. */
  realpath(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  /** rdev of the file a path (e.g. /proc/PID/fd/N) points to, as `MAJ:MIN`, or undefined if not a block device. */
  blockDevT(path: string): Promise<string | undefined>;
}

/**
 * Synchronous twins of HostFs's reads, for files that are answered from memory by the local
 * kernel and never wait on anything (sysfs attributes and directories, cgroupfs control files, a
 * rooted directory on a local filesystem). A large host's snapshot makes tens of thousands of
 * such reads, and an async round trip through the thread pool costs several times the read.
 *
 * Callers choose which paths are safe: observe/ uses it only under `/sys`. /proc/PID/* of a
 * foreign process can block on that process's mm lock, and /etc/pve is a FUSE mount, so those
 * stay on the async methods (bounded by GuardedHostFs's timeout). Results and errno errors are
 * the same as the async methods'.
 */
export interface HostFsSync {
  readFile(path: string): string;
  readdir(path: string): string[];
  readlink(path: string): string;
  realpath(path: string): string;
  exists(path: string): boolean;
}

/** A clock, injected so loops and timeouts are testable. */
export interface Clock {
  nowMs(): number;
}

/** Which VM to control, as observe/ found it. */
export interface VmRef {
  readonly id: string;
  readonly kind: 'proxmox' | 'libvirt' | 'qemu';
  readonly name: string;
  readonly pid: number;
  /** The QMP socket observe found on the command line; QMP control uses it when set. */
  readonly qmpSocket?: string;
}

/**
 * VM control: QMP (Proxmox), libvirt, the Proxmox API, or the simulator. Implementations throw
 * typed errors (QmpTimeoutError, LibvirtError, ProxmoxApiError, VmNotFoundError, ...).
 */
export interface VmControl {
  status(vm: VmRef): Promise<'running' | 'paused' | 'unknown'>;
  pause(vm: VmRef): Promise<void>;
  resume(vm: VmRef): Promise<void>;
  /** Live-migrate to another cluster node; resolves when the migration has been started. */
  migrate(vm: VmRef, target: string): Promise<void>;
  /** Hard stop (resume policy `kill-after`). */
  kill(vm: VmRef): Promise<void>;
}
