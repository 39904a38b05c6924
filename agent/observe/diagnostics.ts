/**
 * Collects Diagnostics while a snapshot is built. Readers never throw past their own object: they
 * report what went wrong about which object (`vm 101`, `path sdb`) and observation goes on.
 */
import { VmpathError, asVmpathError, SysfsReadError } from '../model/errors';
import type { Diagnostic } from '../model/snapshot';

export class DiagnosticSink {
  private readonly items: Diagnostic[] = [];

  add(level: Diagnostic['level'], subject: string, message: string, code?: string): void {
    this.items.push(code === undefined ? { level, subject, message } : { level, subject, message, code });
  }

  /**
   * Record a caught error. Retryable errors (process vanished, cgroup gone) are the normal churn of a
   * live host and default to `info`; anything else defaults to `warn`.
   */
  error(subject: string, err: unknown, level?: Diagnostic['level']): void {
    const e: VmpathError = err instanceof VmpathError ? err : asVmpathError(err, SysfsReadError);
    this.add(level ?? (e.retryable ? 'info' : 'warn'), subject, e.message, e.code);
  }

  list(): Diagnostic[] {
    return [...this.items];
  }
}
