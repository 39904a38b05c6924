/**
 * The built-in selectors, packaged as a plugin and activated through PluginHost exactly like a
 * third-party plugin (manifest validated, registerPathSelector, disposables).
 */
import { BUILTIN_SELECTORS } from '../decide/selectors';
import type { PluginManifest, PluginModule } from './api';
import { BUILTIN_ID, PluginHost } from './host';
import type { PluginHostOptions } from './host';
import { PLUGIN_API_VERSION, validateManifest } from './manifest';

export const BUILTIN_MANIFEST: PluginManifest = validateManifest(
  {
    id: BUILTIN_ID,
    version: PLUGIN_API_VERSION,
    engines: { vmpath: `^${PLUGIN_API_VERSION}` },
    description: 'vmpath built-in path selectors',
    contributes: { pathSelectors: BUILTIN_SELECTORS.map((s) => ({ id: s.id, description: s.description })) },
  },
  'builtin',
);

export const BUILTIN_PLUGIN: PluginModule = {
  activate(ctx) {
    for (const s of BUILTIN_SELECTORS) ctx.subscriptions.push(ctx.registerPathSelector(s));
  },
};

/** A PluginHost with the built-in selectors active (add third-party plugins with loader.ts). */
export function createPluginHost(options: PluginHostOptions = {}): PluginHost {
  const host = new PluginHost(options);
  host.activateSync(BUILTIN_MANIFEST, BUILTIN_PLUGIN, 'builtin');
  return host;
}
