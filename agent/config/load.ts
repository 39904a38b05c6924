/**
 * Reading configuration files (the only I/O in config/). Parsing is pure (config-file.ts).
 * Host file default: /etc/vmpath/config.json; cluster file (Proxmox pmxcfs): /etc/pve/vmpath.json.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigInvalidError } from '../model/errors';
import type { OriginKind } from '../model/policy';
import type { ParsedConfig } from './config-file';
import { EMPTY_CONFIG, parseConfigText } from './config-file';

export const HOST_CONFIG_PATH = '/etc/vmpath/config.json';
export const CLUSTER_CONFIG_PATH = '/etc/pve/vmpath.json';

/** Read and parse a config file; a missing or unreadable file is a ConfigInvalidError. */
export function loadConfigFile(path: string, kind: OriginKind = 'host-config'): ParsedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new ConfigInvalidError(`${path}: cannot read: ${msg}`, { file: path }, err);
  }
  return parseConfigText(text, path, kind);
}

/** Like loadConfigFile, but a file that does not exist means "no settings". */
export function loadOptionalConfigFile(path: string, kind: OriginKind = 'host-config'): ParsedConfig {
  try {
    return loadConfigFile(path, kind);
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (err instanceof ConfigInvalidError && code === 'ENOENT') return { ...EMPTY_CONFIG, file: path };
    throw err;
  }
}

/**
 * The agent's reader: `hostPath` under the host `root` (asynchronous, so a slow /etc/pve never
 * stalls the loop); a file that does not exist means "no settings", a malformed one throws
 * ConfigInvalidError with file:line.
 */
export async function readConfigUnder(
  root: string,
  hostPath: string,
  kind: OriginKind = 'host-config',
): Promise<ParsedConfig> {
  const real = root === '/' ? hostPath : path.join(root, path.posix.normalize('/' + hostPath));
  let text: string;
  try {
    text = await readFile(real, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...EMPTY_CONFIG, file: hostPath };
    throw new ConfigInvalidError(`${hostPath}: cannot read: ${(e as Error).message}`, { file: hostPath }, e);
  }
  return parseConfigText(text, hostPath, kind);
}
