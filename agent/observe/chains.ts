/**
 * Disk chains: from the block device a VM holds open, down through LVs, partitions, kpartx maps
 * and per-VM maps to the multipath maps and their path devices. Built only from the sysfs block
 * index (slaves/ links and partition parents), so it works the same for Proxmox shared LVM, raw
 * LUNs, kpartx partitions and per-VM maps. A VM may span several maps; a map may serve several VMs.
 * Cycles and dangling slaves/ entries become diagnostics, never loops or crashes.
 */
import type { ChainLink, DevT, VmDisk } from '../model/snapshot';
import type { DiagnosticSink } from './diagnostics';
import type { BlockIndex, BlockNode } from './sysfs/block-index';

const MAX_DEPTH = 32;

export interface ChainContext {
  readonly index: BlockIndex;
  readonly diag: DiagnosticSink;
  /** dm names multipath tools report as multipath maps (covers maps whose uuid is unusual). */
  readonly multipathNames: ReadonlySet<string>;
  /** Live dm tables by dm name (from `dmsetup table`), when known. */
  readonly tables?: ReadonlyMap<string, string>;
}

function linkKind(node: BlockNode, belowMultipath: boolean, ctx: ChainContext): ChainLink['kind'] {
  if (node.dm) {
    const role = node.dm.role.kind;
    if (role === 'dm-other' && ctx.multipathNames.has(node.dm.name)) return 'multipath';
    return role;
  }
  if (node.partitionOf !== undefined) return 'partition';
  return belowMultipath ? 'path' : 'disk';
}

/** multipathd map name by WWID (to find a per-VM map's base map). */
function mapsByWwid(index: BlockIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of index.byDmName.values()) {
    if (node.dm?.role.kind === 'multipath') out.set(node.dm.role.wwid, node.dm.name);
  }
  return out;
}

/** Resolve one disk. Pure over the index except for lazy partition reads. */
export async function resolveDisk(
  devT: DevT,
  ctx: ChainContext,
  byWwid: ReadonlyMap<string, string> = mapsByWwid(ctx.index),
): Promise<VmDisk> {
  const start = await ctx.index.nodeByDevT(devT);
  if (!start) {
    ctx.diag.add('info', `device ${devT}`, 'held open by a VM but not found in /sys/block');
    return { devT, dev: devT, chain: [], maps: [] };
  }
  const chain: ChainLink[] = [];
  const seen = new Set<string>();
  const maps: string[] = [];
  const subject = `disk ${start.name}`;

  const visit = async (node: BlockNode, belowMultipath: boolean, stack: readonly string[]): Promise<void> => {
    if (stack.includes(node.name)) {
      ctx.diag.add('warn', subject, `cycle in slaves: ${[...stack, node.name].join(' → ')}`);
      return;
    }
    if (stack.length >= MAX_DEPTH) {
      ctx.diag.add('warn', subject, `device stack deeper than ${MAX_DEPTH} at ${node.name}`);
      return;
    }
    const kind = linkKind(node, belowMultipath, ctx);
    if (!seen.has(node.name)) {
      seen.add(node.name);
      const table = node.dm ? ctx.tables?.get(node.dm.name) : undefined;
      chain.push({
        dev: node.name,
        devT: node.devT,
        kind,
        ...(node.dm ? { dmName: node.dm.name } : {}),
        ...(table !== undefined && kind !== 'multipath' && kind !== 'vm-map' ? { table } : {}),
      });
    }
    if (kind === 'multipath' && node.dm && !maps.includes(node.dm.name)) maps.push(node.dm.name);
    if (kind === 'vm-map' && node.dm?.role.kind === 'vm-map') {
      const base = byWwid.get(node.dm.role.wwid);
      if (base !== undefined && !maps.includes(base)) maps.push(base);
    }
    const below = belowMultipath || kind === 'multipath' || kind === 'vm-map';
    const next = [...stack, node.name];
    if (node.partitionOf !== undefined) {
      const parent = await ctx.index.nodeByName(node.partitionOf);
      if (parent) await visit(parent, below, next);
      return;
    }
    for (const slave of node.slaves) {
      const child = await ctx.index.nodeByName(slave);
      if (!child) {
        ctx.diag.add('warn', subject, `${node.name}: slave ${JSON.stringify(slave.slice(0, 40))} not found`);
        continue;
      }
      await visit(child, below, next);
    }
  };

  await visit(start, false, []);
  return { devT, dev: start.name, chain, maps };
}

/** Resolve many disks; the same MAJ:MIN is resolved once (VMs often share nothing, maps often are). */
export function diskResolver(ctx: ChainContext): (devT: DevT) => Promise<VmDisk> {
  const cache = new Map<DevT, Promise<VmDisk>>();
  const byWwid = mapsByWwid(ctx.index);
  return (devT) => {
    let hit = cache.get(devT);
    if (!hit) {
      hit = resolveDisk(devT, ctx, byWwid);
      cache.set(devT, hit);
    }
    return hit;
  };
}
