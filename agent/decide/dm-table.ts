/**
 * dm-multipath table strings in the kernel's format (as `dmsetup table` prints them):
 *   0 <sectors> multipath <nfeat> <feats...> <nhw> <hw...> <npg> <initial pg>
 *     per group: <selector> <nsel_args> <sel_args...> <npaths> <npath_args> per path: <MAJ:MIN> <path_args...>
 * e.g. `0 131072 multipath 0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1`.
 */
import type { MapPath, MultipathMap, PathGroup } from '../model/snapshot';

/** Per-path argument defaults by selector when the snapshot has none (kernel defaults). */
const PATH_ARG_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  'service-time': ['1', '1'],
  'round-robin': ['1'],
  'queue-length': ['1'],
  'historical-service-time': ['1'],
  'io-affinity': ['1'],
};

function features(base: MultipathMap, bio: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < base.features.length; i++) {
    const f = base.features[i] as string;
    if (f === 'queue_mode') {
      i++; // drop `queue_mode <mode>`; re-added below when wanted
      continue;
    }
    out.push(f);
  }
  if (bio) out.push('queue_mode', 'bio');
  return out;
}

function hardwareHandler(hw: string): string {
  const t = hw.trim();
  if (t === '' || t === '0' || t === 'none') return '0';
  if (/^\d+( |$)/.test(t)) return t;
  return `1 ${t}`;
}

function pathArgs(group: PathGroup, p: MapPath): readonly string[] {
  return p.selectorArgs ?? PATH_ARG_DEFAULTS[group.selector.split(' ')[0] ?? ''] ?? ['1'];
}

function groupText(group: PathGroup, paths: readonly MapPath[]): string {
  const nargs = paths.length ? pathArgs(group, paths[0] as MapPath).length : 0;
  let text = `${group.selector} ${group.selectorArgs.length}`;
  for (const a of group.selectorArgs) text += ` ${a}`;
  text += ` ${paths.length} ${nargs}`;
  for (const p of paths) {
    const args = pathArgs(group, p);
    text += ` ${p.devT}`;
    for (let i = 0; i < nargs; i++) text += ` ${args[i] ?? '1'}`; // padded with 1, cut to nargs
  }
  return text;
}

/**
 * Table of a per-VM map over the base map's path devices: group 1 = `chosen` (in order, with the
 * selector of the base group holding chosen[0]), then the base map's groups minus those paths.
 */
export function vmMapTable(base: MultipathMap, chosen: readonly string[], bio: boolean): string {
  const where = new Map<string, { g: PathGroup; p: MapPath }>(); // first occurrence of each device
  for (const g of base.groups) for (const p of g.paths) if (!where.has(p.dev)) where.set(p.dev, { g, p });
  const first: { g: PathGroup; p: MapPath }[] = [];
  for (const d of chosen) {
    const x = where.get(d);
    if (x) first.push(x);
  }
  const chosenSet = new Set(chosen);
  const groups: string[] = [];
  if (first.length)
    groups.push(
      groupText(
        (first[0] as { g: PathGroup }).g,
        first.map((x) => x.p),
      ),
    );
  for (const g of base.groups) {
    const rest = g.paths.filter((p) => !chosenSet.has(p.dev));
    if (rest.length) groups.push(groupText(g, rest));
  }
  const feats = features(base, bio);
  return [
    '0',
    String(base.sizeSectors),
    'multipath',
    String(feats.length),
    ...feats,
    hardwareHandler(base.hwHandler),
    String(groups.length),
    groups.length ? '1' : '0', // the kernel wants initial group 0 exactly when there is none
    ...groups,
  ].join(' ');
}

/** The LV table with the lower device `from` (MAJ:MIN) replaced by `to` (MAJ:MIN or /dev path). */
export function retargetTable(table: string, from: string, to: string): string | undefined {
  const words = table.trim().split(/\s+/);
  let hit = false;
  const out = words.map((w) => {
    if (w !== from) return w;
    hit = true;
    return to;
  });
  return hit ? out.join(' ') : undefined;
}
