/**
 * Real components for the cgroup v1 tests: two loop devices over one backing file (two "paths"
 * to one LUN), a uniquely named blkio cgroup, and a way to run a direct-I/O dd inside it.
 * Everything is named per run and removed in `cleanup()`. Requires root and cgroup v1 blkio.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, rmdirSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BLKIO = '/sys/fs/cgroup/blkio';

function run(argv: string[]): string {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

export interface Loop {
  readonly dev: string; // /dev/loopN
  readonly devT: string; // 7:N
}

export class BlkioRig {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'vmpath-act-'));
  readonly cgroupRel = `/vmpath-test-${process.pid}-${Date.now().toString(36)}`;
  readonly loops: Loop[] = [];

  /** Backing file of `mb` MiB, attached twice. */
  setup(mb = 64): this {
    if (!existsSync(`${BLKIO}/cgroup.procs`)) throw new Error(`cgroup v1 blkio is not mounted at ${BLKIO}`);
    const file = path.join(this.dir, 'lun.img');
    run(['truncate', '-s', `${mb}M`, file]);
    // Real data, so reads are not of holes (which the loop driver could short-cut).
    run(['dd', 'if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mb}`, 'conv=notrunc', 'status=none']);
    for (let i = 0; i < 2; i++) {
      const dev = run(['losetup', '--find', '--show', file]);
      const devT = readFileSync(`/sys/block/${path.basename(dev)}/dev`, 'utf8').trim();
      this.loops.push({ dev, devT });
    }
    mkdirSync(this.cgroupDir());
    return this;
  }

  cgroupDir(): string {
    return `${BLKIO}${this.cgroupRel}`;
  }

  /** Reads `mib` MiB with O_DIRECT from `dev` in a process inside the rig's cgroup; bytes/s. */
  async readRate(dev: string, mib: number): Promise<number> {
    return this.ddRate([`if=${dev}`, 'of=/dev/null', 'bs=1M', `count=${mib}`, 'iflag=direct'], mib);
  }

  async ddRate(args: string[], mib: number): Promise<number> {
    // A node helper joins the cgroup first (the test writes its pid to cgroup.procs), then
    // starts dd, which inherits the cgroup; it reports dd's wall time.
    const helper = `const cp=require('child_process');process.stdin.once('data',()=>{const t=process.hrtime.bigint();const r=cp.spawnSync('dd',process.argv.slice(1),{encoding:'utf8'});const s=Number(process.hrtime.bigint()-t)/1e9;process.stdout.write(JSON.stringify({rc:r.status,secs:s,err:r.stderr}));process.exit(0)});`;
    const child = spawn(process.execPath, ['-e', helper, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    writeFileSync(`${this.cgroupDir()}/cgroup.procs`, `${child.pid}\n`);
    const cg = readFileSync(`/proc/${child.pid}/cgroup`, 'utf8');
    if (!cg.includes(`blkio:${this.cgroupRel}`)) throw new Error(`helper not in cgroup: ${cg}`);
    child.stdin.write('go\n');
    await new Promise((r) => child.on('close', r));
    const res = JSON.parse(out) as { rc: number; secs: number; err: string };
    if (res.rc !== 0) throw new Error(`dd failed: ${res.err}`);
    return (mib * 1024 * 1024) / res.secs;
  }

  cleanup(): void {
    for (const l of this.loops) spawnSync('losetup', ['-d', l.dev]);
    try {
      rmdirSync(this.cgroupDir());
    } catch {
      /* already removed by the test */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
