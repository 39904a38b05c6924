/**
 * A HostFs decorator that bounds every operation: a file that never answers (a /proc/PID/cmdline
 * of a process stuck in D state, a hung sysfs attribute) makes that one call fail with
 * SysfsReadError (errno ETIMEDOUT) after about `timeoutMs`, so a snapshot never hangs. The
 * underlying call may still complete later; its result is ignored.
 *
 * What counts is how long the event loop sat idle waiting while the call was pending, not wall
 * time: while this process is busy (a large host's snapshot parses megabytes and reads thousands
 * of sysfs files synchronously), answers that already arrived wait in the loop's queue, and a
 * read of several steps (open, read, close) waits once per step. A call that truly hangs leaves
 * the loop idle and times out after `timeoutMs` of that; a hard cap of HARD_CAP × `timeoutMs` of
 * wall time bounds it even in a process that is never idle.
 *
 * One watchdog timer serves all pending calls (a snapshot of a large host makes tens of thousands
 * of calls; a timer each would cost more than the reads). It runs only while calls are pending
 * and never keeps the process alive. The inner `sync` reads pass through unguarded: callers use
 * them only for files that cannot hang (sysfs, cgroupfs; see HostFsSync).
 */
import { performance } from 'node:perf_hooks';
import { SysfsReadError } from '../model/errors';
import type { HostFs, HostFsSync } from '../model/seams';

/** Wall-time cap on a pending call, in multiples of the (idle-time) timeout. */
const HARD_CAP = 10;

/** Milliseconds the event loop has spent idle (waiting for events) since it started. */
function loopIdleMs(): number {
  return performance.eventLoopUtilization().idle;
}

interface Pending {
  readonly path: string;
  readonly startMs: number;
  readonly startIdleMs: number;
  readonly reject: (err: Error) => void;
}

export class GuardedHostFs implements HostFs {
  private readonly pending = new Set<Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly inner: HostFs,
    private readonly timeoutMs: number,
  ) {}

  get root(): string {
    return this.inner.root;
  }

  /** The inner tree, for a thread that reads it directly (nothing to guard there: see HostFs.directRoot). */
  get directRoot(): string | undefined {
    return this.inner.directRoot;
  }

  /** The inner synchronous reads, unguarded: a synchronous call cannot be timed out (see HostFsSync). */
  get sync(): HostFsSync | undefined {
    return this.inner.sync;
  }

  private sweep(): void {
    const now = Date.now();
    const idle = loopIdleMs();
    for (const p of this.pending) {
      if (idle - p.startIdleMs >= this.timeoutMs || now - p.startMs >= HARD_CAP * this.timeoutMs) {
        this.pending.delete(p);
        p.reject(
          new SysfsReadError(`${p.path}: no answer within ${this.timeoutMs} ms`, {
            path: p.path,
            errno: 'ETIMEDOUT',
          }),
        );
      }
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private guard<T>(path: string, op: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { path, startMs: Date.now(), startIdleMs: loopIdleMs(), reject };
      this.pending.add(entry);
      if (!this.timer) {
        this.timer = setInterval(() => this.sweep(), Math.max(5, Math.floor(this.timeoutMs / 4)));
        this.timer.unref();
      }
      op().then(
        (v) => {
          if (this.pending.delete(entry)) resolve(v);
        },
        (e: unknown) => {
          if (this.pending.delete(entry)) reject(e);
        },
      );
    });
  }

  readFile(p: string): Promise<string> {
    return this.guard(p, () => this.inner.readFile(p));
  }
  writeFile(p: string, data: string): Promise<void> {
    return this.guard(p, () => this.inner.writeFile(p, data));
  }
  readdir(p: string): Promise<string[]> {
    return this.guard(p, () => this.inner.readdir(p));
  }
  readlink(p: string): Promise<string> {
    return this.guard(p, () => this.inner.readlink(p));
  }
  realpath(p: string): Promise<string> {
    return this.guard(p, () => this.inner.realpath(p));
  }
  exists(p: string): Promise<boolean> {
    return this.guard(p, () => this.inner.exists(p));
  }
  blockDevT(p: string): Promise<string | undefined> {
    return this.guard(p, () => this.inner.blockDevT(p));
  }
}
