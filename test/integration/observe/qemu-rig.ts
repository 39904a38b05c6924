/**
 * Real QEMU processes for the observe integration tests (RIG.md): `-machine none` guests with
 * drives on loop devices, each moved into its own cgroup v1 blkio directory. Every name is
 * unique per run; `cleanup()` kills the processes, removes the cgroups (and parents it created),
 * detaches the loop devices and deletes files. Needs root, cgroup v1 blkio and qemu-system-x86.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BLKIO = '/sys/fs/cgroup/blkio';
export const QEMU = '/usr/bin/qemu-system-x86_64';

function run(argv: readonly string[]): string {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0)
    throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

export function requireRig(): void {
  if (process.getuid?.() !== 0)
    throw new Error('observe integration tests need root (cgroups, loop devices)');
  if (!fs.existsSync(QEMU))
    throw new Error(`${QEMU} missing: install qemu-system-x86 (scripts/install-test-deps)`);
  if (!fs.existsSync(`${BLKIO}/cgroup.procs`)) throw new Error(`cgroup v1 blkio is not mounted at ${BLKIO}`);
}

export interface Loop {
  readonly dev: string;
  readonly devT: string;
}

export interface StartedVm {
  readonly pid: number;
  /** cgroup path relative to the blkio mount. */
  readonly cgroup: string;
}

export class QemuRig {
  readonly tag = `${process.pid}-${Date.now().toString(36)}`;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmpath-observe-it-'));
  readonly loops: Loop[] = [];
  private readonly pids: number[] = [];
  /** Directories created, deepest last; removed in reverse (only if empty). */
  private readonly createdDirs: string[] = [];
  private readonly createdFiles: string[] = [];

  loop(mb = 8): Loop {
    const file = path.join(this.dir, `lun${this.loops.length}.img`);
    run(['truncate', '-s', `${mb}M`, file]);
    const dev = run(['losetup', '--find', '--show', file]);
    const devT = fs.readFileSync(`/sys/block/${path.basename(dev)}/dev`, 'utf8').trim();
    const loop = { dev, devT };
    this.loops.push(loop);
    return loop;
  }

  /** mkdir -p, remembering what it created. */
  mkdirs(dir: string): void {
    const missing: string[] = [];
    for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      fs.mkdirSync(d);
      this.createdDirs.push(d);
    }
  }

  /**
   * Start a daemonized QEMU with `extraArgs` and drives on `loops`, and move it into the blkio
   * cgroup `cgroup` (relative path). Returns once /proc/PID/cgroup shows it there.
   */
  start(extraArgs: readonly string[], loops: readonly Loop[], cgroup: string, pidfile?: string): StartedVm {
    const pf = pidfile ?? path.join(this.dir, `qemu${this.pids.length}.pid`);
    if (pidfile) {
      this.mkdirs(path.dirname(pidfile));
      this.createdFiles.push(pidfile);
    }
    const drives = loops.flatMap((l, i) => [
      '-drive',
      `file=${l.dev},format=raw,if=none,id=d${i},cache=none,aio=native`,
    ]);
    const qmp = path.join(this.dir, `qmp${this.pids.length}.sock`);
    run([
      QEMU,
      '-machine',
      'none',
      '-nodefaults',
      '-display',
      'none',
      '-daemonize',
      '-qmp',
      `unix:${qmp},server=on,wait=off`,
      '-pidfile',
      pf,
      ...extraArgs,
      ...drives,
    ]);
    const pid = Number(fs.readFileSync(pf, 'utf8').trim());
    this.pids.push(pid);
    this.mkdirs(`${BLKIO}${cgroup}`);
    fs.writeFileSync(`${BLKIO}${cgroup}/cgroup.procs`, `${pid}\n`);
    const seen = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    if (!seen.split('\n').some((l) => /:blkio:/.test(l) && l.endsWith(`:${cgroup}`))) {
      throw new Error(`qemu ${pid} is not in blkio cgroup ${cgroup}: ${seen}`);
    }
    return { pid, cgroup };
  }

  /** Resolves when /proc/PID is gone or a zombie. */
  static async waitExit(pid: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (/\) [ZX] /.test(stat)) return;
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`process ${pid} did not exit within ${timeoutMs} ms`);
  }

  async cleanup(): Promise<void> {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    for (const pid of this.pids) await QemuRig.waitExit(pid).catch(() => undefined);
    for (const f of this.createdFiles) fs.rmSync(f, { force: true });
    for (const d of [...this.createdDirs].reverse()) {
      for (let i = 0; i < 50; i++) {
        try {
          fs.rmdirSync(d);
          break;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTEMPTY') break; // someone else uses it now
          await new Promise((r) => setTimeout(r, 50)); // EBUSY: a zombie still counts
        }
      }
    }
    for (const l of this.loops) spawnSync('losetup', ['-d', l.dev]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
