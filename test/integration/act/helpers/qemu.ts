/**
 * A real QEMU (7.2) with no guest: `-machine none`, a QMP unix socket, daemonized, named and
 * socketed uniquely per test run (RIG.md). `stop()` kills it and removes its files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export class TestQemu {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'vmpath-qmp-'));
  readonly socket: string;
  readonly pidfile = path.join(this.dir, 'qemu.pid');
  pid = 0;

  /** `socket`: where QMP listens (default: in the run's temp dir). */
  constructor(
    readonly vmId: string,
    socket?: string,
    /** Extra QEMU arguments, e.g. `-drive` options. */
    private readonly extra: readonly string[] = [],
  ) {
    this.socket = socket ?? path.join(this.dir, 'qmp.sock');
  }

  start(): this {
    const argv = [
      '-machine',
      'none',
      '-nodefaults',
      '-display',
      'none',
      '-daemonize',
      '-qmp',
      `unix:${this.socket},server=on,wait=off`,
      '-name',
      `guest=vm${this.vmId},debug-threads=on`,
      '-pidfile',
      this.pidfile,
      ...this.extra,
    ];
    const r = spawnSync('qemu-system-x86_64', argv, { encoding: 'utf8', timeout: 20_000 });
    if (r.error)
      throw new Error(`qemu-system-x86_64 not runnable (install qemu-system-x86): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`qemu failed: ${r.stderr}`);
    this.pid = Number(readFileSync(this.pidfile, 'utf8').trim());
    if (!existsSync(this.socket)) throw new Error('QMP socket missing after daemonize');
    return this;
  }

  signal(sig: NodeJS.Signals): void {
    try {
      process.kill(this.pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** Running, not a zombie (daemonized QEMU lingers as a zombie briefly: check the state). */
  alive(): boolean {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      return !/\) [ZX] /.test(stat);
    } catch {
      return false;
    }
  }

  stop(): void {
    if (this.pid) this.signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
