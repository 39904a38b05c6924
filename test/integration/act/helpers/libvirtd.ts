/**
 * A real libvirtd 9 for the integration tests (RIG.md recipe): started by hand (no systemd here)
 * in its own mount namespace over a private state tree (helpers/libvirtd-ns.js), so the host's
 * /etc/libvirt, sockets and domains are never touched. qemu.conf runs QEMU as root without a
 * security driver and with file stdio (no virtlogd); libvirtd.conf needs no auth on the unix
 * socket. Clients connect with `uri` (qemu+unix:///system?socket=...). Needs root,
 * libvirt-daemon + libvirt-daemon-driver-qemu (scripts/install-test-deps) and a `libvirt-qemu`
 * user, which libvirtd wants even when QEMU runs as root (created if missing).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const LIBVIRTD = '/usr/sbin/libvirtd';

function run(
  argv: readonly string[],
  timeout = 60_000,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
}

export function requireLibvirtd(): void {
  if (process.getuid?.() !== 0) throw new Error('the libvirtd tests need root');
  if (!fs.existsSync(LIBVIRTD))
    throw new Error(`${LIBVIRTD} missing: scripts/install-test-deps installs libvirt-daemon-driver-qemu`);
  if (run(['id', 'libvirt-qemu']).status !== 0) {
    const r = run(['useradd', '--system', '--no-create-home', '--user-group', 'libvirt-qemu']);
    if (r.status !== 0) throw new Error(`useradd libvirt-qemu: ${r.stderr}`);
  }
}

export class Libvirtd {
  readonly state = fs.mkdtempSync(path.join(os.tmpdir(), 'vmpath-libvirtd-'));
  readonly uri = `qemu+unix:///system?socket=${this.state}/run/libvirt/libvirt-sock`;
  private child: ChildProcess | undefined;
  private readonly log = path.join(this.state, 'libvirtd.log');

  /** Starts the daemon and waits until it answers (the first call probes QEMU: ~4 s). */
  async start(timeoutMs = 90_000): Promise<void> {
    const etc = path.join(this.state, 'etc/libvirt');
    fs.mkdirSync(path.join(etc, 'hooks'), { recursive: true });
    fs.writeFileSync(path.join(etc, 'libvirtd.conf'), 'auth_unix_rw = "none"\nauth_unix_ro = "none"\n');
    fs.writeFileSync(
      path.join(etc, 'qemu.conf'),
      'user = "root"\ngroup = "root"\nsecurity_driver = "none"\nstdio_handler = "file"\n',
    );
    const out = fs.openSync(this.log, 'a');
    this.child = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        process.execPath,
        path.join(__dirname, 'libvirtd-ns.js'),
        this.state,
      ],
      { stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`libvirtd exited (${this.child.exitCode}): ${this.logTail()}`);
      if (fs.existsSync(path.join(this.state, 'run/libvirt/libvirt-sock'))) {
        const r = run(['virsh', '-c', this.uri, 'version'], 30_000);
        if (r.status === 0) return;
        last = r.stderr;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error(`libvirtd did not answer within ${timeoutMs} ms: ${last} ${this.logTail()}`);
  }

  logTail(): string {
    try {
      return fs.readFileSync(this.log, 'utf8').slice(-2000);
    } catch {
      return '(no log)';
    }
  }

  virsh(...args: string[]): string {
    const r = run(['virsh', '-c', this.uri, ...args]);
    if (r.status !== 0) throw new Error(`virsh ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Destroys and undefines every domain, stops the daemon, removes the state tree. */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      for (const dom of run(['virsh', '-c', this.uri, 'list', '--all', '--name']).stdout.split('\n')) {
        if (!dom.trim()) continue;
        run(['virsh', '-c', this.uri, 'destroy', dom.trim()]);
        run(['virsh', '-c', this.uri, 'undefine', dom.trim()]);
      }
      const exited = new Promise((res) => this.child?.once('exit', res));
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((res) => (timer = setTimeout(res, 10_000)))]);
      clearTimeout(timer);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    fs.rmSync(this.state, { recursive: true, force: true });
  }
}
