import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { controlBackends } from '../../../agent/act/control-backends';
import { parseConfigText } from '../../../agent/config';
import { RootedHostFs } from '../../../agent/os/host-fs';

const conf = (control: unknown) => JSON.stringify({ control }, null, 2);

describe('config `control` section', () => {
  it('parses the libvirt URI and a token-authenticated Proxmox API', () => {
    const c = parseConfigText(
      conf({
        libvirtUri: 'qemu+unix:///system?socket=/run/x/libvirt-sock',
        proxmoxApi: { tokenId: 'root@pam!vmpath', tokenSecretFile: '/etc/vmpath/pve-token', node: 'pve1' },
      }),
      'config.json',
    );
    expect(c.control).toEqual({
      libvirtUri: 'qemu+unix:///system?socket=/run/x/libvirt-sock',
      proxmoxApi: {
        host: 'localhost',
        port: 8006,
        node: 'pve1',
        tokenId: 'root@pam!vmpath',
        tokenSecretFile: '/etc/vmpath/pve-token',
      },
    });
    expect(parseConfigText('{}', 'c.json').control).toEqual({});
  });

  it.each([
    [{ proxmoxApi: { tokenId: 'root@pam', tokenSecretFile: '/x' } }, /USER@REALM!TOKENID/],
    [{ proxmoxApi: { tokenId: 'root@pam!t', tokenSecretFile: 'relative' } }, /absolute file path/],
    [
      { proxmoxApi: { tokenId: 'root@pam!t', tokenSecretFile: '/x', secret: 's' } },
      /unknown key "control.proxmoxApi.secret"/,
    ],
    [{ proxmoxApi: { tokenId: 'root@pam!t', tokenSecretFile: '/x', port: 70000 } }, /TCP port/],
    [{ proxmoxApi: { tokenId: 'root@pam!t', tokenSecretFile: '/x', node: 'a/b' } }, /node name/],
    [{ libvirtUri: 'not a uri' }, /libvirt URI/],
    [{ nope: 1 }, /unknown key "control.nope"/],
    ['string', /control must be an object/],
  ])('rejects %j with a file:line error', (control, msg) => {
    expect(() => parseConfigText(conf(control), 'config.json')).toThrow(msg);
    expect(() => parseConfigText(conf(control), 'config.json')).toThrow(/^config.json:2: /);
  });
});

describe('controlBackends', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmpath-control-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const hostFs = new RootedHostFs(root);
  const api = {
    host: 'localhost',
    port: 8006,
    tokenId: 'root@pam!vmpath',
    tokenSecretFile: '/etc/vmpath/pve-token',
  };

  it('nothing configured → no Proxmox API backend, default libvirt URI', async () => {
    expect(await controlBackends(hostFs, {})).toEqual({});
    expect(await controlBackends(hostFs, { libvirtUri: 'test:///default' })).toEqual({
      libvirtUri: 'test:///default',
    });
  });

  it('a missing or empty token secret file is a ConfigInvalidError naming the file', async () => {
    await expect(controlBackends(hostFs, { proxmoxApi: api })).rejects.toMatchObject({
      code: 'VMPATH_E_CONFIG_INVALID',
      message: expect.stringContaining('/etc/vmpath/pve-token'),
    });
    fs.mkdirSync(path.join(root, 'etc/vmpath'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/vmpath/pve-token'), '\n');
    await expect(controlBackends(hostFs, { proxmoxApi: api })).rejects.toThrow(/empty file/);
  });

  it('builds the API backend with the node from /etc/hostname', async () => {
    fs.writeFileSync(path.join(root, 'etc/vmpath/pve-token'), '0b5e-secret\n');
    fs.writeFileSync(path.join(root, 'etc/hostname'), 'pve7.example.com\n');
    const b = await controlBackends(hostFs, { proxmoxApi: api });
    expect(b.proxmoxApi).toBeDefined();
    expect((b.proxmoxApi as unknown as { node: string }).node).toBe('pve7');
  });
});
