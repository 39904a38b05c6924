/**
 * The vmpath configuration file (host: /etc/vmpath/config.json; cluster: /etc/pve/vmpath.json,
 * same schema) → engine settings + policy layers whose origins name `file:line`. Pure: the
 * text comes in, load.ts does the reading. Schema (tables below; docs/policy.md):
 *
 *   { "engine":   { <EngineConfig key>: value, ... },
 *     "defaults": { <policy key>: value, ... },          // every VM
 *     "vms":      { "<vm id>": { <policy key>: value } },
 *     "plugins":  ["/usr/lib/vmpath/plugins/acme", ...], // plugin directories (host file only)
 *     "control":  { "libvirtUri": ..., "proxmoxApi": {...} }, // VM managers (host file; control.ts)
 *     "cluster":  { "dir": ..., "staleSeconds": 60 } }       // node health exchange (host file; cluster-section.ts)
 *
 * Unknown keys and malformed values → ConfigInvalidError (file:line, key); out-of-range or
 * contradictory policy → PolicyInvalidError (VM, key, origin file:line).
 */
import { resolvePolicy } from '../decide/policy/resolve';
import { validateValue } from '../decide/policy/validate';
import type { EngineConfig } from '../decide/types';
import { ConfigInvalidError } from '../model/errors';
import type { Origin, OriginKind, PolicyLayer } from '../model/policy';
import type { JEntry, JNode } from './json-lines';
import { parseJsonLines, plain } from './json-lines';
import { VALUE_PARSERS, isPolicyKey } from './values';
import type { ControlConfig } from './control';
import { parseControlSection } from './control';
import type { ClusterConfig } from './cluster-section';
import { parseClusterSection } from './cluster-section';

export interface ParsedConfig {
  readonly file: string;
  readonly engine: Partial<EngineConfig>;
  readonly allVms: readonly PolicyLayer[];
  readonly byVm: Readonly<Record<string, readonly PolicyLayer[]>>;
  readonly plugins: readonly string[];
  readonly control: ControlConfig;
  readonly cluster: ClusterConfig;
}

export const EMPTY_CONFIG: ParsedConfig = Object.freeze({
  file: '(none)',
  engine: {},
  allVms: [],
  byVm: {},
  plugins: [],
  control: {},
  cluster: {},
});

type EngineCheck = (v: unknown) => boolean;
const num =
  (lo: number, hi: number, integer = false): EngineCheck =>
  (v) =>
    typeof v === 'number' && v >= lo && v <= hi && (!integer || Number.isInteger(v));

/** Engine settings: key → check (and the text of what is expected). */
export const ENGINE_SCHEMA: Readonly<Record<keyof EngineConfig, readonly [EngineCheck, string]>> = {
  holdDownSeconds: [num(0, 86400), 'seconds 0..86400'],
  flapWindowSeconds: [num(1, 86400), 'seconds 1..86400'],
  maxFlaps: [num(0, 10000, true), 'an integer 0..10000'],
  rebalanceGainThreshold: [num(0, 100), 'a fraction 0..100'],
  limitStepFraction: [num(0.01, 1e9), 'a fraction > 0 (1e9 = unbounded)'],
  defaultPathCapacityMBps: [num(1, 1e7), 'MB/s 1..10^7'],
  defaultPathCapacityIops: [num(1, 1e9), 'IO/s 1..10^9'],
  reservableFraction: [num(0, 1), 'a fraction 0..1'],
  minLimitMBps: [num(0.001, 1e6), 'MB/s > 0'],
  minLimitIops: [num(1, 1e9, true), 'an integer IO/s >= 1'],
  perVmMaps: [
    (v) => v === 'never' || v === 'pinned' || v === 'pinned-or-limited' || v === 'steer',
    'never | pinned | pinned-or-limited | steer',
  ],
  ownedMapSelector: [
    (v) => v === 'keep' || v === 'historical-service-time',
    'keep | historical-service-time',
  ],
  ownedMapGrouping: [(v) => v === 'keep' || v === 'by-choice', 'keep | by-choice'],
  fallbackSelector: [(v) => typeof v === 'string' && v.length > 0, 'a selector id'],
  stepRequeueMs: [num(100, 3.6e6, true), 'milliseconds 100..3600000'],
};

