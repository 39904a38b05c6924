/**
 * The `control` section of the host config file: how vmpath reaches the VM managers.
 *
 *   "control": {
 *     "libvirtUri": "qemu:///system",                // libvirt connection (default qemu:///system)
 *     "proxmoxApi": {                                // optional: pause/resume/migrate via the PVE API
 *       "host": "localhost", "port": 8006,
 *       "node": "pve1",                              // this host's PVE node name (default: hostname)
 *       "tokenId": "root@pam!vmpath",                // API token (no CSRF needed) ...
 *       "tokenSecretFile": "/etc/vmpath/pve-token",  // ... whose secret is in a root-only file
 *       "fingerprint256": "AA:BB:...",               // pin of a self-signed certificate, or
 *       "caFile": "/etc/pve/pve-root-ca.pem"         // a CA to verify against
 *     }
 *   }
 *
 * Secrets never sit in the config file itself (it is shown by `vmpath explain` and captured for
 * bug reports): only the path of a file holding the token secret. Pure: values are checked here,
 * files are read by act/control-backends.ts.
 */
import { ConfigInvalidError } from '../model/errors';

export interface ProxmoxApiConfig {
  readonly host: string;
  readonly port: number;
  readonly node?: string;
  readonly tokenId: string;
  readonly tokenSecretFile: string;
  readonly fingerprint256?: string;
  readonly caFile?: string;
}

export interface ControlConfig {
  readonly libvirtUri?: string;
  readonly proxmoxApi?: ProxmoxApiConfig;
}

const HOST = /^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/;
const NODE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
const TOKEN_ID = /^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z0-9._-]+$/;
const FINGERPRINT = /^([0-9A-Fa-f]{2}:?){32}$/;
const LIBVIRT_URI = /^[a-z][a-z0-9+]*:\/\/[^\s]*$/;

type Where = (key: string) => never;

function str(v: unknown, re: RegExp, key: string, expected: string, bad: Where): string {
  if (typeof v !== 'string' || !re.test(v)) bad(`${key}: expected ${expected}, got ${JSON.stringify(v)}`);
  return v as string;
}

function absPath(v: unknown, key: string, bad: Where): string {
  if (typeof v !== 'string' || !v.startsWith('/') || v.includes('..') || v.includes('\0'))
    bad(`${key}: expected an absolute file path, got ${JSON.stringify(v)}`);
  return v as string;
}

function proxmoxApi(v: unknown, bad: Where): ProxmoxApiConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('control.proxmoxApi must be an object');
  const o = v as Record<string, unknown>;
  const known = ['host', 'port', 'node', 'tokenId', 'tokenSecretFile', 'fingerprint256', 'caFile'];
  for (const k of Object.keys(o))
    if (!known.includes(k)) bad(`unknown key "control.proxmoxApi.${k}" (known: ${known.join(', ')})`);
  const port = o.port ?? 8006;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    bad(`control.proxmoxApi.port: expected a TCP port, got ${JSON.stringify(port)}`);
  return {
    host: str(o.host ?? 'localhost', HOST, 'control.proxmoxApi.host', 'a host name or address', bad),
    port: port as number,
    ...(o.node !== undefined
      ? { node: str(o.node, NODE, 'control.proxmoxApi.node', 'a node name', bad) }
      : {}),
    tokenId: str(o.tokenId, TOKEN_ID, 'control.proxmoxApi.tokenId', 'USER@REALM!TOKENID', bad),
    tokenSecretFile: absPath(o.tokenSecretFile, 'control.proxmoxApi.tokenSecretFile', bad),
    ...(o.fingerprint256 !== undefined
      ? {
          fingerprint256: str(
            o.fingerprint256,
            FINGERPRINT,
            'control.proxmoxApi.fingerprint256',
            'a SHA-256 fingerprint',
            bad,
          ),
        }
      : {}),
    ...(o.caFile !== undefined ? { caFile: absPath(o.caFile, 'control.proxmoxApi.caFile', bad) } : {}),
  };
}

/** Validates a `control` section (already plain JSON); errors name file:line. */
export function parseControlSection(v: unknown, file: string, line: number): ControlConfig {
  const bad: Where = (msg) => {
    throw new ConfigInvalidError(`${file}:${line}: ${msg}`, { file, line, key: 'control' });
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('control must be an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'libvirtUri' && k !== 'proxmoxApi')
      bad(`unknown key "control.${k}" (known: libvirtUri, proxmoxApi)`);
  return {
    ...(o.libvirtUri !== undefined
      ? { libvirtUri: str(o.libvirtUri, LIBVIRT_URI, 'control.libvirtUri', 'a libvirt URI', bad) }
      : {}),
    ...(o.proxmoxApi !== undefined ? { proxmoxApi: proxmoxApi(o.proxmoxApi, bad) } : {}),
  };
}
