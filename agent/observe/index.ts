/**
 * observe/: read a host (real, simulated or captured) into one immutable HostSnapshot.
 *
 * `observeHost` reads per-host things once (/sys/block, /proc, pidfiles, the multipath commands)
 * and per-object things with bounded concurrency, so cost grows linearly with maps, paths and VMs.
 * It never throws for host trouble: every problem (a process that exits mid-scan, a cgroup that
 * disappears, permission errors, garbage files, multipathd down) becomes a Diagnostic in a partial
 * snapshot. Every file read has a timeout (GuardedHostFs), every command one too.
 */
import type { Clock, CommandRunner, HostFs } from '../model/seams';
import { freezeSnapshot, type DevT, type HostSnapshot, type PathDevice, type Vm } from '../model/snapshot';
import { diskResolver } from './chains';
import { mapLimit } from './concurrency';
import { naturalSortBy } from './natural-order';
import { DiagnosticSink } from './diagnostics';
import { GuardedHostFs } from './guarded-fs';
import { readHostFacts } from './host-info';
import { readKernelSelectors } from './kernel-selectors';
import { readAllDmTables, readMultipathInputs } from './multipath-adapter';
import { finishMultipathMaps, type DmDeviceFacts } from './multipath/assemble-maps';
import { prepareMultipathMaps } from './multipath/prepare-maps';
import { readVmpathConf } from './vmpath-conf-read';
import type { BlockIndex, BlockNode } from './sysfs/block-index';
import { readPathCounters, type PathDeviceRead } from './sysfs/path-devices';
import { pathNodes, readPathDevices } from './sysfs/scan';
import { readSysfs, type SysfsThreadMode } from './sysfs/sysfs-thread';
import { TransportReader } from './sysfs/transport';
import { readVms } from './vms';
import { ArgvCache } from './vms/argv-cache';

export interface ObserveContext {
  readonly fs: HostFs;
  readonly runner: CommandRunner;
  readonly clock: Clock;
}

export interface ObserveOptions {
  /** Reads in flight at once (files, per fan-out). Default 32. */
  readonly concurrency?: number;
  /** Per file-operation timeout in ms. Default 5000. */
  readonly readTimeoutMs?: number;
  /** Read sysfs on a second thread: `auto` (default) for large hosts; see sysfs/sysfs-thread.ts. */
  readonly sysfsThread?: SysfsThreadMode;
  /** The compiled scan-thread.js (tests of the TypeScript sources point it at dist/). */
  readonly sysfsThreadScript?: string;
}

function dmFacts(index: BlockIndex): Map<string, DmDeviceFacts> {
  const out = new Map<string, DmDeviceFacts>();
  for (const node of index.byDmName.values()) {
    const dm = node.dm as NonNullable<BlockNode['dm']>;
    out.set(dm.name, {
      name: dm.name,
      dm: node.name,
      devT: node.devT,
      uuid: dm.uuid ?? '',
      holders: node.holders,
      suspended: dm.suspended,
    });
  }
  return out;
}

/** One ArgvCache per host (HostFs object), for as long as that object lives. */
const argvCaches = new WeakMap<HostFs, ArgvCache>();

function argvCacheOf(fs: HostFs): ArgvCache {
  let cache = argvCaches.get(fs);
  if (!cache) argvCaches.set(fs, (cache = new ArgvCache()));
  return cache;
}

/**
 * Every path device of the snapshot, in natural order: those the sysfs scan read (their counters
 * completed here, through `fs`), and the few only a map's table names (read now).
 */
async function completePaths(
  fs: HostFs,
  diag: DiagnosticSink,
  concurrency: number,
  index: BlockIndex,
  scanned: ReadonlyMap<string, PathDeviceRead>,
  maps: readonly { readonly groups: readonly { readonly paths: readonly { readonly devT: DevT }[] }[] }[],
): Promise<PathDevice[]> {
  const mapPathDevTs = new Set(maps.flatMap((m) => m.groups.flatMap((g) => g.paths.map((p) => p.devT))));
  const nodes = pathNodes(index, mapPathDevTs);
  const missing = nodes.filter((n) => !scanned.has(n.name));
  const late = missing.length
    ? await readPathDevices(fs, missing, new TransportReader(fs), diag, concurrency)
    : new Map<string, PathDeviceRead>();
  const reads = nodes.map((n) => scanned.get(n.name) ?? late.get(n.name)).filter((r) => r !== undefined);
  if (!reads.some((r) => r.countersPending)) return reads.map((r) => r.device);
  return mapLimit(reads, concurrency, async ({ device, countersPending }) =>
    countersPending ? { ...device, ...(await readPathCounters(fs, device.dev, diag, device.stat)) } : device,
  );
}

