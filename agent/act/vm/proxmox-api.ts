/**
 * A small Proxmox VE API client on node:https (no runtime dependency; see
 * docs/decisions/act-proxmox-client.md). Paths and shapes follow the real API (`/api2/json/...`,
 * responses `{"data": ...}`).
 *
 * Auth, one of:
 *  - API token: header `Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET` (no CSRF needed);
 *  - ticket: `POST /access/ticket` (username, password) → `ticket`, `CSRFPreventionToken`; then
 *    cookie `PVEAuthCookie=<ticket>` on every request and header `CSRFPreventionToken` on writes.
 *    Tickets live 2 h: renewed after 1.5 h, and once on a 401.
 * TLS: a CA (PEM) to verify against, or a SHA-256 fingerprint pin of the server certificate (what
 * PVE nodes with self-signed certificates need), checked before any request byte is sent.
 * Errors: 401/403 → ProxmoxAuthError; 5xx (PVE also says 500 for a missing VM config),
 * network errors, timeouts → ProxmoxApiError (retryable); other 4xx (400 bad parameter, 404) and
 * 501 (method not implemented) → ProxmoxRequestError (terminal).
 */
import * as https from 'node:https';
import * as tls from 'node:tls';
import { ProxmoxApiError, ProxmoxAuthError, ProxmoxRequestError } from '../../model/errors';

export type ProxmoxAuth =
  | { readonly kind: 'token'; readonly tokenId: string; readonly secret: string }
  | { readonly kind: 'ticket'; readonly username: string; readonly password: string };

export interface ProxmoxApiOptions {
  readonly host: string;
  readonly port?: number;
  readonly auth: ProxmoxAuth;
  /** PEM CA bundle the server certificate must chain to. */
  readonly ca?: string;
  /** SHA-256 fingerprint of the server certificate, `AA:BB:...` (case and colons ignored). */
  readonly fingerprint256?: string;
  readonly timeoutMs?: number;
  readonly nowMs?: () => number;
}

const TICKET_RENEW_MS = 90 * 60 * 1000;

interface Ticket {
  readonly ticket: string;
  readonly csrf: string;
  readonly atMs: number;
}

const normFp = (fp: string) => fp.replace(/:/g, '').toUpperCase();

export class ProxmoxApiClient {
  private ticket: Ticket | undefined;

  constructor(private readonly options: ProxmoxApiOptions) {}

  get<T = unknown>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T = unknown>(path: string, params: Record<string, string | number> = {}): Promise<T> {
    return this.call<T>('POST', path, params);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    params?: Record<string, string | number>,
  ): Promise<T> {
    const headers = await this.authHeaders(method);
    try {
      return await this.request<T>(method, path, headers, params);
    } catch (e) {
      // A ticket can be revoked or expire early (clock skew): log in again once.
      if (
        e instanceof ProxmoxAuthError &&
        this.options.auth.kind === 'ticket' &&
        e.details['status'] === 401
      ) {
        this.ticket = undefined;
        return this.request<T>(method, path, await this.authHeaders(method), params);
      }
      throw e;
    }
  }

  private now(): number {
    return this.options.nowMs?.() ?? Date.now();
  }

  private async authHeaders(method: string): Promise<Record<string, string>> {
    const auth = this.options.auth;
    if (auth.kind === 'token') return { Authorization: `PVEAPIToken=${auth.tokenId}=${auth.secret}` };
    if (!this.ticket || this.now() - this.ticket.atMs > TICKET_RENEW_MS) {
      const data = await this.request<{ ticket?: string; CSRFPreventionToken?: string }>(
        'POST',
        '/access/ticket',
        {},
        { username: auth.username, password: auth.password },
      );
      if (!data?.ticket || !data.CSRFPreventionToken) {
        throw new ProxmoxAuthError('Proxmox API: login answered without ticket', { path: '/access/ticket' });
      }
      this.ticket = { ticket: data.ticket, csrf: data.CSRFPreventionToken, atMs: this.now() };
    }
    return {
      Cookie: `PVEAuthCookie=${encodeURIComponent(this.ticket.ticket)}`,
      ...(method === 'GET' ? {} : { CSRFPreventionToken: this.ticket.csrf }),
    };
  }

  /** TLS connection verified by CA or fingerprint before the request is written. */
  private connect(): Promise<tls.TLSSocket> {
    const { host, port = 8006, ca, fingerprint256 } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host,
        port,
        servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        ...(ca ? { ca } : {}),
        rejectUnauthorized: !fingerprint256,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ProxmoxApiError(`Proxmox API ${host}:${port}: TLS connect timed out`, { host, port }));
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        if (fingerprint256) {
          const got = socket.getPeerCertificate().fingerprint256 ?? '';
          if (normFp(got) !== normFp(fingerprint256)) {
            socket.destroy();
            reject(
              new ProxmoxAuthError(`Proxmox API ${host}: certificate fingerprint mismatch`, { host, got }),
            );
            return;
          }
        }
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new ProxmoxApiError(`Proxmox API ${host}:${port}: ${err.message}`, { host, port }, err));
      });
    });
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    params?: Record<string, string | number>,
  ): Promise<T> {
    const socket = await this.connect();
    const body = params
      ? new URLSearchParams(
          Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString()
      : '';
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const fullPath = `/api2/json${path}`;
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        {
          method,
          host: this.options.host,
          port: this.options.port ?? 8006,
          path: fullPath,
          // No agent: the request rides on the socket already verified in connect().
          createConnection: () => socket,
          headers: {
            ...headers,
            Accept: 'application/json',
            ...(method === 'POST'
              ? {
                  'Content-Type': 'application/x-www-form-urlencoded',
                  'Content-Length': Buffer.byteLength(body),
                }
              : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            const details = {
              method,
              path: fullPath,
              status,
              reason: res.statusMessage,
              body: text.slice(0, 400),
            };
            const what = `Proxmox API ${method} ${path}: ${status} ${res.statusMessage ?? ''}`.trim();
            if (status === 401 || status === 403) return reject(new ProxmoxAuthError(what, details));
            if (status >= 500 && status !== 501) return reject(new ProxmoxApiError(what, details));
            if (status < 200 || status >= 300) return reject(new ProxmoxRequestError(what, details));
            try {
              resolve((JSON.parse(text) as { data: T }).data);
            } catch (e) {
              reject(new ProxmoxApiError(`${what}: body is not JSON`, details, e));
            }
          });
          res.on('error', (err) =>
            reject(new ProxmoxApiError(`Proxmox API ${method} ${path}: ${err.message}`, {}, err)),
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(new ProxmoxApiError(`Proxmox API ${method} ${path}: timed out`, { path })),
      );
      req.on('error', (err) =>
        reject(
          err instanceof ProxmoxApiError
            ? err
            : new ProxmoxApiError(`Proxmox API ${method} ${path}: ${err.message}`, {}, err),
        ),
      );
      req.end(body);
    });
  }
}
