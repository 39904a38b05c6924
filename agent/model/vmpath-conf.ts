/**
 * /etc/multipath/conf.d/vmpath.conf: vmpath's per-map settings for multipathd, one `multipaths`
 * entry per WWID (multipathd matches entries by wwid), sorted; vmpath owns the whole file.
 *  - `failback manual` for every map whose path group vmpath chooses: with `failback immediate`
 *    multipathd undoes an operator switchgroup within ~0.7 s (DESIGN.md §3.1).
 *  - `no_path_retry queue` for every map a VM sits on whose onAllPathsDown is not `fail`: with
 *    `no_path_retry fail` multipathd turns a `dmsetup message … queue_if_no_path` off again within
 *    ~6 s (measured in the lab), so queueing that must hold while vmpath pauses or migrates the
 *    VM has to be multipathd's own setting for that map.
 *  - `path_selector "historical-service-time 0"` for a map one VM owns (decide: ownedMapSelector):
 *    the selector that learns each path's service time serves a lone VM best. multipath-tools
 *    0.9.4 passes the string to the kernel verbatim; the dm table then shows
 *    `historical-service-time 0 <paths> 1 <dev> 1 …` (lab fixture selector-queue-length shows the
 *    same shape for `queue-length 0`).
 *  - `path_grouping_policy group_by_prio`, `prio weightedpath`, `prio_args "hbtl …"` for a multibus
 *    map one VM owns whose paths vmpath narrows (decide: ownedMapGrouping; path-grouping.ts), with
 *    `failback immediate` instead of manual: the highest-priority group IS vmpath's choice, so
 *    multipathd's failback returns I/O to it after a failover (measured 2.6–4.1 s in the lab) rather
 *    than undoing a choice, and it keeps doing so while the agent is stopped.
 * After it changes, `multipathd reconfigure` makes multipathd read it — and reconfigure resets
 * every map's group choice to multipathd's own, so the next reconcile re-asserts switch-group.
 */
import { InvalidNameError } from './errors';
import { normalGrouping, parsePrioArgs, prioArgs, type PathGrouping } from './path-grouping';

export const VMPATH_CONF_PATH = '/etc/multipath/conf.d/vmpath.conf';

export interface MapSettings {
  readonly failback?: 'manual';
  readonly noPathRetry?: 'queue';
  readonly pathSelector?: PathSelectorSetting;
  /** Rendered with `failback immediate` (which then wins over `failback: 'manual'`). */
  readonly grouping?: PathGrouping;
}

/** The only selector strings vmpath writes (never free text: it reaches multipathd's config). */
export type PathSelectorSetting = 'historical-service-time 0';
const PATH_SELECTORS: readonly string[] = ['historical-service-time 0'];

const WWID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export function validateWwid(wwid: unknown): string {
  if (typeof wwid !== 'string' || !WWID.test(wwid)) {
    throw new InvalidNameError(`invalid WWID: ${JSON.stringify(wwid)}`, {
      kind: 'wwid',
      value: String(wwid),
    });
  }
  return wwid;
}

/** Settings per WWID in a vmpath.conf (only vmpath's own format is expected; the rest is ignored). */
export function parseVmpathConf(text: string | null): Map<string, MapSettings> {
  const out = new Map<string, MapSettings>();
  if (!text) return out;
  for (const block of text.replace(/#[^\n]*/g, '').match(/multipath\s*\{[^{}]*\}/g) ?? []) {
    const wwid = /\bwwid\s+"?([^\s"]+)"?/.exec(block)?.[1];
    if (!wwid || !WWID.test(wwid)) continue;
    const failback = /\bfailback\s+"?manual"?/.test(block);
    const queue = /\bno_path_retry\s+"?queue"?/.test(block);
    const sel = /\bpath_selector\s+"([^"]*)"/.exec(block)?.[1];
    const selector =
      sel !== undefined && PATH_SELECTORS.includes(sel) ? (sel as PathSelectorSetting) : undefined;
    const grouping = groupingOf(block);
    out.set(wwid, {
      ...out.get(wwid),
      ...(failback ? { failback: 'manual' as const } : {}),
      ...(queue ? { noPathRetry: 'queue' as const } : {}),
      ...(selector ? { pathSelector: selector } : {}),
      ...(grouping ? { grouping } : {}),
    });
  }
  return out;
}

/** The grouping of one entry: all three keywords as vmpath writes them, else none. */
function groupingOf(block: string): PathGrouping | undefined {
  if (!/\bpath_grouping_policy\s+"?group_by_prio"?/.test(block)) return undefined;
  if (!/\bprio\s+"?weightedpath"?/.test(block)) return undefined;
  const args = /\bprio_args\s+"([^"]*)"/.exec(block)?.[1];
  return args === undefined ? undefined : parsePrioArgs(args);
}

export function renderVmpathConf(settings: ReadonlyMap<string, MapSettings>): string {
  const wwids = [...settings.keys()].map(validateWwid).sort();
  const lines = [
    '# Managed by vmpath: settings for the maps vmpath steers (failback) or protects (queueing).',
    '# `vmpath release --all` removes this file. Do not edit: vmpath rewrites it.',
    'multipaths {',
  ];
  for (const w of wwids) {
    const s = settings.get(w) as MapSettings;
    if (!s.failback && !s.noPathRetry && !s.pathSelector && !s.grouping) continue;
    if (s.pathSelector && !PATH_SELECTORS.includes(s.pathSelector))
      throw new InvalidNameError(`invalid path_selector: ${JSON.stringify(s.pathSelector)}`, {
        kind: 'path_selector',
        value: String(s.pathSelector),
      });
    const args = s.grouping ? prioArgs(normalGrouping(s.grouping)) : undefined; // validated
    lines.push('\tmultipath {', `\t\twwid "${w}"`);
    if (args) lines.push('\t\tfailback immediate');
    else if (s.failback) lines.push(`\t\tfailback ${s.failback}`);
    if (s.noPathRetry) lines.push(`\t\tno_path_retry ${s.noPathRetry}`);
    if (s.pathSelector) lines.push(`\t\tpath_selector "${s.pathSelector}"`);
    if (args)
      lines.push(
        '\t\tpath_grouping_policy group_by_prio',
        '\t\tprio weightedpath',
        `\t\tprio_args "${args}"`,
      );
    lines.push('\t}');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * The file with one more setting for one WWID (the others kept). A key given as `undefined`
 * removes that setting (e.g. `{ grouping: undefined }`).
 */
export function withSetting(text: string | null, wwid: string, add: MapSettings): string {
  const all = parseVmpathConf(text);
  const merged: Record<string, unknown> = { ...all.get(wwid), ...add };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  all.set(validateWwid(wwid), merged as MapSettings);
  return renderVmpathConf(all);
}
