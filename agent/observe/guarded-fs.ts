/**
 * A HostFs decorator that bounds every operation: a file that never answers (a /proc/PID/cmdline
 * of a process stuck in D state, a hung sysfs attribute) makes that one call fail with
 * SysfsReadError (errno ETIMEDOUT) after about `timeoutMs`, so a snapshot never hangs. The
 * underlying call may still complete later; its result is ignored.
 *
 * One watchdog timer serves all pending calls (a snapshot of a large host makes tens of thousands
 * of calls; a timer each would cost more than the reads). It runs only while calls are pending
 * and never keeps the process alive. The inner `sync` reads pass through unguarded: callers use
 * them only for files that cannot hang (sysfs, cgroupfs; see HostFsSync).
 */
import { SysfsReadError } from '../model/errors';
import type { HostFs, HostFsSync } from '../model/seams';

interface Pending {
  readonly path: string;
  readonly startMs: number;
  readonly reject: (err: Error) => void;
}

export class GuardedHostFs implements HostFs {
  private readonly pending = new Set<Pending>();
  private timer: NodeJS.Timeout | undefined;
  private lastSweepMs = 0;

  constructor(
    private readonly inner: HostFs,
    private readonly timeoutMs: number,
  ) {}

  private get intervalMs(): number {
    return Math.max(5, Math.floor(this.timeoutMs / 4));
  }

  get root(): string {
    return this.inner.root;
  }

  /** The inner synchronous reads, unguarded: a synchronous call cannot be timed out (see HostFsSync). */
  get sync(): HostFsSync | undefined {
    return this.inner.sync;
  }

  private sweep(): void {
    const now = Date.now();
    // A tick far later than scheduled means the event loop was busy (a long stretch of
    // synchronous work, e.g. thousands of sysfs reads). Answers that arrived meanwhile are
    // delivered later in this same loop turn: this round times nothing out, so a call is never
    // blamed for our own stall.
    const stalled = now - this.lastSweepMs > 2 * this.intervalMs;
    this.lastSweepMs = now;
    for (const p of stalled ? [] : this.pending) {
      if (now - p.startMs >= this.timeoutMs) {
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
      const entry: Pending = { path, startMs: Date.now(), reject };
      this.pending.add(entry);
      if (!this.timer) {
        this.lastSweepMs = Date.now();
        this.timer = setInterval(() => this.sweep(), this.intervalMs);
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
