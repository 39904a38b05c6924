/**
 * The agent's notification socket (default /run/vmpath/notify.sock, mode 0600: root only).
 * Hooks (libvirt, Proxmox hookscript, udev) send one JSON line `{"source","vm","phase"}`; the
 * server validates it and turns it into a queue key. It never acts on the content: the reconcile
 * reads fresh state. Malformed or oversized messages are dropped with a counter, never a crash.
 */
import * as net from 'node:net';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { validateVmId } from '../model/names';

export interface HookNotice {
  readonly source: 'libvirt' | 'proxmox' | 'udev' | 'cli';
  readonly vm?: string;
  readonly phase?: string;
}

const MAX_MESSAGE = 4096;
const SOURCES = new Set(['libvirt', 'proxmox', 'udev', 'cli']);

/** Parses one notice; returns undefined for anything malformed (never throws). */
export function parseNotice(line: string): HookNotice | undefined {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || typeof v.source !== 'string' || !SOURCES.has(v.source))
      return undefined;
    const vm = v.vm === undefined ? undefined : validateVmId(v.vm);
    const phase = typeof v.phase === 'string' && /^[a-z0-9_-]{1,32}$/.test(v.phase) ? v.phase : undefined;
    return { source: v.source as HookNotice['source'], ...(vm ? { vm } : {}), ...(phase ? { phase } : {}) };
  } catch {
    return undefined;
  }
}

export function noticeKey(n: HookNotice): string {
  return n.vm ? `vm:${n.vm}` : `hook:${n.source}`;
}

export class NotifyServer {
  private server?: net.Server;
  dropped = 0;

  constructor(
    private readonly socketPath: string,
    private readonly onNotice: (n: HookNotice) => void,
  ) {}

  async listen(): Promise<void> {
    await fsp.mkdir(path.dirname(this.socketPath), { recursive: true, mode: 0o700 });
    await fsp.rm(this.socketPath, { force: true });
    const server = net.createServer((sock) => {
      let buf = '';
      sock.setEncoding('utf8');
      sock.setTimeout(2_000, () => sock.destroy());
      sock.on('data', (chunk: string) => {
        buf += chunk;
        if (buf.length > MAX_MESSAGE) {
          this.dropped++;
          sock.destroy();
          return;
        }
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const notice = parseNotice(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (notice) this.onNotice(notice);
          else this.dropped++;
        }
      });
      sock.on('error', () => undefined);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    await fsp.chmod(this.socketPath, 0o600);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fsp.rm(this.socketPath, { force: true });
  }
}
