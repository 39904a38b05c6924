/**
 * The `cluster` section of the host config file: where cluster nodes exchange path health, so
 * decide/ can choose a migration target that really sees the VM's LUNs (docs/cluster.md).
 *
 *   "cluster": {
 *     "dir": "/etc/pve/vmpath/nodes",   // shared directory; one <node>.json per node
 *     "staleSeconds": 60,               // records older than this are ignored
 *     "node": "pve1"                    // this node's name (default: the host name)
 *   }
 *
 * Every key is optional. Without `dir`, a Proxmox host (one with /etc/pve) uses
 * DEFAULT_CLUSTER_DIR; any other host exchanges nothing. Pure: values are checked here, the
 * directory is read and written by loop/cluster-source.ts.
 */
import { ConfigInvalidError } from '../model/errors';

export interface ClusterConfig {
  readonly dir?: string;
  readonly staleSeconds?: number;
  readonly node?: string;
}

/** The shared directory on Proxmox VE: /etc/pve is pmxcfs, the same on every node. */
export const DEFAULT_CLUSTER_DIR = '/etc/pve/vmpath/nodes';
export const DEFAULT_STALE_SECONDS = 60;

const KNOWN = ['dir', 'staleSeconds', 'node'] as const;
const NODE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Validates a `cluster` section (already plain JSON); errors name file:line. */
export function parseClusterSection(v: unknown, file: string, line: number): ClusterConfig {
  const bad = (msg: string): never => {
    throw new ConfigInvalidError(`${file}:${line}: ${msg}`, { file, line, key: 'cluster' });
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('cluster must be an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!(KNOWN as readonly string[]).includes(k))
      bad(`unknown key "cluster.${k}" (known: ${KNOWN.join(', ')})`);
  const { dir, staleSeconds, node } = o;
  if (
    dir !== undefined &&
    (typeof dir !== 'string' || !dir.startsWith('/') || dir.includes('..') || dir.includes('\0'))
  )
    bad(`cluster.dir: expected an absolute directory path, got ${JSON.stringify(dir)}`);
  if (
    staleSeconds !== undefined &&
    (typeof staleSeconds !== 'number' ||
      !Number.isInteger(staleSeconds) ||
      staleSeconds < 5 ||
      staleSeconds > 86400)
  )
    bad(`cluster.staleSeconds: expected seconds 5..86400, got ${JSON.stringify(staleSeconds)}`);
  if (node !== undefined && (typeof node !== 'string' || !NODE.test(node)))
    bad(`cluster.node: expected a node name (one DNS label), got ${JSON.stringify(node)}`);
  return {
    ...(dir !== undefined ? { dir: dir as string } : {}),
    ...(staleSeconds !== undefined ? { staleSeconds: staleSeconds as number } : {}),
    ...(node !== undefined ? { node: node as string } : {}),
  };
}
