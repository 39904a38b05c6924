/**
 * The guest's storage rig: scsi_debug LUNs seen over several SCSI hosts (= paths), multipathd
 * with a chosen multipath.conf, cgroup v2 "VMs", and readers for the kernel state the cases
 * assert (dmsetup, multipathd JSON, /sys/block/X/stat).
 *
 * scsi_debug has ONE backing store shared by all its LUNs: cases only read from the LUNs except
 * the LVM case, whose LVM commands are filtered to one map.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { background, out, readAttr, sh, sleep, until, writeAttr } from './sh';

export interface RigOptions {
  /** SCSI hosts = paths per LUN. */
  readonly paths: number;
  readonly luns?: number;
  readonly grouping?: 'failover' | 'multibus' | 'group_by_prio';
  readonly failback?: 'manual' | 'immediate';
  readonly selector?: string;
  /** `fail` (default) or a number of checker intervals / `queue`. */
  readonly noPathRetry?: string;
  readonly devSizeMb?: number;
}

export interface PathInfo {
  readonly dev: string; // sda
  readonly devt: string; // 8:0
  readonly hcil: string; // 0:0:0:0
  readonly lun: number;
}

export interface MapInfo {
  readonly name: string; // mpatha
  readonly wwid: string;
  readonly dm: string; // dm-0
  readonly devt: string; // 253:0
  readonly sectors: number;
  readonly lun: number;
  readonly paths: PathInfo[];
}

export interface Rig {
  readonly options: RigOptions;
  readonly maps: MapInfo[];
}

let current: Rig | undefined;
let daemon: ChildProcess | undefined;
let conf = '';

export function multipathConf(o: RigOptions): string {
  const over = [
    `    path_grouping_policy ${o.grouping ?? 'failover'}`,
    `    failback ${o.failback ?? 'manual'}`,
    `    no_path_retry ${o.noPathRetry ?? 'fail'}`,
    `    path_selector "${o.selector ?? 'service-time 0'}"`,
  ];
  return [
    'defaults {',
    '    user_friendly_names yes',
    '    find_multipaths off',
    '    path_checker tur',
    '    polling_interval 2',
    '    max_polling_interval 4',
    '    verbosity 2',
    '}',
    'blacklist {',
    '    devnode "^nvme"',
    '    devnode "^vd[a-z]"',
    '    devnode "^(ram|loop|fd|md|dm-|sr|scd|st|zram|nbd)[0-9]*"',
    '}',
    'overrides {',
    ...over,
    '}',
    '',
  ].join('\n');
}

