/**
 * "VMs" as real QEMU processes with no guest code (`-machine none`), each in its own cgroup,
 * holding a drive open like a Proxmox/libvirt VM does; I/O through HMP `qemu-io` over QMP.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { background, sleep, stop, until } from './sh';
import { vmCgroup } from './rig';

export class LabVm {
  private constructor(
    readonly name: string,
    readonly cgroup: string,
    readonly qmpPath: string,
    private readonly child: ChildProcess,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Starts QEMU for `name` with one raw drive `d0` on dev (cache=none, aio=native). */
  static async start(name: string, dev: string): Promise<LabVm> {
    const cg = vmCgroup(`lab-${name}`);
    // Where Proxmox keeps it (vmpath's VM control looks there for kind-qemu VMs too).
    fs.mkdirSync('/run/qemu-server', { recursive: true });
    const qmp = `/run/qemu-server/${name}.qmp`;
    fs.rmSync(qmp, { force: true });
    const child = background(
      [
        'sh',
        '-c',
        'echo $$ > "$0/cgroup.procs" && exec "$@"',
        cg,
        'qemu-system-x86_64',
        '-machine',
        'none',
        '-nodefaults',
        '-display',
        'none',
        '-name',
        `guest=${name},debug-threads=on`,
        '-qmp',
        `unix:${qmp},server=on,wait=off`,
        '-drive',
        `file=${dev},format=raw,if=none,id=d0,cache=none,aio=native`,
      ],
      `/tmp/${name}.log`,
    );
    await until(`${name}'s QMP socket`, () => (fs.existsSync(qmp) ? true : undefined), 60_000, 100);
    return new LabVm(name, cg, qmp, child);
  }

  /** One QMP session: capabilities, then each command in order; returns their `return` values. */
  async qmp(
    commands: readonly { execute: string; arguments?: unknown }[],
    timeoutMs = 60_000,
  ): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(this.qmpPath);
      const replies: unknown[] = [];
      let buf = '';
      let sent = 0;
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`${this.name}: QMP timed out`));
      }, timeoutMs);
      const next = () => {
        const c = sent === 0 ? { execute: 'qmp_capabilities' } : commands[sent - 1];
        sent++;
        if (c) sock.write(`${JSON.stringify(c)}\n`);
      };
      sock.on('data', (d) => {
        buf += d.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line) as { QMP?: unknown; return?: unknown; error?: { desc: string } };
          if (msg.QMP !== undefined) next();
          else if (msg.error) {
            clearTimeout(timer);
            sock.destroy();
            reject(new Error(`${this.name}: QMP error: ${msg.error.desc}`));
          } else if ('return' in msg) {
            if (sent > 1) replies.push(msg.return);
            if (sent > commands.length) {
              clearTimeout(timer);
              sock.end();
              resolve(replies);
            } else next();
          }
        }
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Reads `bytes` from d0 with qemu-io inside QEMU (O_DIRECT: the drive is cache=none). */
  async read(offset: number, bytes: number): Promise<string> {
    const [r] = await this.qmp([
      {
        execute: 'human-monitor-command',
        arguments: { 'command-line': `qemu-io d0 "read ${offset} ${bytes}"` },
      },
    ]);
    return String(r);
  }

  async status(): Promise<string> {
    const [r] = await this.qmp([{ execute: 'query-status' }]);
    return (r as { status: string }).status;
  }

  async stop(): Promise<void> {
    await stop(this.child);
    await sleep(100);
  }
}
