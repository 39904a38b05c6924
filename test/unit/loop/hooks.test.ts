/** The real hook scripts against the real notify server over a real unix socket. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NotifyServer, parseNotice, noticeKey } from '../../../agent/loop/notify-server';
import type { HookNotice } from '../../../agent/loop/notify-server';

const hooks = path.join(__dirname, '../../../hooks');

function runHook(
  script: string,
  args: string[],
  socket: string,
  stdin = '',
): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn('node', [path.join(hooks, script), ...args], {
      env: { ...process.env, VMPATH_NOTIFY_SOCKET: socket },
    });
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code, ms: Date.now() - t0 }));
  });
}

describe('hooks → notify socket', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vmpath-notify-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('libvirt and Proxmox hooks deliver a notice the agent turns into a VM key', async () => {
    const socket = path.join(dir, 'notify.sock');
    const got: HookNotice[] = [];
    const server = new NotifyServer(socket, (n) => got.push(n));
    await server.listen();
    try {
      expect(
        (await runHook('libvirt/qemu', ['web1', 'started', 'begin', '-'], socket, '<domain/>')).code,
      ).toBe(0);
      expect((await runHook('proxmox/vmpath-hookscript', ['101', 'post-start'], socket)).code).toBe(0);
      expect((await runHook('libvirt/qemu', ['web1', 'prepare', 'begin', '-'], socket)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([
        { source: 'libvirt', vm: 'web1', phase: 'started' },
        { source: 'proxmox', vm: '101', phase: 'post-start' },
      ]);
      expect(got.map(noticeKey)).toEqual(['vm:web1', 'vm:101']);
    } finally {
      await server.close();
    }
  }, 20_000);

  it('hooks exit 0 quickly when the agent is down, and reject hostile names', async () => {
    const socket = path.join(dir, 'absent.sock');
    const r = await runHook('proxmox/vmpath-hookscript', ['101', 'pre-start'], socket);
    expect(r.code).toBe(0);
    const r2 = await runHook('libvirt/qemu', ['../../etc', 'started', 'begin', '-'], socket);
    expect(r2.code).toBe(0);
    const r3 = await runHook('libvirt/qemu', ['web1', 'started', 'begin', '-'], socket);
    expect(r3.code).toBe(0);
    expect(r3.ms).toBeLessThan(3000);
  }, 20_000);

  it('the server drops malformed and oversized messages and keeps serving', () => {
    expect(parseNotice('{"source":"libvirt","vm":"a/../b"}')).toBeUndefined();
    expect(parseNotice('not json')).toBeUndefined();
    expect(parseNotice('{"source":"evil"}')).toBeUndefined();
    expect(parseNotice('{"source":"udev","phase":"change"}')).toEqual({ source: 'udev', phase: 'change' });
  });
});