/** Sets up (or reuses, when identical) scsi_debug + multipathd as asked; waits for every path to be up. */
export async function rig(options: RigOptions): Promise<Rig> {
  const o: Required<RigOptions> = {
    paths: options.paths,
    luns: options.luns ?? 1,
    grouping: options.grouping ?? 'failover',
    failback: options.failback ?? 'manual',
    selector: options.selector ?? 'service-time 0',
    noPathRetry: options.noPathRetry ?? 'fail',
    devSizeMb: options.devSizeMb ?? 64,
  };
  const wanted = JSON.stringify(o);
  if (current && JSON.stringify(current.options) === wanted && (await healthy(current))) return current;
  const t0 = Date.now();
  const lap = (what: string) => console.log(`#   rig: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  teardown();
  lap('teardown done');
  conf = multipathConf(o);
  fs.writeFileSync('/etc/multipath.conf', conf);
  sh(['modprobe', '-a', 'sd_mod', 'dm-multipath', 'dm-round-robin', 'dm-service-time', 'dm-queue-length']);
  const luns = o.luns;
  sh([
    'modprobe',
    'scsi_debug',
    `add_host=${o.paths}`,
    'num_tgts=1',
    `max_luns=${luns}`,
    'vpd_use_hostno=0',
    `dev_size_mb=${o.devSizeMb}`,
  ]);
  // Slow under TCG on a busy host: a settle that times out is not fatal, the wait below decides.
  sh(['udevadm', 'settle', '--timeout=120'], { timeoutMs: 130_000, allowFail: true });
  lap('scsi_debug loaded, udev settled');
  daemon = background(['multipathd', '-d', '-s'], '/results/multipathd.log');
  const maps = await until(
    `${luns} maps with ${o.paths} active paths each`,
    () => {
      const m = readMaps();
      if (m.length !== luns) return undefined;
      if (!m.every((x) => x.paths.length === o.paths && activePaths(x.name) === o.paths)) return undefined;
      if (!m.every((x) => fs.existsSync(`/dev/mapper/${x.name}`))) return undefined;
      return m;
    },
    120_000,
    250,
  );
  lap(`maps up: ${maps.map((m) => m.name).join(' ')}`);
  current = { options: o, maps };
  return current;
}

/** The rig is as it was set up (a case may have failed a path and put it back: give it 15 s). */
async function healthy(r: Rig): Promise<boolean> {
  const ok = () => {
    try {
      return (
        r.maps.every((m) => activePaths(m.name) === m.paths.length) && mapsJson().length === r.maps.length
      );
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 30; i++) {
    if (ok()) return true;
    await sleep(500);
  }
  return false;
}

/** Stops multipathd, removes every dm device and unloads scsi_debug. */
export function teardown(): void {
  sh(['multipathd', 'shutdown'], { allowFail: true, timeoutMs: 10_000 });
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
  daemon = undefined;
  sh(['udevadm', 'settle', '--timeout=10'], { allowFail: true, timeoutMs: 15_000 });
  for (let i = 0; i < 3; i++) {
    if (sh(['dmsetup', 'remove_all', '--force'], { allowFail: true }).status === 0) break;
  }
  for (let i = 0; i < 20; i++) {
    if (sh(['modprobe', '-r', 'scsi_debug'], { allowFail: true }).status === 0) break;
    sh(['sleep', '0.3']);
  }
  current = undefined;
}

interface JsonPath {
  dev: string;
  dev_t: string;
  dm_st: string;
  chk_st: string;
  pri: number;
  lun_hex: string;
}
interface JsonGroup {
  group: number;
  dm_st: string;
  pri: number;
  selector: string;
  paths: JsonPath[];
}
export interface JsonMap {
  name: string;
  uuid: string;
  sysfs: string;
  failback: string;
  queueing: string;
  paths: number;
  path_groups: JsonGroup[];
}

export function mapsJson(): JsonMap[] {
  const r = sh(['multipathd', 'show', 'maps', 'json'], { allowFail: true, timeoutMs: 10_000 });
  if (r.status !== 0 || !r.stdout.trim()) return [];
  return (JSON.parse(r.stdout) as { maps: JsonMap[] }).maps;
}

function readMaps(): MapInfo[] {
  return mapsJson().map((m) => {
    const paths = m.path_groups.flatMap((g) =>
      g.paths.map((p) => {
        const hcil = fs.readlinkSync(`/sys/block/${p.dev}/device`).split('/').pop() ?? '';
        return { dev: p.dev, devt: p.dev_t, hcil, lun: Number(hcil.split(':')[3]) };
      }),
    );
    const devt = readAttr(`/sys/block/${m.sysfs}/dev`);
    return {
      name: m.name,
      wwid: m.uuid,
      dm: m.sysfs,
      devt,
      sectors: Number(readAttr(`/sys/block/${m.sysfs}/size`)),
      lun: paths[0]?.lun ?? -1,
      paths: paths.sort((a, b) => a.hcil.localeCompare(b.hcil)),
    };
  });
}

/** Paths multipathd reports as active+ready for a map. */
export function activePaths(name: string): number {
  const m = mapsJson().find((x) => x.name === name);
  if (!m) return -1;
  return m.path_groups.flatMap((g) => g.paths).filter((p) => p.dm_st === 'active' && p.chk_st === 'ready')
    .length;
}

/** The kernel's view: `dmsetup status` parsed into groups of [devt, A|F]. */
export interface DmStatus {
  readonly raw: string;
  /** 1-based group the kernel uses next (changes at once on switch_group; group states lag until I/O). */
  readonly nextGroup: number;
  readonly groups: { state: string; paths: { devt: string; state: string; failCount: number }[] }[];
}

export function dmStatus(name: string): DmStatus {
  const raw = out(['dmsetup', 'status', name]);
  const w = raw.split(/\s+/);
  // 0 SECTORS multipath <#feat> <feat...> <#hw> <hw...> <#pg> <next pg> {<state> <#ps-args> ... <#paths> <#p-args> {devt A|F fails ...}}
  let i = 3;
  const skip = () => {
    const n = Number(w[i]);
    i += 1 + n;
  };
  skip(); // features
  skip(); // hw handler
  const npg = Number(w[i++]);
  const nextGroup = Number(w[i++]);
  const groups: DmStatus['groups'] = [];
  for (let g = 0; g < npg; g++) {
    const state = w[i++] ?? '';
    skip(); // selector status args
    const np = Number(w[i++]);
    const npa = Number(w[i++]);
    const paths = [];
    for (let p = 0; p < np; p++) {
      const devt = w[i] ?? '';
      const st = w[i + 1] ?? '';
      const fc = Number(w[i + 2]);
      i += 3 + npa;
      paths.push({ devt, state: st, failCount: fc });
    }
    groups.push({ state, paths });
  }
  return { raw, nextGroup, groups };
}

/** MAJ:MIN of a device-mapper device by name (`dmsetup info`). */
export function dmDevT(name: string): string {
  return out(['dmsetup', 'info', '-c', '--noheadings', '-o', 'major,minor', '--separator', ':', name]);
}

/** Sectors read and written so far on a block device (/sys/block/X/stat fields 3 and 7). */
export function ioSectors(dev: string): { read: number; written: number } {
  const f = readAttr(`/sys/block/${dev}/stat`).split(/\s+/).map(Number);
  return { read: f[2] ?? 0, written: f[6] ?? 0 };
}

/** Sectors read per path device during ms milliseconds. */
export async function readDelta(devs: readonly string[], ms: number): Promise<Record<string, number>> {
  const a = devs.map((d) => ioSectors(d).read);
  await sleep(ms);
  const r: Record<string, number> = {};
  devs.forEach((d, k) => (r[d] = ioSectors(d).read - (a[k] ?? 0)));
  return r;
}

// --- cgroup v2 "VMs" ---

export function enableIo(): void {
  const have = readAttr('/sys/fs/cgroup/cgroup.subtree_control');
  if (!have.split(' ').includes('io')) writeAttr('/sys/fs/cgroup/cgroup.subtree_control', '+io');
}

export function vmCgroup(name: string): string {
  enableIo();
  const dir = `/sys/fs/cgroup/${name}`;
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function setIoMax(cg: string, devt: string, rule: string): void {
  writeAttr(`${cg}/io.max`, `${devt} ${rule}`);
}

export interface DdResult {
  readonly bytes: number;
  readonly seconds: number;
  readonly mbps: number; // MiB/s
}

/**
 * Runs dd inside cgroup cg (the shell moves itself in, then execs dd); the rate is dd's own
 * (bytes over dd's elapsed time), so process start-up under TCG does not count.
 */
export function ddIn(cg: string, args: readonly string[], timeoutMs = 120_000): DdResult {
  const r = sh(['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec dd "$@"', cg, ...args], { timeoutMs });
  const m = /(\d+) bytes .* copied, ([\d.e-]+) s/.exec(r.stderr);
  if (!m) throw new Error(`cannot read dd's summary: ${r.stderr}`);
  const bytes = Number(m[1]);
  const seconds = Number(m[2]);
  return { bytes, seconds, mbps: bytes / 1048576 / seconds };
}

export function currentConf(): string {
  return conf;
}
