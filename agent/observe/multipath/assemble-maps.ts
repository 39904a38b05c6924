/**
 * Builds the snapshot's MultipathMap list from what observe read, without further I/O:
 * - `dmsetup table --target multipath` (layout, features, queueing: the kernel's truth),
 * - `dmsetup status --target multipath` (per-path A/F, fail counts, active and next group),
 * - `multipathd show maps json` if multipathd answered (checker/device states, priorities,
 *   failback, vendor/product), and
 * - per dm device facts from sysfs (kernel name, MAJ:MIN, uuid, holders, suspended).
 *
 * In two steps: prepare-maps.ts parses the command output (observe runs it while the sysfs scan
 * still runs), `finishMultipathMaps` joins it with the sysfs facts; `assembleMultipathMaps` does
 * both at once.
 *
 * A map that cannot be understood is left out with a Diagnostic instead of failing the whole
 * snapshot: a parse failure (VMPATH_E_PARSE), table and status that disagree because the map
 * was reloaded between the two reads (VMPATH_E_DM_STATE_CHANGED, retryable), or a map missing
 * from sysfs (removed meanwhile). multipathd's JSON only enriches: it may lag the kernel, so
 * its values are used for a path only where its devT matches, and for a group only where the
 * group holds the same paths.
 */
import type {
  DevT,
  Diagnostic,
  GroupState,
  MapPath,
  MultipathMap,
  NoPathRetry,
  PathGroup,
} from '../../model/snapshot';
import type { VmpathError } from '../../model/errors';
import { DmStateChangedError, ParseError, asVmpathError } from '../../model/errors';
import type { DmMultipathStatus } from './dm-status';
import type { DmMultipathTable } from './dm-table';
import type { MpdGroup, MpdMap, MpdPath } from './multipathd-json';
import { prepareMultipathMaps, type CommandSources, type PreparedMaps } from './prepare-maps';
import { isVmMapUuid, parseVmMapUuid, wwidFromMpathUuid } from './vm-map-uuid';

/** What sysfs says about one dm device (`/sys/block/dm-N/...`). */
export interface DmDeviceFacts {
  /** dm name (`dm/name`), e.g. `mpatha`. */
  readonly name: string;
  /** Kernel name, e.g. `dm-0`. */
  readonly dm: string;
  readonly devT: DevT;
  /** `dm/uuid`: `mpath-<wwid>` for multipathd maps, `vmpath-<vm>-<wwid>` for per-VM maps. */
  readonly uuid: string;
  /** Kernel names of devices stacked on it (`holders/`). */
  readonly holders: readonly string[];
  readonly suspended?: boolean;
}

export interface SysfsSources {
  /** Facts per dm name. */
  readonly devices: ReadonlyMap<string, DmDeviceFacts>;
  /** Kernel name per path MAJ:MIN (`/sys/dev/block/MAJ:MIN`), for paths multipathd does not list. */
  readonly pathNames?: ReadonlyMap<DevT, string>;
}

export interface MultipathSources extends CommandSources, SysfsSources {}

export interface AssembledMaps {
  /** Sorted by name. */
  readonly maps: readonly MultipathMap[];
  readonly diagnostics: readonly Diagnostic[];
}

const GROUP_STATE: Record<'A' | 'E' | 'D', GroupState> = { A: 'active', E: 'enabled', D: 'disabled' };
const DEVICE_STATE: Record<string, MapPath['deviceState']> = { running: 'running', offline: 'offline' };

export function assembleMultipathMaps(src: MultipathSources): AssembledMaps {
  return finishMultipathMaps(prepareMultipathMaps(src), src);
}

