/**
 * A tiny semver range check for plugin `engines.vmpath` (no dependency): versions
 * `MAJOR.MINOR.PATCH` (pre-release tags ignored); ranges are `||`-separated alternatives of
 * space-separated comparators: `*`, `x`, `1`, `1.x`, `1.2.x`, `1.2.3` (exact), `^1.2.0`,
 * `~1.2.0`, `>=1`, `>1.2`, `<2`, `<=1.4.0`, `=1.2.3`.
 */
export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

type Test = (v: Version) => boolean;

/** `1`, `1.2`, `1.x`, `1.2.x`, `*` → numbers given (x/missing = undefined). */
function partial(text: string): (number | undefined)[] | undefined {
  if (!/^(\*|x|X|\d+)(\.(\*|x|X|\d+)){0,2}$/.test(text)) return undefined;
  return text.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : undefined));
}

function lowerOf(p: (number | undefined)[]): Version {
  return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];
}

/** First version above the partial's range (`1.2` → 1.3.0, `1` → 2.0.0). */
function upperOf(p: (number | undefined)[]): Version | undefined {
  const known = p.findIndex((x) => x === undefined);
  const n = known < 0 ? p.length : known;
  if (n === 0) return undefined;
  if (n === 1) return [(p[0] as number) + 1, 0, 0];
  if (n === 2) return [p[0] as number, (p[1] as number) + 1, 0];
  return [p[0] as number, p[1] as number, (p[2] as number) + 1];
}

function comparator(token: string): Test | undefined {
  const m = /^(\^|~|>=|<=|>|<|=)?(.+)$/.exec(token);
  if (!m) return undefined;
  const op = m[1] ?? '';
  const p = partial(m[2] as string);
  if (!p) return undefined;
  const lo = lowerOf(p);
  const hi = upperOf(p);
  switch (op) {
    case '':
    case '=':
      return (v) => cmp(v, lo) >= 0 && (!hi || cmp(v, hi) < 0);
    case '^': {
      const top: Version | undefined =
        p[0] === undefined
          ? undefined
          : lo[0] > 0 || p[1] === undefined
            ? [lo[0] + 1, 0, 0]
            : lo[1] > 0 || p[2] === undefined
              ? [0, lo[1] + 1, 0]
              : [0, 0, lo[2] + 1];
      return (v) => cmp(v, lo) >= 0 && (!top || cmp(v, top) < 0);
    }
    case '~': {
      const top: Version | undefined =
        p[0] === undefined ? undefined : p[1] === undefined ? [lo[0] + 1, 0, 0] : [lo[0], lo[1] + 1, 0];
      return (v) => cmp(v, lo) >= 0 && (!top || cmp(v, top) < 0);
    }
    case '>=':
      return (v) => cmp(v, lo) >= 0;
    case '>':
      return (v) => (hi ? cmp(v, hi) >= 0 : false);
    case '<':
      return (v) => cmp(v, lo) < 0;
    case '<=':
      return (v) => (hi ? cmp(v, hi) < 0 : true);
  }
  return undefined;
}

/** Parse a range; undefined when malformed. */
export function parseRange(range: string): Test | undefined {
  const alternatives = range.trim().split('||');
  const tests: Test[][] = [];
  for (const alt of alternatives) {
    const tokens = alt
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    if (tokens.length === 0) return undefined;
    const ts = tokens.map(comparator);
    if (ts.some((t) => t === undefined)) return undefined;
    tests.push(ts as Test[]);
  }
  return (v) => tests.some((all) => all.every((t) => t(v)));
}

export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  const test = parseRange(range);
  return v !== undefined && test !== undefined && test(v);
}
