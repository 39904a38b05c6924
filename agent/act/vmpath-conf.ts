/**
 * /etc/multipath/conf.d/vmpath.conf: `failback manual` for every map whose path group vmpath
 * chooses. With `failback immediate` multipathd undoes an operator switchgroup within ~0.7 s
 * (DESIGN.md §3.1), so the failback setting is a precondition of switch-group.
 *
 * The file lists WWIDs (multipathd matches `multipaths` entries by wwid), sorted, one block per
 * map; vmpath owns the whole file. After it changes, `multipathd reconfigure` makes multipathd
 * read it — and reconfigure resets every map's group choice to multipathd's own, so the next
 * reconcile re-asserts switch-group (level-based: the snapshot shows the wrong group).
 */
import { InvalidNameError } from '../model/errors';

export const FAILBACK_CONF_PATH = '/etc/multipath/conf.d/vmpath.conf';

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

/** WWIDs listed in a vmpath.conf (only our own format is expected; others are ignored). */
export function parseFailbackConf(text: string | null): string[] {
  if (!text) return [];
  const out = new Set<string>();
  for (const m of text.matchAll(/^\s*wwid\s+"?([^\s"]+)"?\s*$/gm)) if (m[1]) out.add(m[1]);
  return [...out].sort();
}

export function renderFailbackConf(wwids: readonly string[]): string {
  const sorted = [...new Set(wwids.map(validateWwid))].sort();
  const lines = [
    '# Managed by vmpath: failback manual for maps whose path group vmpath chooses.',
    '# `vmpath release --all` removes this file. Do not edit: vmpath rewrites it.',
    'multipaths {',
    ...sorted.flatMap((w) => ['\tmultipath {', `\t\twwid "${w}"`, '\t\tfailback manual', '\t}']),
    '}',
  ];
  return lines.join('\n') + '\n';
}