const TOP = ['engine', 'defaults', 'vms', 'plugins', 'control', 'cluster'] as const;

function fail(file: string, line: number, msg: string, key?: string): never {
  throw new ConfigInvalidError(`${file}:${line}: ${msg}`, { file, line, ...(key ? { key } : {}) });
}

function objectEntries(node: JNode, file: string, what: string): readonly JEntry[] {
  if (node.kind !== 'object') fail(file, node.line, `${what} must be an object`);
  return node.entries;
}

/** One layer per key, each with its own `file:line` origin. */
function policyLayers(
  node: JNode,
  file: string,
  kind: OriginKind,
  vmId: string,
  what: string,
): PolicyLayer[] {
  return objectEntries(node, file, what).map((e) => {
    if (!isPolicyKey(e.key))
      fail(
        file,
        e.line,
        `unknown policy key "${e.key}" in ${what} (known: ${Object.keys(VALUE_PARSERS).join(', ')})`,
        e.key,
      );
    const parsed = (VALUE_PARSERS[e.key] as (r: unknown) => ReturnType<(typeof VALUE_PARSERS)['priority']>)(
      plain(e.node),
    );
    if (!parsed.ok) fail(file, e.line, `${what}.${e.key}: expected ${parsed.expected}`, e.key);
    const origin: Origin = { kind, source: `${file}:${e.line}` };
    validateValue(vmId, e.key, parsed.value, origin);
    return { origin, values: { [e.key]: parsed.value } };
  });
}

export function parseConfigText(text: string, file: string, kind: OriginKind = 'host-config'): ParsedConfig {
  const root = parseJsonLines(text, file);
  const top = objectEntries(root, file, 'the configuration');
  const engine: Record<string, unknown> = {};
  let allVms: PolicyLayer[] = [];
  const byVm: Record<string, PolicyLayer[]> = {};
  const plugins: string[] = [];
  let control: ControlConfig = {};
  let cluster: ClusterConfig = {};
  for (const e of top) {
    if (!(TOP as readonly string[]).includes(e.key))
      fail(file, e.line, `unknown key "${e.key}" (known: ${TOP.join(', ')})`, e.key);
    if (e.key === 'engine')
      for (const x of objectEntries(e.node, file, 'engine')) {
        const row = (ENGINE_SCHEMA as Record<string, readonly [EngineCheck, string]>)[x.key];
        if (!row) fail(file, x.line, `unknown engine key "${x.key}"`, x.key);
        const v = plain(x.node);
        if (!row[0](v))
          fail(file, x.line, `engine.${x.key}: expected ${row[1]}, got ${JSON.stringify(v)}`, x.key);
        engine[x.key] = v;
      }
    if (e.key === 'defaults') allVms = policyLayers(e.node, file, kind, '*', 'defaults');
    if (e.key === 'vms')
      for (const x of objectEntries(e.node, file, 'vms')) {
        if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(x.key))
          fail(file, x.line, `invalid VM id "${x.key}"`, x.key);
        byVm[x.key] = policyLayers(x.node, file, kind, x.key, `vms.${x.key}`);
      }
    if (e.key === 'plugins') {
      const v = plain(e.node);
      if (!Array.isArray(v) || !v.every((d) => typeof d === 'string' && d.startsWith('/')))
        fail(file, e.line, 'plugins must be a list of absolute directory paths', 'plugins');
      plugins.push(...(v as string[]));
    }
    if (e.key === 'control') control = parseControlSection(plain(e.node), file, e.line);
    if (e.key === 'cluster') cluster = parseClusterSection(plain(e.node), file, e.line);
  }
  // contradictions (reservation > limit) inside this file, per VM and for the defaults
  resolvePolicy(allVms, '*');
  for (const [vm, layers] of Object.entries(byVm)) resolvePolicy([...layers, ...allVms], vm);
  return { file, engine: engine as Partial<EngineConfig>, allVms, byVm, plugins, control, cluster };
}
