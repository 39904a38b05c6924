/**
 * A HostFs decorator that bounds every read: a file that never answers (a /proc/PID/cmdline of
 * a process stuck in D state, a hung sysfs attribute) makes that one read fail with
 * SysfsReadError (errno ETIMEDOUT) after `timeoutMs`, so a snapshot never hangs. The
 * underlying call may still complete later; its result is ignored.
 */
import { SysfsReadError } from '../model/errors';
import type { HostFs } from '../model/seams';

export class GuardedHostFs implements HostFs {
  constructor(
    private readonly inner: HostFs,
    private readonly timeoutMs: number,
  ) {}

  get root(): string {
    return this.inner.root;
  }

  private guard<T>(path: string, op: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new SysfsReadError(`${path}: no answer within ${this.timeoutMs} ms`, {
          path,
          errno: 'ETIMEDOUT',
        });
        reject(err);
      }, this.timeoutMs);
      op().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
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
