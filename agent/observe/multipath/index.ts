/**
 * observe/multipath: reading dm-multipath's state from dmsetup and multipathd.
 * Typical use (observe's snapshot builder):
 *
 *   const read = await readMultipathOutputs(runner);            // runs the contract commands
 *   const { maps, diagnostics } = assembleMultipathMaps({ ...read, devices, pathNames });
 *
 * where `devices` (dm name → DmDeviceFacts) and `pathNames` (MAJ:MIN → sdX) come from sysfs.
 * The parsers are exported too, for captures, the simulator and act/ (multipathd replies).
 */
export {
  assembleMultipathMaps,
  finishMultipathMaps,
  type AssembledMaps,
  type DmDeviceFacts,
  type MultipathSources,
  type SysfsSources,
} from './assemble-maps';
export { prepareMultipathMaps, type CommandSources, type PreparedMaps } from './prepare-maps';
export {
  parseDmMultipathStatus,
  type DmMultipathStatus,
  type DmStatusGroup,
  type DmStatusPath,
} from './dm-status';
export {
  parseDmMultipathTable,
  type DmMultipathTable,
  type DmTableGroup,
  type DmTablePath,
} from './dm-table';
export { parseDmsetupLines, type DmTargetLine } from './dmsetup-lines';
export {
  parseMultipathdJson,
  type MpdGroup,
  type MpdMap,
  type MpdPath,
  type MpdTopology,
} from './multipathd-json';
export { checkMultipathdReply, expectMultipathdOk } from './multipathd-reply';
export { compareVersion, parseMultipathToolsVersion, type MultipathToolsVersion } from './multipath-version';
export {
  DMSETUP_STATUS,
  DMSETUP_TABLE,
  MULTIPATHD_SHOW_MAPS_JSON,
  MULTIPATH_VERSION,
  readMultipathOutputs,
  readMultipathToolsVersion,
  runDmsetup,
  type MultipathReadout,
  type ReadOptions,
} from './read-multipath';
export { sameMultipathTable } from './table-compare';
export {
  checkerStateOf,
  parseMultipathdColumns,
  parseMultipathdRaw,
  parseShowMaps,
  parseShowPaths,
  showMapsOf,
  showPathsOf,
  type ShowMap,
  type ShowPath,
  type TextRecord,
  type TextTable,
} from './text-columns';
export { parseTopologyText, type TopologyGroup, type TopologyMap, type TopologyPath } from './topology-text';
export {
  formatVmMapUuid,
  isVmMapUuid,
  parseVmMapUuid,
  wwidFromMpathUuid,
  MPATH_UUID_PREFIX,
  VM_MAP_UUID_PREFIX,
  type VmMapUuid,
} from './vm-map-uuid';
