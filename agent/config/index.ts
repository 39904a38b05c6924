/** Policy sources: config/cluster file, libvirt metadata, Proxmox tags → PolicySet. See docs/policy.md. */
export { parseConfigText, EMPTY_CONFIG, ENGINE_SCHEMA } from './config-file';
export type { ParsedConfig } from './config-file';
export { parseProxmoxTags } from './proxmox-tags';
export { parseLibvirtMetadata, VMPATH_XMLNS } from './libvirt-metadata';
export { buildPolicySet } from './collect';
export type { PolicyInputs, PolicyProblem } from './collect';
export {
  loadConfigFile,
  loadOptionalConfigFile,
  readConfigUnder,
  HOST_CONFIG_PATH,
  CLUSTER_CONFIG_PATH,
} from './load';
export { VALUE_PARSERS } from './values';
export { virshMetadataReader } from './libvirt-live';
export type { LibvirtMetadataReader, LibvirtMetadataResult } from './libvirt-live';
export { parseClusterSection, DEFAULT_CLUSTER_DIR, DEFAULT_STALE_SECONDS } from './cluster-section';
export type { ClusterConfig } from './cluster-section';
