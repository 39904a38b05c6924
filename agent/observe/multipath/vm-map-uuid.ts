/**
 * Device-mapper uuids of the maps vmpath owns: `vmpath-<vmid>-<wwid>` (DESIGN.md §3.2), where
 * <wwid> is the WWID of the LUN's multipathd map (whose own dm uuid is `mpath-<wwid>`).
 * VM ids may contain `-` (libvirt domain names), so a uuid is split by matching the known
 * WWIDs first; only when none matches is it split at the first `-` after the prefix.
 */
import { InvalidNameError } from '../../model/errors';
import { validateVmId } from '../../model/names';

export const VM_MAP_UUID_PREFIX = 'vmpath-';
export const MPATH_UUID_PREFIX = 'mpath-';

/** Largest dm uuid the kernel accepts (DM_UUID_LEN 129 including the NUL). */
const DM_UUID_MAX = 128;

export interface VmMapUuid {
  readonly vmId: string;
  readonly wwid: string;
}

export function isVmMapUuid(uuid: string): boolean {
  return uuid.startsWith(VM_MAP_UUID_PREFIX);
}

/** The uuid of VM `vmId`'s map over LUN `wwid`; throws InvalidNameError on a bad VM id. */
export function formatVmMapUuid(vmId: string, wwid: string): string {
  validateVmId(vmId);
  const uuid = `${VM_MAP_UUID_PREFIX}${vmId}-${wwid}`;
  if (wwid === '' || uuid.length > DM_UUID_MAX || /\s/.test(wwid)) {
    throw new InvalidNameError(`cannot form a dm uuid from vm ${vmId} and wwid ${JSON.stringify(wwid)}`, {
      kind: 'wwid',
      value: wwid,
    });
  }
  return uuid;
}

/**
 * Splits a vmpath uuid; `knownWwids` are the WWIDs of the host's multipathd maps.
 * Returns undefined for uuids that are not vmpath's or cannot be split.
 */
export function parseVmMapUuid(uuid: string, knownWwids: Iterable<string>): VmMapUuid | undefined {
  if (!isVmMapUuid(uuid)) return undefined;
  const rest = uuid.slice(VM_MAP_UUID_PREFIX.length);
  let best: VmMapUuid | undefined;
  for (const wwid of knownWwids) {
    if (wwid === '' || !rest.endsWith(`-${wwid}`)) continue;
    const vmId = rest.slice(0, rest.length - wwid.length - 1);
    // Prefer the longest matching WWID (a WWID can be another's suffix).
    if (vmId !== '' && (!best || wwid.length > best.wwid.length)) best = { vmId, wwid };
  }
  if (best) return best;
  const dash = rest.indexOf('-');
  if (dash <= 0 || dash === rest.length - 1) return undefined;
  return { vmId: rest.slice(0, dash), wwid: rest.slice(dash + 1) };
}

/** The WWID of a multipathd map from its dm uuid `mpath-<wwid>`, or undefined. */
export function wwidFromMpathUuid(uuid: string): string | undefined {
  return uuid.startsWith(MPATH_UUID_PREFIX) && uuid.length > MPATH_UUID_PREFIX.length
    ? uuid.slice(MPATH_UUID_PREFIX.length)
    : undefined;
}
