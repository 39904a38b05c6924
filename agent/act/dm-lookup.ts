/**
 * Facts about a dm device that act/ needs: from the snapshot when it has them, else from sysfs
 * (`/sys/block/dm-N/dm/{name,uuid}`, `/sys/block/<dev>/dev`) — the reads host-interface.md lists.
 */
import type { HostFs } from '../model/seams';
import type { MultipathMap, DevT } from '../model/snapshot';
import { validateBlockDevName, validateDmName } from '../model/names';
import type { ActEnv } from './types';

export interface DmFacts {
  readonly name: string;
  readonly uuid: string;
  readonly devT?: DevT;
}

export function snapshotMap(env: ActEnv, name: string): MultipathMap | undefined {
  return env.snapshot?.maps.find((m) => m.name === name);
}

/** Scan /sys/block/dm-* for the device named `name`. */
export async function sysDmByName(fs: HostFs, name: string): Promise<DmFacts | undefined> {
  validateDmName(name);
  let entries: string[];
  try {
    entries = await fs.readdir('/sys/block');
  } catch {
    return undefined;
  }
  for (const dm of entries.filter((e) => /^dm-\d+$/.test(e))) {
    try {
      if ((await fs.readFile(`/sys/block/${dm}/dm/name`)).trim() !== name) continue;
      const uuid = (await fs.readFile(`/sys/block/${dm}/dm/uuid`)).trim();
      const devT = (await fs.readFile(`/sys/block/${dm}/dev`).catch(() => '')).trim();
      return { name, uuid, ...(devT ? { devT } : {}) };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** vmpath per-VM maps have uuid `vmpath-<vmid>-<wwid>`; multipathd maps `mpath-<wwid>`. */
export async function isVmpathMap(env: ActEnv, name: string): Promise<boolean> {
  const m = snapshotMap(env, name);
  if (m) return m.owner === 'vmpath';
  const facts = await sysDmByName(env.fs, name);
  return facts?.uuid.startsWith('vmpath-') ?? false;
}

export async function mapWwid(env: ActEnv, name: string): Promise<string | undefined> {
  const m = snapshotMap(env, name);
  if (m) return m.wwid;
  const facts = await sysDmByName(env.fs, name);
  return facts?.uuid.startsWith('mpath-') ? facts.uuid.slice('mpath-'.length) : undefined;
}

/** MAJ:MIN of a path device: the snapshot, else /sys/block/<dev>/dev. */
export async function pathDevT(env: ActEnv, dev: string): Promise<DevT> {
  validateBlockDevName(dev);
  const known = env.snapshot?.paths.find((p) => p.dev === dev)?.devT;
  if (known) return known;
  return (await env.fs.readFile(`/sys/block/${dev}/dev`)).trim();
}
