/**
 * Loading plugins from disk (I/O lives here, not in decide/): read and validate
 * `<dir>/vmpath-plugin.json` first, then require() its module and activate it through the
 * PluginHost. Never throws for a bad plugin: it is recorded as failed and loading goes on.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { VmpathError } from '../model/errors';
import { PluginActivationError, PluginManifestError } from '../model/errors';
import type { PluginModule } from './api';
import type { PluginHost, PluginRecord } from './host';
import { MANIFEST_FILE, validateManifest } from './manifest';

export async function loadPluginDir(host: PluginHost, dir: string): Promise<PluginRecord> {
  const abs = resolve(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(abs, MANIFEST_FILE), 'utf8'));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return host.recordFailure(
      abs,
      abs,
      new PluginManifestError(`plugin ${abs}: cannot read ${MANIFEST_FILE}: ${msg}`, { dir: abs }, err),
    );
  }
  let manifest;
  try {
    manifest = validateManifest(raw, abs, host.apiVersion);
  } catch (err) {
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : abs;
    return host.recordFailure(id, abs, err as VmpathError);
  }
  let module: PluginModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plugin's entry is only known at run time
    const loaded = require(join(abs, manifest.main ?? 'index.js')) as PluginModule & {
      default?: PluginModule;
    };
    module = typeof loaded.activate === 'function' ? loaded : (loaded.default ?? loaded);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return host.recordFailure(
      manifest.id,
      abs,
      new PluginActivationError(`plugin ${manifest.id}: load failed: ${msg}`, { plugin: manifest.id }, err),
      manifest.version,
    );
  }
  return host.activate(manifest, module, abs);
}

/** Load several plugin directories in order; returns every record (active or failed). */
export async function loadPlugins(
  host: PluginHost,
  dirs: readonly string[],
): Promise<readonly PluginRecord[]> {
  const out: PluginRecord[] = [];
  for (const d of dirs) out.push(await loadPluginDir(host, d));
  return out;
}
