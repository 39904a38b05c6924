/**
 * What each process's argv said, kept between snapshots of one host: a process is known by its
 * pid, its start time and its comm (/proc/PID/stat). The start time with the pid names one
 * process for its whole life; comm changes when it execs another program (a wrapper that execs
 * QEMU keeps pid and start time), so that process is read again.
 *
 * Why: /proc/PID/cmdline is the one /proc file that takes the process's memory lock. A QEMU whose
 * storage just lost every path can hold that lock for as long as its I/O hangs; re-reading it
 * each snapshot would time out and drop exactly the VM that needs protecting. A known process's
 * argv is not read again. It also saves a large host one async read per process per snapshot.
 */
import type { ProcStat } from '../parse/proc-files';

interface Entry {
  readonly key: string;
  /** undefined: not QEMU. */
  readonly argv: readonly string[] | undefined;
}

export class ArgvCache {
  private readonly byPid = new Map<number, Entry>();

  /** The key for a parsed stat line; undefined when it has no start time (then nothing is cached). */
  static keyOf(stat: ProcStat): string | undefined {
    return stat.startTime === undefined ? undefined : `${stat.startTime} ${stat.comm}`;
  }

  /** `{ argv }` when this process was seen before (argv undefined: not QEMU), else undefined. */
  lookup(pid: number, key: string): { readonly argv: readonly string[] | undefined } | undefined {
    const hit = this.byPid.get(pid);
    return hit && hit.key === key ? hit : undefined;
  }

  remember(pid: number, key: string, argv: readonly string[] | undefined): void {
    this.byPid.set(pid, { key, argv });
  }

  /** Forget processes that are gone (call with every pid of the latest /proc listing). */
  retainOnly(pids: ReadonlySet<number>): void {
    for (const pid of this.byPid.keys()) if (!pids.has(pid)) this.byPid.delete(pid);
  }

  get size(): number {
    return this.byPid.size;
  }
}
