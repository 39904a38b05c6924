/**
 * Path devices as sysfs describes them: SCSI disks under dm-multipath maps (`device/state`,
 * ALUA `device/access_state`, `inflight`, `stat`, transport) and NVMe native-multipath paths
 * `nvmeXcYnZ` (controller state, `ana_state`, subsystem iopolicy). Read-only.
 */
import type { HostFs } from '../../model/seams';
import type { AluaState, DeviceState, PathDevice, Transport } from '../../model/snapshot';
import type { DiagnosticSink } from '../diagnostics';
import { parseBlockStat, parseInflight } from '../parse/block-files';
import type { Diskstats } from '../parse/diskstats';
import { classifyFsError, readAttr, readAttrs, syncFor } from '../read';
import { NVME_PATH, type BlockNode } from './block-index';
import type { TransportReader } from './transport';

const DEVICE_STATES: ReadonlySet<string> = new Set<DeviceState>([
  'running',
  'offline',
  'blocked',
  'transport-offline',
  'created',
  'cancel',
  'deleted',
  'quiesce',
  'created-blocked',
  'live',
  'connecting',
  'resetting',
  'dead',
]);
const ALUA_STATES: ReadonlySet<string> = new Set<AluaState>([
  'active/optimized',
  'active/non-optimized',
  'standby',
  'unavailable',
  'lba-dependent',
  'offline',
  'transitioning',
]);
/** NVMe ANA states in ALUA terms. */
const ANA_TO_ALUA: Readonly<Record<string, AluaState>> = {
  optimized: 'active/optimized',
  'non-optimized': 'active/non-optimized',
  inaccessible: 'unavailable',
  'persistent-loss': 'offline',
  change: 'transitioning',
};

export { NVME_PATH };

function deviceState(text: string | undefined, dev: string, diag: DiagnosticSink): DeviceState {
  if (text === undefined) return 'unknown';
  if (DEVICE_STATES.has(text)) return text as DeviceState;
  diag.add('warn', `path ${dev}`, `unknown device state ${JSON.stringify(text.slice(0, 40))}`);
  return 'unknown';
}

async function realpathOf(fs: HostFs, path: string): Promise<string> {
  const sync = syncFor(fs, path);
  try {
    return sync ? sync.realpath(path) : await fs.realpath(path);
  } catch (err) {
    throw classifyFsError(path, err);
  }
}

async function readlinkOrUndefined(fs: HostFs, path: string): Promise<string | undefined> {
  const sync = syncFor(fs, path);
  try {
    return sync ? sync.readlink(path) : await fs.readlink(path);
  } catch {
    return undefined;
  }
}

/**
 * Where a SCSI disk's `device` lives in /sys/devices. On Linux `/sys/block/sdX` is itself a link
 * to `../devices/<...>/hostH/<...>/H:C:T:L/block/sdX`, so one readlink answers; a tree where it is
 * a plain directory falls back to resolving `/sys/block/sdX/device` (one lstat per component).
 */
async function scsiDevicePath(fs: HostFs, dev: string): Promise<string> {
  const suffix = `/block/${dev}`;
  const link = await readlinkOrUndefined(fs, `/sys/block/${dev}`);
  if (link !== undefined && link.endsWith(suffix) && link.includes('devices/')) {
    return link.slice(0, -suffix.length);
  }
  return realpathOf(fs, `/sys/block/${dev}/device`);
}

/**
 * The directory to read a SCSI device's attributes from: the resolved `/sys/devices/...` path
 * when the link was the usual `../devices/...` (opening it walks no symlinks), else the
 * `/sys/block/sdX/device` link itself. Same files either way.
 */
function scsiAttrDir(devicePath: string, base: string): string {
  if (devicePath.startsWith('../devices/') && !devicePath.includes('/..'))
    return `/sys/${devicePath.slice(3)}`;
  return `${base}/device`;
}

/** A path device's I/O counters: `stat` and the read/write split of requests in flight. */
export interface PathCounters {
  readonly stat?: PathDevice['stat'];
  readonly inflight: PathDevice['inflight'];
}

/**
 * Read a path device's counters. `known` (from /proc/diskstats) saves the `stat` read; `inflight`
 * is read only when `stat` shows requests in flight (most paths are idle at any instant: this
 * saves a sixth of a large host's reads). Garbage becomes a diagnostic and an absent field.
 */
