/**
 * VM control backends from the config file's `control` section (config/control.ts): the libvirt
 * URI, and a Proxmox API client whose token secret (and CA) are read from files under the host
 * root. The PVE node name defaults to the host's short hostname (`/etc/hostname`), as PVE names
 * its nodes. A secret file that cannot be read, or an empty one, is a ConfigInvalidError naming
 * the file — never a silent fallback to another backend.
 */
import type { ControlConfig } from '../config/control';
import { ConfigInvalidError } from '../model/errors';
import type { HostFs, VmControl } from '../model/seams';
import { ProxmoxApiClient } from './vm/proxmox-api';
import { ProxmoxApiVmControl } from './vm/proxmox-control';

async function readConfigured(fs: HostFs, file: string, what: string): Promise<string> {
  try {
    const text = (await fs.readFile(file)).trim();
    if (!text) throw new Error('empty file');
    return text;
  } catch (e) {
    throw new ConfigInvalidError(`control.proxmoxApi.${what} ${file}: ${(e as Error).message}`, {
      file,
      key: `control.proxmoxApi.${what}`,
    });
  }
}

export interface ControlBackends {
  readonly libvirtUri?: string;
  readonly proxmoxApi?: VmControl;
}

export async function controlBackends(
  fs: HostFs,
  control: ControlConfig | undefined,
): Promise<ControlBackends> {
  const api = control?.proxmoxApi;
  const libvirt = control?.libvirtUri ? { libvirtUri: control.libvirtUri } : {};
  if (!api) return libvirt;
  const secret = await readConfigured(fs, api.tokenSecretFile, 'tokenSecretFile');
  const ca = api.caFile ? await readConfigured(fs, api.caFile, 'caFile') : undefined;
  const node =
    api.node ?? (await readConfigured(fs, '/etc/hostname', 'node (from /etc/hostname)')).split('.')[0];
  const client = new ProxmoxApiClient({
    host: api.host,
    port: api.port,
    auth: { kind: 'token', tokenId: api.tokenId, secret },
    ...(ca ? { ca } : {}),
    ...(api.fingerprint256 ? { fingerprint256: api.fingerprint256 } : {}),
  });
  return { ...libvirt, proxmoxApi: new ProxmoxApiVmControl(client, node as string) };
}
