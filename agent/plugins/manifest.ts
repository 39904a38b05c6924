/**
 * Manifest validation: runs BEFORE any plugin code is loaded. Any problem throws
 * PluginManifestError naming the plugin (or file) and the field.
 */
import { PluginManifestError } from '../model/errors';
import type { ContributionDecl, PluginManifest } from './api';
import { parseRange, parseVersion, satisfies } from './semver';

/** The plugin API version this vmpath implements (api.ts). */
export const PLUGIN_API_VERSION = '1.0.0';
export const MANIFEST_FILE = 'vmpath-plugin.json';

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAIN = /^(?!\/)(?!.*\.\.)[A-Za-z0-9_./-]+\.(c?js)$/;

function fail(where: string, field: string, problem: string): never {
  throw new PluginManifestError(`plugin ${where}: manifest ${field} ${problem}`, { plugin: where, field });
}

function contributions(where: string, field: string, raw: unknown): ContributionDecl[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(where, field, 'must be a list of {id, description?}');
  const seen = new Set<string>();
  return raw.map((c: unknown, i) => {
    const o = c as { id?: unknown; description?: unknown };
    if (
      typeof o !== 'object' ||
      o === null ||
      typeof o.id !== 'string' ||
      !/^[a-z0-9][a-z0-9._/-]{0,63}$/.test(o.id)
    )
      fail(where, `${field}[${i}].id`, 'must match [a-z0-9][a-z0-9._/-]{0,63}');
    if (seen.has(o.id)) fail(where, `${field}[${i}].id`, `duplicates ${o.id}`);
    seen.add(o.id);
    if (o.description !== undefined && typeof o.description !== 'string')
      fail(where, `${field}[${i}].description`, 'must be text');
    return { id: o.id, ...(typeof o.description === 'string' ? { description: o.description } : {}) };
  });
}

export function validateManifest(
  raw: unknown,
  where = '(unknown)',
  apiVersion = PLUGIN_API_VERSION,
): PluginManifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, '', 'must be a JSON object');
  const m = raw as Record<string, unknown>;
  if (typeof m.id !== 'string' || !ID.test(m.id)) fail(where, 'id', 'must match [a-z0-9][a-z0-9._-]{0,63}');
  const id = m.id;
  if (typeof m.version !== 'string' || !parseVersion(m.version))
    fail(id, 'version', 'must be MAJOR.MINOR.PATCH');
  const engines = m.engines as { vmpath?: unknown } | undefined;
  if (typeof engines !== 'object' || engines === null || typeof engines.vmpath !== 'string')
    fail(id, 'engines.vmpath', 'must name the plugin API range, e.g. "^1.0.0"');
  if (!parseRange(engines.vmpath))
    fail(id, 'engines.vmpath', `is not a valid range: ${JSON.stringify(engines.vmpath)}`);
  if (!satisfies(apiVersion, engines.vmpath))
    fail(
      id,
      'engines.vmpath',
      `${JSON.stringify(engines.vmpath)} does not include this vmpath's plugin API ${apiVersion}`,
    );
  if (m.main !== undefined && (typeof m.main !== 'string' || !MAIN.test(m.main)))
    fail(id, 'main', 'must be a relative .js/.cjs path inside the plugin directory');
  if (m.description !== undefined && typeof m.description !== 'string')
    fail(id, 'description', 'must be text');
  const c = m.contributes as Record<string, unknown> | undefined;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) fail(id, 'contributes', 'must be an object');
  for (const k of Object.keys(c))
    if (k !== 'pathSelectors' && k !== 'policySources')
      fail(id, `contributes.${k}`, 'is not a known contribution point');
  const pathSelectors = contributions(id, 'contributes.pathSelectors', c.pathSelectors);
  const policySources = contributions(id, 'contributes.policySources', c.policySources);
  if (pathSelectors.length + policySources.length === 0) fail(id, 'contributes', 'declares nothing');
  return Object.freeze({
    id,
    version: m.version,
    engines: { vmpath: engines.vmpath },
    ...(typeof m.main === 'string' ? { main: m.main } : {}),
    ...(typeof m.description === 'string' ? { description: m.description } : {}),
    contributes: { pathSelectors, policySources },
  });
}
