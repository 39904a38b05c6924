/**
 * Which prioritizer the simulated multipathd uses per path on reconfigure, as multipath-tools
 * 0.9.4 does (measured, lab suite `grouping`, the prio-origins.txt files of test/fixtures/lab/grouping-…):
 *  - `detect_prio yes` (the default) on a path that reports ALUA — every simulated path does
 *    (its device/access_state) — wins over any configured prio: `prio alua`, the path's ALUA
 *    priority (50 optimized, 10 non-optimized, 1 standby);
 *  - otherwise the LUN's multipaths entry's `prio` (vmpath.conf): `weightedpath` with
 *    `prio_args "hbtl|devname <regex> <prio> …"` — each unanchored extended regex tried against
 *    the path's `H:C:T:L` (or sdX name), the first match gives the priority, none gives 0;
 *  - else the `prio` of defaults/overrides (`alua`: as above), else `const` (1).
 * A multipaths entry's `path_grouping_policy` applies whatever the prioritizer: with detect_prio on,
 * `group_by_prio` then groups by ALUA state (measured: 50 / 10 / 1).
 */
import type { SimPathDev } from './state';

/** Host-wide prioritizer settings from the non-`multipaths` sections of multipath.conf texts. */
export interface HostPrio {
  readonly detectPrio: boolean;
  /** `prio` of defaults/overrides: ALUA-derived or const. */
  readonly defaultPrio: 'alua' | 'const';
}

/** Later texts win (conf.d after multipath.conf), as multipathd merges them. */
export function hostPrio(confTexts: readonly string[]): HostPrio {
  let detectPrio = true;
  let defaultPrio: HostPrio['defaultPrio'] = 'alua';
  let explicitPrio = false;
  for (const t of confTexts) {
    const text = t.replace(/#[^\n]*/g, '').replace(/multipaths\s*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}/g, '');
    for (const m of text.matchAll(/\bdetect_prio\s+"?(yes|no)"?/g)) detectPrio = m[1] === 'yes';
    for (const m of text.matchAll(/\bprio\s+"?([a-z_]+)"?/g)) {
      explicitPrio = true;
      defaultPrio = m[1] === 'alua' || m[1] === 'sysfs' ? 'alua' : 'const';
    }
  }
  // Without detect_prio and without a configured prio, multipath-tools' default is const.
  if (!detectPrio && !explicitPrio) defaultPrio = 'const';
  return { detectPrio, defaultPrio };
}

/** `prio weightedpath` with its args for one path; undefined when the args are not understood. */
export function weightedPathPrio(args: string, p: SimPathDev): number | undefined {
  const w = args.trim().split(/\s+/);
  const subject = w[0] === 'hbtl' ? p.hcil : w[0] === 'devname' ? p.dev : undefined;
  if (subject === undefined) return undefined;
  for (let i = 1; i + 1 < w.length; i += 2) {
    let re: RegExp;
    try {
      re = new RegExp(w[i] as string);
    } catch {
      continue;
    }
    if (re.test(subject)) return Number.parseInt(w[i + 1] as string, 10) || 0;
  }
  return 0;
}

/**
 * The priority multipathd gives path `p` (SimPathDev.mpdPriority: undefined = its ALUA priority)
 * with the LUN's entry `prio`/`prioArgs` (if any) under the host's settings.
 */
export function assignedPrio(
  p: SimPathDev,
  host: HostPrio,
  entry: { readonly prio?: string; readonly prioArgs?: string } | undefined,
): number | undefined {
  if (host.detectPrio) return undefined; // every simulated path reports ALUA
  if (entry?.prio === 'weightedpath') return weightedPathPrio(entry.prioArgs ?? '', p) ?? 0;
  if (entry?.prio === 'alua' || entry?.prio === 'sysfs') return undefined;
  if (entry?.prio === 'const') return 1;
  return host.defaultPrio === 'alua' ? undefined : 1;
}
