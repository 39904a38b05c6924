/**
 * The Proxmox API client and VmControl against a local HTTPS server following the real PVE API
 * (paths, `{data}` shapes, ticket + CSRF and API-token auth, the errors PVE returns), over TLS
 * verified by CA or by certificate fingerprint pin.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProxmoxApiClient } from '../../../agent/act/vm/proxmox-api';
import { runCli } from '../../../agent/cli/run-cli';
import { ProxmoxApiVmControl } from '../../../agent/act/vm/proxmox-control';
import type { VmRef } from '../../../agent/model/seams';
import { FakePve } from './helpers/fake-pve';

const vm101: VmRef = { id: '101', kind: 'proxmox', name: 'vm101', pid: 0 };

describe('Proxmox VE API client (local HTTPS server)', () => {
  const pve = new FakePve();
  beforeAll(() => pve.start());
  afterAll(() => pve.stop());
  beforeEach(() => {
    pve.requests.length = 0;
    pve.vms.set('101', 'running');
  });

  const ticketClient = (extra: Partial<ConstructorParameters<typeof ProxmoxApiClient>[0]> = {}) =>
    new ProxmoxApiClient({
      host: 'localhost',
      port: pve.port,
      ca: pve.cert,
      auth: { kind: 'ticket', username: 'root@pam', password: 'secret' },
      timeoutMs: 3000,
      ...extra,
    });

  it('ticket auth: logs in, sends the cookie, CSRF header on writes only; suspend/resume/status', async () => {
    const control = new ProxmoxApiVmControl(ticketClient(), 'pve1');
    expect(await control.status(vm101)).toBe('running');
    await control.pause(vm101);
    expect(await control.status(vm101)).toBe('paused');
    await control.resume(vm101);
    expect(await control.status(vm101)).toBe('running');

    const [login, get, suspend] = pve.requests;
    expect(login).toMatchObject({ method: 'POST', url: '/api2/json/access/ticket' });
    expect(new URLSearchParams(login?.body).get('username')).toBe('root@pam');
    expect(login?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(get).toMatchObject({ method: 'GET', url: '/api2/json/nodes/pve1/qemu/101/status/current' });
    expect(String(get?.headers['cookie'])).toMatch(/^PVEAuthCookie=PVE%3Aroot%40pam%3A/);
    expect(get?.headers['csrfpreventiontoken']).toBeUndefined();
    expect(suspend).toMatchObject({ method: 'POST', url: '/api2/json/nodes/pve1/qemu/101/status/suspend' });
    expect(suspend?.headers['csrfpreventiontoken']).toBe(pve.csrf);
    expect(pve.requests.filter((r) => r.url.endsWith('/access/ticket'))).toHaveLength(1); // ticket reused
  });

  it('API token auth: Authorization header, no login, no cookie', async () => {
    const api = new ProxmoxApiClient({
      host: 'localhost',
      port: pve.port,
      ca: pve.cert,
      auth: { kind: 'token', tokenId: pve.token.id, secret: pve.token.secret },
    });
    const control = new ProxmoxApiVmControl(api, 'pve1');
    await control.pause(vm101);
    expect(pve.requests).toHaveLength(1);
    expect(pve.requests[0]?.headers['authorization']).toBe(`PVEAPIToken=${pve.token.id}=${pve.token.secret}`);
    expect(pve.requests[0]?.headers['cookie']).toBeUndefined();
  });

  it('migrate posts target and online=1 and returns the UPID', async () => {
    const control = new ProxmoxApiVmControl(ticketClient(), 'pve1');
    const upid = await control.migrateTask(vm101, 'pve2');
    expect(upid).toMatch(/^UPID:pve1:.*:qmigrate:101:root@pam:$/);
    const req = pve.requests.find((r) => r.url.endsWith('/migrate'));
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({ target: 'pve2', online: '1' });
  });

  it('bad password → ProxmoxAuthError (terminal)', async () => {
    const control = new ProxmoxApiVmControl(
      ticketClient({ auth: { kind: 'ticket', username: 'root@pam', password: 'wrong' } }),
      'pve1',
    );
    await expect(control.status(vm101)).rejects.toMatchObject({
      code: 'VMPATH_E_PROXMOX_AUTH',
      retryable: false,
      details: expect.objectContaining({ status: 401, reason: 'authentication failure' }),
    });
  });

  it('bad API token → ProxmoxAuthError', async () => {
    const api = new ProxmoxApiClient({
      host: 'localhost',
      port: pve.port,
      ca: pve.cert,
      auth: { kind: 'token', tokenId: pve.token.id, secret: 'nope' },
    });
    await expect(new ProxmoxApiVmControl(api, 'pve1').pause(vm101)).rejects.toMatchObject({
      code: 'VMPATH_E_PROXMOX_AUTH',
    });
  });

  it('a revoked ticket (401) is renewed once, transparently', async () => {
    const control = new ProxmoxApiVmControl(ticketClient(), 'pve1');
    await control.status(vm101);
    pve.tickets.clear();
    expect(await control.status(vm101)).toBe('running');
    expect(pve.requests.filter((r) => r.url.endsWith('/access/ticket'))).toHaveLength(2);
  });

  it('tickets older than 1.5 h are renewed before use', async () => {
    let now = 0;
    const control = new ProxmoxApiVmControl(ticketClient({ nowMs: () => now }), 'pve1');
    await control.status(vm101);
    now += 91 * 60 * 1000;
    await control.status(vm101);
    expect(pve.requests.filter((r) => r.url.endsWith('/access/ticket'))).toHaveLength(2);
  });

  it('500 (unknown VM config) → ProxmoxApiError retryable; 400/501 → ProxmoxRequestError terminal', async () => {
    const api = ticketClient();
    const control = new ProxmoxApiVmControl(api, 'pve1');
    await expect(control.status({ ...vm101, id: '999' })).rejects.toMatchObject({
      code: 'VMPATH_E_PROXMOX_API',
      retryable: true,
      details: expect.objectContaining({ status: 500 }),
    });
    await expect(api.post('/nodes/pve1/qemu/101/migrate', {})).rejects.toMatchObject({
      code: 'VMPATH_E_PROXMOX_REQUEST',
      retryable: false,
      details: expect.objectContaining({ status: 400 }),
    });
    await expect(api.post('/nodes/pve1/qemu/101/status/reboot-nope')).rejects.toMatchObject({
      code: 'VMPATH_E_PROXMOX_REQUEST',
      details: expect.objectContaining({ status: 501 }),
    });
  });

  it('fingerprint pin: the right pin connects without a CA; a wrong pin sends nothing', async () => {
    const pinned = new ProxmoxApiVmControl(
      new ProxmoxApiClient({
        host: '127.0.0.1',
        port: pve.port,
        fingerprint256: pve.fingerprint256.toLowerCase(),
        auth: { kind: 'token', tokenId: pve.token.id, secret: pve.token.secret },
      }),
      'pve1',
    );
    expect(await pinned.status(vm101)).toBe('running');
    pve.requests.length = 0;
    const wrong = new ProxmoxApiVmControl(
      new ProxmoxApiClient({
        host: '127.0.0.1',
        port: pve.port,
        fingerprint256: 'AA:'.repeat(31) + 'AA',
        auth: { kind: 'token', tokenId: pve.token.id, secret: pve.token.secret },
      }),
      'pve1',
    );
    await expect(wrong.status(vm101)).rejects.toMatchObject({ code: 'VMPATH_E_PROXMOX_AUTH' });
    expect(pve.requests).toHaveLength(0);
  });

  it('no CA and no pin: the self-signed certificate is refused (retryable transport error)', async () => {
    const api = new ProxmoxApiClient({
      host: 'localhost',
      port: pve.port,
      auth: { kind: 'token', tokenId: pve.token.id, secret: pve.token.secret },
    });
    await expect(api.get('/nodes/pve1/qemu/101/status/current')).rejects.toMatchObject({
      code: 'VMPATH_E_PROXMOX_API',
    });
    expect(pve.requests).toHaveLength(0);
  });

  it('`vmpath pause|resume` use the API configured in the config file (token secret in a file, CA file)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vmpath-pveroot-'));
    try {
      mkdirSync(path.join(root, 'etc/vmpath'), { recursive: true });
      writeFileSync(path.join(root, 'etc/vmpath/pve-token'), `${pve.token.secret}\n`, { mode: 0o600 });
      writeFileSync(path.join(root, 'etc/vmpath/pve-ca.pem'), pve.cert);
      writeFileSync(
        path.join(root, 'etc/vmpath/config.json'),
        JSON.stringify({
          control: {
            proxmoxApi: {
              host: 'localhost',
              port: pve.port,
              node: 'pve1',
              tokenId: pve.token.id,
              tokenSecretFile: '/etc/vmpath/pve-token',
              caFile: '/etc/vmpath/pve-ca.pem',
            },
          },
        }),
      );
      // a Proxmox VM as vmpath knows it without a snapshot: its QMP socket under the root
      mkdirSync(path.join(root, 'var/run/qemu-server'), { recursive: true });
      writeFileSync(path.join(root, 'var/run/qemu-server/101.qmp'), '');
      const out: string[] = [];
      const io = {
        out: (t: string) => void out.push(t),
        err: (t: string) => void out.push(t),
        readStdin: async () => '',
        isTty: false,
      };
      const paused = await runCli(['pause', '101', '--root', root, '--json'], io);
      expect(out.join('')).not.toMatch(/failed/);
      expect(paused).toBe(0);
      expect(pve.vms.get('101')).toBe('paused');
      expect(await runCli(['resume', '101', '--root', root, '--json'], io)).toBe(0);
      expect(pve.vms.get('101')).toBe('running');
      const writes = pve.requests.filter((r) => r.method === 'POST').map((r) => r.url);
      expect(writes).toEqual([
        '/api2/json/nodes/pve1/qemu/101/status/suspend',
        '/api2/json/nodes/pve1/qemu/101/status/resume',
      ]);
      expect(
        pve.requests.every(
          (r) => r.headers.authorization === `PVEAPIToken=${pve.token.id}=${pve.token.secret}`,
        ),
      ).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
