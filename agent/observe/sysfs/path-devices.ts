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

/**
 * Read one path device. Garbage in stat/inflight becomes a diagnostic and an absent field.
 * `diskstats` (from /proc/diskstats) supplies the counters when it lists the device; otherwise
 * `stat` is read from sysfs.
 */
export async function readPathDevice(
  fs: HostFs,
  node: BlockNode,
  transports: TransportReader,
  diag: DiagnosticSink,
  diskstats?: Diskstats,
): Promise<PathDevice> {
  const base = `/sys/block/${node.name}`;
  const nvme = NVME_PATH.test(node.name);
  const scsi = !nvme && node.name.startsWith('sd');
  const devicePath = scsi ? await scsiDevicePath(fs, node.name) : undefined;
  const attrDir = devicePath !== undefined ? scsiAttrDir(devicePath, base) : `${base}/device`;
  const listed = diskstats?.byName.get(node.name);
  const attrPaths = (dir: string) => [
    `${dir}/state`,
    nvme ? `${base}/ana_state` : `${dir}/access_state`,
    ...(listed ? [] : [`${base}/stat`]),
  ];
  let [stateText, accessText, statText] = await readAttrs(fs, attrPaths(attrDir));
  // A tree holding only the `device` link's view (a capture taken before vmpath read the resolved
  // directory): every SCSI device has `state`, so its absence means "ask through the link".
  if (stateText === undefined && attrDir !== `${base}/device`) {
    [stateText, accessText, statText] = await readAttrs(fs, attrPaths(`${base}/device`));
  }
  const subject = `path ${node.name}`;
  let stat: PathDevice['stat'] = listed?.stat;
  try {
    if (statText !== undefined) stat = parseBlockStat(statText, `${base}/stat`);
  } catch (err) {
    diag.error(subject, err);
  }
  // `stat` counts requests in flight; only when it is non-zero is the read/write split worth a
  // read (most paths are idle at any instant: this saves a sixth of a large host's reads).
  let inflight = { read: 0, write: 0 };
  if (stat === undefined || stat.inFlight > 0) {
    try {
      const text = await readAttr(fs, `${base}/inflight`);
      if (text !== undefined) inflight = parseInflight(text, `${base}/inflight`);
    } catch (err) {
      diag.error(subject, err);
    }
  }
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
  return {
    dev: node.name,
    devT: node.devT,
    ...(hcil !== undefined ? { hcil } : {}),
    deviceState: deviceState(stateText, node.name, diag),
    ...(accessState !== undefined ? { accessState } : {}),
    inflight,
    ...(stat !== undefined ? { stat } : {}),
    transport,
    ...(fabric !== undefined ? { fabric } : {}),
  };
}
