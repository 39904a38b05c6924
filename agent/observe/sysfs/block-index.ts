/**
 * One pass over /sys/block: every block device's MAJ:MIN, and for dm devices their name, uuid
 * (→ role), suspended flag, slaves and holders. Partitions (`/sys/block/<disk>/<part>/partition`)
 * are read lazily, only when a chain meets a device that is not a whole disk — most hosts never
 * need them, and a large host has thousands of path disks.
 */
import { validateBlockDevName } from '../../model/names';
import type { HostFs } from '../../model/seams';
import type { DevT } from '../../model/snapshot';
import { mapLimit } from '../concurrency';
import type { DiagnosticSink } from '../diagnostics';
import { classifyDmUuid, parseDevT, type DmRole } from '../parse/block-files';
import { NO_DISKSTATS, type Diskstats } from '../parse/diskstats';
import { listOptional, listRequired, readAttr, readAttrs, readRequired } from '../read';

/** An NVMe native-multipath path device `nvmeXcYnZ` (a hidden disk under head `nvmeXnZ`). */
export const NVME_PATH = /^nvme\d+c\d+n\d+$/;

/**
 * MAJ:MIN of a block device the kernel gave no dev_t: NVMe path devices are hidden gendisks
 * with no `dev` attribute and no /dev node (measured on Linux 6.1, test/fixtures/lab/nvme-*);
 * only their head namespace has one. Never indexed by MAJ:MIN.
 */
export const NO_DEV_T: DevT = '0:0';

export interface DmInfo {
  readonly name: string;
  readonly uuid?: string;
  readonly suspended: boolean;
  readonly role: DmRole;
}

export interface BlockNode {
  /** Kernel name: `sda`, `dm-3`, `sda1`, `nvme0c0n1`. */
  readonly name: string;
  /** NO_DEV_T for NVMe path devices (hidden disks have no dev_t). */
  readonly devT: DevT;
  readonly slaves: readonly string[];
  /** Read for dm maps (multipath, per-VM, other dm); empty for LVs, kpartx maps and disks. */
  readonly holders: readonly string[];
  readonly dm?: DmInfo;
  /** For partitions: the whole disk and the partition number. */
  readonly partitionOf?: string;
  readonly partition?: number;
}

export class BlockIndex {
  readonly byName = new Map<string, BlockNode>();
  readonly byDevT = new Map<DevT, BlockNode>();
  readonly byDmName = new Map<string, BlockNode>();
  private partitionScan?: Promise<void>;

  constructor(
    private readonly fs: HostFs,
    private readonly diag: DiagnosticSink,
    private readonly concurrency: number,
  ) {}

  add(node: BlockNode): void {
    this.byName.set(node.name, node);
    if (node.devT !== NO_DEV_T && !this.byDevT.has(node.devT)) this.byDevT.set(node.devT, node);
    if (node.dm) this.byDmName.set(node.dm.name, node);
  }

  /** Whole disks and dm devices (not partitions), in /sys/block order. */
  disks(): BlockNode[] {
    return [...this.byName.values()].filter((n) => n.partitionOf === undefined);
  }

  /** A node by MAJ:MIN, scanning partitions the first time a MAJ:MIN is not a whole disk. */
  async nodeByDevT(devT: DevT): Promise<BlockNode | undefined> {
    const hit = this.byDevT.get(devT);
    if (hit) return hit;
    await this.scanPartitions();
    return this.byDevT.get(devT);
  }

  /** A node by kernel name (slaves/ entries name partitions too). */
  async nodeByName(name: string): Promise<BlockNode | undefined> {
    const hit = this.byName.get(name);
    if (hit) return hit;
    await this.scanPartitions();
    return this.byName.get(name);
  }

  private scanPartitions(): Promise<void> {
    this.partitionScan ??= this.readPartitions();
    return this.partitionScan;
  }

  private async readPartitions(): Promise<void> {
    const disks = this.disks().filter((n) => !n.dm);
    await mapLimit(disks, this.concurrency, async (disk) => {
      try {
        const entries = await listOptional(this.fs, `/sys/block/${disk.name}`);
        for (const part of entries.filter((e) => e.startsWith(disk.name) && e !== disk.name)) {
          const base = `/sys/block/${disk.name}/${part}`;
          const number = await readAttr(this.fs, `${base}/partition`);
          if (number === undefined || !/^\d+$/.test(number)) continue;
          const devT = parseDevT(await readRequired(this.fs, `${base}/dev`), `${base}/dev`);
          const holders = await listOptional(this.fs, `${base}/holders`);
          this.add({
            name: part,
            devT,
            slaves: [],
            holders,
            partitionOf: disk.name,
            partition: Number(number),
          });
        }
      } catch (err) {
        this.diag.error(`disk ${disk.name}`, err);
      }
    });
  }
}

async function readNode(fs: HostFs, name: string, diskstats: Diskstats): Promise<BlockNode> {
  const base = `/sys/block/${name}`;
  if (NVME_PATH.test(name)) {
    const dev = await readAttr(fs, `${base}/dev`);
    return {
      name,
      devT: dev === undefined ? NO_DEV_T : parseDevT(dev, `${base}/dev`),
      slaves: [],
      holders: [],
    };
  }
  const devT =
    diskstats.byName.get(name)?.devT ?? parseDevT(await readRequired(fs, `${base}/dev`), `${base}/dev`);
  if (!name.startsWith('dm-')) return { name, devT, slaves: [], holders: [] };
  const [[dmName, uuid, suspended], slaves] = await Promise.all([
    readAttrs(fs, [`${base}/dm/name`, `${base}/dm/uuid`, `${base}/dm/suspended`]),
    listOptional(fs, `${base}/slaves`),
  ]);
  const role = classifyDmUuid(uuid);
  // Chains walk down (slaves); only maps report what is stacked on them (MultipathMap.holders).
  const holders =
    role.kind === 'multipath' || role.kind === 'vm-map' || role.kind === 'dm-other'
      ? await listOptional(fs, `${base}/holders`)
      : [];
  const dm: DmInfo = {
    name: dmName ?? name,
    ...(uuid !== undefined ? { uuid } : {}),
    suspended: suspended === '1',
    role,
  };
  return { name, devT, slaves, holders, dm };
}

/**
 * Read /sys/block. A device that vanishes or has garbage attributes is left out with a diagnostic.
 * MAJ:MIN comes from /proc/diskstats where it lists the device (NVMe path devices excepted: they
 * have no dev_t), else from `/sys/block/X/dev`.
 */
export async function scanBlockDevices(
  fs: HostFs,
  diag: DiagnosticSink,
  concurrency: number,
  diskstats: Diskstats = NO_DISKSTATS,
): Promise<BlockIndex> {
  const index = new BlockIndex(fs, diag, concurrency);
  let names: string[];
  try {
    names = await listRequired(fs, '/sys/block');
  } catch (err) {
    diag.error('host', err, 'error');
    return index;
  }
  const nodes = await mapLimit(names, concurrency, async (name) => {
    try {
      validateBlockDevName(name);
      return await readNode(fs, name, diskstats);
    } catch (err) {
      diag.error(`block ${name.slice(0, 40)}`, err);
      return undefined;
    }
  });
  for (const node of nodes) if (node) index.add(node);
  return index;
}