export async function observeHost(ctx: ObserveContext, options: ObserveOptions = {}): Promise<HostSnapshot> {
  const takenAtMs = ctx.clock.nowMs();
  const concurrency = options.concurrency ?? 32;
  const fs = new GuardedHostFs(ctx.fs, options.readTimeoutMs ?? 5000);
  const diag = new DiagnosticSink();

  const readTimeoutMs = options.readTimeoutMs ?? 5000;
  const factsP = readHostFacts(fs, diag);
  const sysfsP = readSysfs(fs, diag, concurrency, {
    mode: options.sysfsThread ?? 'auto',
    ...(options.sysfsThreadScript !== undefined ? { script: options.sysfsThreadScript } : {}),
    timeoutMs: Math.max(1000, 2 * readTimeoutMs),
  });
  const inputsP = readMultipathInputs(ctx.runner, diag);
  // Parsed while the sysfs scan still runs: less is left to do once it is in.
  const preparedP = inputsP.then(prepareMultipathMaps);
  const confP = readVmpathConf(fs, diag);
  const facts = await factsP;
  const selectorsP = readKernelSelectors(fs, facts.kernel, diag, ctx.fs);
  const vmsP = readVms(fs, diag, { concurrency, mounts: facts.cgroups, argvCache: argvCacheOf(ctx.fs) });
  const [sysfs, inputs, prepared] = await Promise.all([sysfsP, inputsP, preparedP]);
  const index = sysfs.index;

  const pathNames = new Map<DevT, string>();
  for (const node of index.byName.values()) if (!node.dm) pathNames.set(node.devT, node.name);
  const assembled = finishMultipathMaps(prepared, { devices: dmFacts(index), pathNames });
  for (const d of assembled.diagnostics) diag.add(d.level, d.subject, d.message, d.code);
  const conf = await confP;
  const maps = assembled.maps.map((m) => {
    const settings = m.owner === 'multipathd' ? conf.get(m.wwid) : undefined;
    return settings ? { ...m, vmpathConf: settings } : m;
  });

  const paths = await completePaths(fs, diag, concurrency, index, sysfs.paths, maps);

  const observed = await vmsP;
  const stacked = new Set(['lv', 'kpartx', 'dm-other']);
  const needsTables = observed.some((o) =>
    o.openDevTs.some((d) => stacked.has(index.byDevT.get(d)?.dm?.role.kind ?? '')),
  );
  const tables = needsTables ? await readAllDmTables(ctx.runner, diag) : undefined;
  const resolve = diskResolver({
    index,
    diag,
    multipathNames: new Set(maps.filter((m) => m.owner === 'multipathd').map((m) => m.name)),
    ...(tables ? { tables } : {}),
  });
  const vms: Vm[] = await mapLimit(observed, concurrency, async (o) => ({
    ...o.vm,
    disks: await Promise.all(o.openDevTs.map(resolve)),
  }));
  naturalSortBy(vms, (vm) => vm.id);

  const pathSelectors = await selectorsP;
  return freezeSnapshot({
    takenAtMs,
    host: {
      hostname: facts.hostname,
      ...(facts.kernel !== undefined ? { kernel: facts.kernel } : {}),
      ...(pathSelectors !== undefined ? { pathSelectors } : {}),
      ...(inputs.version !== undefined ? { multipathToolsVersion: inputs.version } : {}),
      cgroupMode: facts.cgroups.mode,
      cgroupMounts: {
        ...(facts.cgroups.v1Blkio !== undefined ? { v1Blkio: facts.cgroups.v1Blkio } : {}),
        ...(facts.cgroups.v2 !== undefined ? { v2: facts.cgroups.v2 } : {}),
      },
    },
    maps,
    paths,
    vms,
    diagnostics: diag.list(),
  });
}
