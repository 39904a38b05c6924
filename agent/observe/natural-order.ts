/**
 * Natural order for device and VM names, as the kernel numbers them: `sdz` < `sdaa`, `dm-2` <
 * `dm-10`, `99` < `101`. Names are compared chunk by chunk (digit runs by value, other runs
 * shorter first, then by code point). Cheap: no collator per comparison.
 */
const CHUNK = /(\d+)|(\D+)/g;

function chunks(s: string): string[] {
  return s.match(CHUNK) ?? [];
}

export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  return compareChunks(chunks(a), chunks(b));
}

/**
 * Sort `items` by the natural order of `key(item)`, in place; each key is cut into chunks once
 * (not twice per comparison: a large host sorts thousands of path names).
 */
export function naturalSortBy<T>(items: T[], key: (item: T) => string): T[] {
  const keyed = items.map((item) => {
    const name = key(item);
    return { item, name, parts: chunks(name) };
  });
  keyed.sort((a, b) => (a.name === b.name ? 0 : compareChunks(a.parts, b.parts)));
  keyed.forEach((k, i) => (items[i] = k.item));
  return items;
}

function compareChunks(x: readonly string[], y: readonly string[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p === q) continue;
    const pd = p.charCodeAt(0) <= 57 && p.charCodeAt(0) >= 48;
    const qd = q.charCodeAt(0) <= 57 && q.charCodeAt(0) >= 48;
    if (pd && qd) {
      const d = Number(p) - Number(q);
      if (d !== 0) return d;
      return p.length - q.length;
    }
    if (!pd && !qd && p.length !== q.length) return p.length - q.length;
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}