/** The maps from what prepareMultipathMaps made of the commands' output and the sysfs facts. */
export function finishMultipathMaps(prepared: PreparedMaps, src: SysfsSources): AssembledMaps {
  const diagnostics: Diagnostic[] = [];
  const problem = (name: string, err: VmpathError, level: Diagnostic['level'] = 'warn'): void => {
    diagnostics.push({ level, code: err.code, subject: `map ${name}`, message: err.message });
  };
  const { jsonMaps, jsonPaths } = prepared;
  const baseByWwid = baseMapsByWwid(src, prepared);

  const maps: MultipathMap[] = [];
  for (const [name, parsed] of prepared.byName) {
    try {
      if ('error' in parsed) throw parsed.error;
      const { tableLine, table, status } = parsed;
      const device = src.devices.get(name);
      if (!device) {
        throw new DmStateChangedError(
          `map ${name} is in dmsetup output but not in sysfs (removed meanwhile?)`,
          {
            map: name,
          },
        );
      }
      const json = jsonMaps.get(name);
      const lookup: PathLookup = { jsonPaths, pathNames: src.pathNames ?? new Map() };
      const groups = table.groups.map((g, i) =>
        buildGroup(g.index, table, status, i, json?.groups[i], lookup, (m) =>
          diagnostics.push({ level: 'warn', subject: `map ${name}`, message: m }),
        ),
      );
      const active = status.groups.find((g) => g.flag === 'A');
      const owner = isVmMapUuid(device.uuid) ? 'vmpath' : 'multipathd';
      const perVm = owner === 'vmpath' ? parseVmMapUuid(device.uuid, baseByWwid.keys()) : undefined;
      if (owner === 'vmpath' && !perVm) {
        diagnostics.push({
          level: 'warn',
          subject: `map ${name}`,
          message: `uuid ${JSON.stringify(device.uuid)} looks like vmpath's but names no VM and WWID`,
        });
      }
      if (owner === 'vmpath' && perVm && !baseByWwid.has(perVm.wwid)) {
        diagnostics.push({
          level: 'warn',
          subject: `map ${name}`,
          message: `per-VM map of vm ${perVm.vmId} has no multipathd map for wwid ${perVm.wwid}`,
        });
      }
      const wwid = perVm?.wwid ?? json?.wwid ?? wwidFromMpathUuid(device.uuid) ?? device.uuid;
      maps.push({
        name,
        wwid,
        dm: device.dm,
        devT: device.devT,
        sizeSectors: tableLine.length,
        features: table.features,
        queueIfNoPath: table.queueIfNoPath,
        queueMode: table.queueMode,
        hwHandler: [table.hwHandler, ...table.hwHandlerArgs].join(' '),
        groups,
        ...(active ? { activeGroup: active.index } : {}),
        ...(status.nextGroup > 0 ? { nextGroup: status.nextGroup } : {}),
        ...(json && owner === 'multipathd' ? multipathdExtras(json) : {}),
        owner,
        ...(perVm ? { perVm: { vmId: perVm.vmId, baseMap: baseByWwid.get(perVm.wwid) ?? '' } } : {}),
        holders: [...device.holders],
        ...(device.suspended === undefined ? {} : { suspended: device.suspended }),
      });
    } catch (err) {
      const e = asVmpathError(err, ParseError);
      problem(name, e, e.retryable ? 'info' : 'warn');
    }
  }
  for (const name of prepared.statusOnly)
    problem(name, new DmStateChangedError(`map ${name} has a status but no table line`));
  return { maps, diagnostics };
}

interface PathLookup {
  readonly jsonPaths: ReadonlyMap<DevT, MpdPath>;
  readonly pathNames: ReadonlyMap<DevT, string>;
}

function buildGroup(
  index: number,
  table: DmMultipathTable,
  status: DmMultipathStatus,
  i: number,
  jsonGroup: MpdGroup | undefined,
  lookup: PathLookup,
  warn: (message: string) => void,
): PathGroup {
  const tg = table.groups[i] as DmMultipathTable['groups'][number];
  const sg = status.groups[i] as DmMultipathStatus['groups'][number];
  const sameJsonGroup =
    jsonGroup !== undefined &&
    jsonGroup.paths.length === tg.paths.length &&
    jsonGroup.paths.every((p, k) => p.devT === tg.paths[k]?.devT);
  const paths = tg.paths.map((tp, k): MapPath => {
    const sp = sg.paths[k] as DmMultipathStatus['groups'][number]['paths'][number];
    const jp = lookup.jsonPaths.get(tp.devT);
    const dev = jp?.dev ?? lookup.pathNames.get(tp.devT);
    if (dev === undefined) warn(`no device name known for path ${tp.devT}; using MAJ:MIN`);
    return {
      dev: dev ?? tp.devT,
      devT: tp.devT,
      dmState: sp.active ? 'active' : 'failed',
      failCount: sp.failCount,
      ...(jp ? jsonPathExtras(jp) : {}),
      selectorArgs: tp.selectorArgs,
      selectorStatus: sp.selectorStatus,
    };
  });
  return {
    index,
    state: GROUP_STATE[sg.flag],
    selector: tg.selector,
    selectorArgs: tg.selectorArgs,
    ...(sameJsonGroup && jsonGroup.priority >= 0 ? { priority: jsonGroup.priority } : {}),
    paths,
  };
}

function jsonPathExtras(jp: MpdPath): Partial<MapPath> {
  return {
    checkerState: jp.checkerState,
    deviceState: DEVICE_STATE[jp.devState] ?? 'unknown',
    ...(jp.priority >= 0 ? { priority: jp.priority } : {}),
    marginal: jp.marginal,
  };
}

/** multipathd's `queueing` column → its no_path_retry setting (unknown text: not reported). */
export function noPathRetryOf(queueing: string): NoPathRetry | undefined {
  const q = queueing.trim();
  if (q === 'on') return 'queue';
  if (q === 'off') return 'fail';
  if (q === '-') return 'unset';
  return /^\d+ (sec|chk)$/.test(q) ? 'retry' : undefined;
}

function multipathdExtras(json: MpdMap): Partial<MultipathMap> {
  const noPathRetry = noPathRetryOf(json.queueing);
  return {
    failback: json.failback,
    ...(noPathRetry ? { noPathRetry } : {}),
    ...(json.vendor ? { vendor: json.vendor } : {}),
    ...(json.product ? { product: json.product } : {}),
  };
}

/** multipathd map names by WWID: from its JSON, and from `mpath-<wwid>` dm uuids when it is down. */
function baseMapsByWwid(src: SysfsSources, prepared: PreparedMaps): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of src.devices.values()) {
    const wwid = wwidFromMpathUuid(d.uuid);
    if (wwid) out.set(wwid, d.name);
  }
  for (const m of prepared.jsonMaps.values()) out.set(m.wwid, m.name);
  return out;
}
