/**
 * Proxmox VE host facts, each read once per snapshot: which pid belongs to which vmid
 * (/var/run/qemu-server/<vmid>.pid), and a VM's tags (`tags:` in /etc/pve/qemu-server/<vmid>.conf,
 * main section only; snapshots follow in `[name]` sections). Nothing under /etc/pve/priv is read.
 */
import { validateVmId } from '../../model/names';
import type { HostFs } from '../../model/seams';
import { mapLimit } from '../concurrency';
import type { DiagnosticSink } from '../diagnostics';
import { listOptional, readOptional } from '../read';

export const PVE_RUN_DIR = '/var/run/qemu-server';
export const PVE_CONF_DIR = '/etc/pve/qemu-server';

/** pid → vmid for every `<vmid>.pid` in /var/run/qemu-server. Empty on non-Proxmox hosts. */
export async function readProxmoxPidfiles(
  fs: HostFs,
  diag: DiagnosticSink,
  concurrency: number,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let names: string[];
  try {
    names = (await listOptional(fs, PVE_RUN_DIR)).filter((n) => /^\d+\.pid$/.test(n));
  } catch (err) {
    diag.error('host', err);
    return out;
  }
  await mapLimit(names, concurrency, async (name) => {
    try {
      const text = (await readOptional(fs, `${PVE_RUN_DIR}/${name}`))?.trim();
      if (text && /^\d+$/.test(text)) out.set(Number(text), name.slice(0, -'.pid'.length));
    } catch (err) {
      diag.error(`pidfile ${name}`, err);
    }
  });
  return out;
}

/** Tags from a Proxmox VM config text: `tags: a;b` (also `,` or space separated). Pure. */
export function parseProxmoxTags(conf: string): string[] {
  for (const line of conf.split('\n')) {
    if (line.startsWith('[')) break;
    const m = /^tags:\s*(.*)$/.exec(line);
    if (m) return (m[1] as string).split(/[;,\s]+/).filter(Boolean);
  }
  return [];
}

export async function readProxmoxTags(fs: HostFs, vmid: string): Promise<string[]> {
  validateVmId(vmid);
  const conf = await readOptional(fs, `${PVE_CONF_DIR}/${vmid}.conf`);
  return conf === undefined ? [] : parseProxmoxTags(conf);
}