export async function readPathCounters(
  fs: HostFs,
  name: string,
  diag: DiagnosticSink,
  known?: PathDevice['stat'],
): Promise<PathCounters> {
  const base = `/sys/block/${name}`;
  const subject = `path ${name}`;
  let stat = known;
  if (stat === undefined) {
    try {
      const text = await readAttr(fs, `${base}/stat`);
      if (text !== undefined) stat = parseBlockStat(text, `${base}/stat`);
    } catch (err) {
      diag.error(subject, err);
    }
  }
  let inflight = { read: 0, write: 0 };
  if (stat === undefined || stat.inFlight > 0) {
    try {
      const text = await readAttr(fs, `${base}/inflight`);
      if (text !== undefined) inflight = parseInflight(text, `${base}/inflight`);
    } catch (err) {
      diag.error(subject, err);
    }
  }
  return stat === undefined ? { inflight } : { stat, inflight };
}

/** A path device read without touching counter files: `countersPending` says they are still to read. */
export interface PathDeviceRead {
  readonly device: PathDevice;
  /** True when `stat` (if present, from diskstats) or `inflight` still needs readPathCounters. */
  readonly countersPending: boolean;
}

/**
 * Read one path device. `diskstats` (from /proc/diskstats) supplies the counters when it lists the
 * device; otherwise `stat` is read from sysfs.
 */
export async function readPathDevice(
  fs: HostFs,
  node: BlockNode,
  transports: TransportReader,
  diag: DiagnosticSink,
  diskstats?: Diskstats,
): Promise<PathDevice> {
  const { device, countersPending } = await readPathDeviceWithoutCounters(
    fs,
    node,
    transports,
    diag,
    diskstats,
  );
  if (!countersPending) return device;
  return { ...device, ...(await readPathCounters(fs, node.name, diag, device.stat)) };
}

/**
 * Everything readPathDevice reads but the counter files (`stat`, `inflight`): those are the only
 * path files that change while nobody writes them, and a simulated host serves them fresh only
 * through its own HostFs. Settled without any read when diskstats lists the device idle.
 */
export async function readPathDeviceWithoutCounters(
  fs: HostFs,
  node: BlockNode,
  transports: TransportReader,
  diag: DiagnosticSink,
  diskstats?: Diskstats,
): Promise<PathDeviceRead> {
  const base = `/sys/block/${node.name}`;
  const nvme = NVME_PATH.test(node.name);
  const scsi = !nvme && node.name.startsWith('sd');
  const devicePath = scsi ? await scsiDevicePath(fs, node.name) : undefined;
  const attrDir = devicePath !== undefined ? scsiAttrDir(devicePath, base) : `${base}/device`;
  const attrPaths = (dir: string) => [`${dir}/state`, nvme ? `${base}/ana_state` : `${dir}/access_state`];
  let [stateText, accessText] = await readAttrs(fs, attrPaths(attrDir));
  // A tree holding only the `device` link's view (a capture taken before vmpath read the resolved
  // directory): every SCSI device has `state`, so its absence means "ask through the link".
  if (stateText === undefined && attrDir !== `${base}/device`) {
    [stateText, accessText] = await readAttrs(fs, attrPaths(`${base}/device`));
  }
  const subject = `path ${node.name}`;
  const stat = diskstats?.byName.get(node.name)?.stat;
  let transport: Transport;
  let hcil: string | undefined;
  let fabric: string | undefined;
  let accessState: AluaState | undefined;
  if (nvme) {
    const controller = (await realpathOf(fs, `${base}/device`)).split('/').pop() ?? '';
    transport = await transports.nvme(controller, stateText);
    accessState = accessText === undefined ? undefined : ANA_TO_ALUA[accessText];
  } else if (devicePath !== undefined) {
    const location = await transports.scsi(devicePath);
    transport = location.transport;
    hcil = location.hcil;
    fabric = location.fabric;
    accessState =
      accessText !== undefined && ALUA_STATES.has(accessText) ? (accessText as AluaState) : undefined;
  } else {
    transport = { kind: 'unknown' };
  }
  if (accessText !== undefined && accessState === undefined) {
    diag.add('warn', subject, `unknown access state ${JSON.stringify(accessText.slice(0, 40))}`);
  }
  const device: PathDevice = {
    dev: node.name,
    devT: node.devT,
    ...(hcil !== undefined ? { hcil } : {}),
    deviceState: deviceState(stateText, node.name, diag),
    ...(accessState !== undefined ? { accessState } : {}),
    inflight: { read: 0, write: 0 },
    ...(stat !== undefined ? { stat } : {}),
    transport,
    ...(fabric !== undefined ? { fabric } : {}),
  };
  return { device, countersPending: stat === undefined || stat.inFlight > 0 };
}
