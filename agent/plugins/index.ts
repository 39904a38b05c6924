/** Plugin system: public API types (api.ts), host, loader, built-ins. See docs/plugins.md. */
export type * from './api';
export { PluginHost, BUILTIN_ID } from './host';
export type { PluginRecord, PluginState, PluginHostOptions } from './host';
export { createPluginHost, BUILTIN_MANIFEST, BUILTIN_PLUGIN } from './builtin';
export { loadPluginDir, loadPlugins } from './loader';
export { validateManifest, PLUGIN_API_VERSION, MANIFEST_FILE } from './manifest';
export { satisfies, parseRange, parseVersion } from './semver';
