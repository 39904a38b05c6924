/**
 * The sysfs half of a snapshot, in one call: /sys/block (scanBlockDevices) and every path device
 * that sits under a multipath or per-VM map, or is an NVMe native-multipath path. It reads before
 * the maps are known (a map's table may name a path that no map lists as a slave: the caller reads
 * those few afterwards), so it can run on its own thread (scan-thread.ts) while the main thread
 * talks to multipathd and reads /proc.
 *
 * Counter files (`stat`, `inflight`) are left to the caller when `withCounters` is false: see
 * readPathDeviceWithoutCounters.
 */
import type { HostFs } from '../../model/seams';
import type { DevT } from '../../model/snapshot';
import { mapLimit } from '../concurrency';
import type { DiagnosticSink } from '../diagnostics';
import { naturalSortBy } from '../natural-order';
import type { Diskstats } from '../parse/diskstats';
import { NVME_PATH, scanBlockDevices, type BlockIndex, type BlockNode } from './block-index';
import { readPathDeviceWithoutCounters, type PathDeviceRead } from './path-devices';
import { TransportReader } from './transport';

export interface SysfsScan {
  readonly index: BlockIndex;
  /** By kernel name: the path devices read so far. */
  readonly paths: ReadonlyMap<string, PathDeviceRead>;
}

/**
 * Path devices worth describing: slaves of multipath and per-VM maps, NVMe paths, and (when the
 * maps are known) non-dm devices their tables name. Natural order by kernel name.
 */
export function pathNodes(index: BlockIndex, mapPathDevTs: ReadonlySet<DevT> = new Set()): BlockNode[] {
  const names = new Set<string>();
  for (const node of index.byName.values()) {
    const role = node.dm?.role.kind;
    if (role === 'multipath' || role === 'vm-map') for (const s of node.slaves) names.add(s);
    if (!node.dm && (mapPathDevTs.has(node.devT) || NVME_PATH.test(node.name))) names.add(node.name);
  }
  const nodes = [...names]
    .map((n) => index.byName.get(n))
    .filter((n): n is BlockNode => n !== undefined && !n.dm);
  return naturalSortBy(nodes, (n) => n.name);
}

/** Read the path devices among `nodes`; one that cannot be read is left out with a diagnostic. */
export async function readPathDevices(
  fs: HostFs,
  nodes: readonly BlockNode[],
  transports: TransportReader,
  diag: DiagnosticSink,
  concurrency: number,
  diskstats?: Diskstats,
): Promise<Map<string, PathDeviceRead>> {
  const out = new Map<string, PathDeviceRead>();
  const results = await mapLimit(nodes, concurrency, async (node) => {
    try {
      return await readPathDeviceWithoutCounters(fs, node, transports, diag, diskstats);
    } catch (err) {
      diag.error(`path ${node.name}`, err);
      return undefined;
    }
  });
  for (const r of results) if (r) out.set(r.device.dev, r);
  return out;
}

export async function scanSysfs(
  fs: HostFs,
  diag: DiagnosticSink,
  concurrency: number,
  diskstats: Diskstats,
): Promise<SysfsScan> {
  const index = await scanBlockDevices(fs, diag, concurrency, diskstats);
  const paths = await readPathDevices(
    fs,
    pathNodes(index),
    new TransportReader(fs),
    diag,
    concurrency,
    diskstats,
  );
  return { index, paths };
}
