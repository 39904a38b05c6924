/**
 * A local HTTPS server that answers like a Proxmox VE 8 node for the endpoints vmpath uses:
 * /api2/json/access/ticket, /nodes/{node}/qemu/{vmid}/status/{current,suspend,resume,stop},
 * /nodes/{node}/qemu/{vmid}/migrate. Auth as PVE does it: PVEAuthCookie ticket (+ CSRFPreventionToken
 * header on writes) or `Authorization: PVEAPIToken=USER@REALM!ID=SECRET`. Errors as PVE sends them:
 * status line reason + `{"data":null}` (400 adds `errors`). Self-signed cert made with openssl (argv).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate, randomUUID } from 'node:crypto';
import * as https from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class FakePve {
  readonly requests: SeenRequest[] = [];
  readonly tickets = new Set<string>();
  readonly csrf = `CSRF-${randomUUID()}`;
  readonly token = { id: 'root@pam!vmpath', secret: randomUUID() };
  readonly vms = new Map<string, string>([['101', 'running']]);
  readonly node = 'pve1';
  cert = '';
  fingerprint256 = '';
  port = 0;
  private server: https.Server | undefined;
  private dir = mkdtempSync(path.join(os.tmpdir(), 'vmpath-pve-'));

  async start(): Promise<this> {
    const key = path.join(this.dir, 'key.pem');
    const crt = path.join(this.dir, 'cert.pem');
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`openssl failed (is it installed?): ${r.stderr ?? r.error?.message}`);
    this.cert = readFileSync(crt, 'utf8');
    this.fingerprint256 = new X509Certificate(this.cert).fingerprint256;
    this.server = https.createServer({ key: readFileSync(key), cert: this.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        this.handle(req.method ?? '', req.url ?? '', req.headers, body, res);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private reply(
    res: ServerResponse,
    status: number,
    reason: string,
    data: unknown,
    errors?: Record<string, string>,
  ) {
    res.writeHead(status, reason, { 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify({ data, ...(errors ? { errors } : {}) }));
  }

  private handle(
    method: string,
    url: string,
    headers: SeenRequest['headers'],
    body: string,
    res: ServerResponse,
  ) {
    const form = new URLSearchParams(body);
    if (method === 'POST' && url === '/api2/json/access/ticket') {
      if (form.get('username') !== 'root@pam' || form.get('password') !== 'secret') {
        return this.reply(res, 401, 'authentication failure', null);
      }
      const ticket = `PVE:root@pam:${randomUUID()}`;
      this.tickets.add(ticket);
      return this.reply(res, 200, 'OK', { ticket, CSRFPreventionToken: this.csrf, username: 'root@pam' });
    }
    const auth = String(headers['authorization'] ?? '');
    const cookie = /PVEAuthCookie=([^;]+)/.exec(String(headers['cookie'] ?? ''))?.[1];
    if (auth) {
      if (auth !== `PVEAPIToken=${this.token.id}=${this.token.secret}`)
        return this.reply(res, 401, 'invalid token value!', null);
    } else if (!cookie || !this.tickets.has(decodeURIComponent(cookie))) {
      return this.reply(res, 401, 'No ticket', null);
    } else if (method !== 'GET' && headers['csrfpreventiontoken'] !== this.csrf) {
      return this.reply(res, 401, 'Permission denied - invalid csrf token', null);
    }
    const m =
      /^\/api2\/json\/nodes\/([^/]+)\/qemu\/(\d+)\/(status\/(current|suspend|resume|stop)|migrate)$/.exec(
        url,
      );
    if (!m || m[1] !== this.node)
      return this.reply(res, 501, `Method '${method} ${url.slice(10)}' not implemented`, null);
    const vmid = m[2] as string;
    const state = this.vms.get(vmid);
    if (!state) {
      return this.reply(
        res,
        500,
        `Configuration file 'nodes/${this.node}/qemu-server/${vmid}.conf' does not exist`,
        null,
      );
    }
    const upid = (what: string) => `UPID:${this.node}:0000A1B2:0001C3D4:6543210F:${what}:${vmid}:root@pam:`;
    switch (m[4] ?? 'migrate') {
      case 'current':
        if (method !== 'GET') break;
        return this.reply(res, 200, 'OK', {
          vmid: Number(vmid),
          status: 'running',
          qmpstatus: state,
          name: `vm${vmid}`,
        });
      case 'suspend':
        this.vms.set(vmid, 'paused');
        return this.reply(res, 200, 'OK', upid('qmsuspend'));
      case 'resume':
        this.vms.set(vmid, 'running');
        return this.reply(res, 200, 'OK', upid('qmresume'));
      case 'stop':
        this.vms.set(vmid, 'stopped');
        return this.reply(res, 200, 'OK', upid('qmstop'));
      case 'migrate':
        if (!form.get('target')) {
          return this.reply(res, 400, 'Parameter verification failed.', null, {
            target: 'property is missing and it is not optional',
          });
        }
        return this.reply(res, 200, 'OK', upid('qmigrate'));
    }
    return this.reply(res, 501, `Method '${method} ${url.slice(10)}' not implemented`, null);
  }
}
