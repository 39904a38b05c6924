/**
 * The multipath-tools version, from what `multipath -h` prints (on stderr, as its first line):
 * `multipath-tools v0.9.4 (12/19, 2022)`. The same line heads multipathd's help text.
 */
import { ParseError } from '../../model/errors';

export interface MultipathToolsVersion {
  /** `0.9.4` */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Release date as printed, `12/19, 2022`, when present. */
  readonly date?: string;
}

const VERSION_LINE = /multipath-tools v(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?: \(([^)\n]*)\))?/;

/** Finds the version line anywhere in `text` (stdout and stderr joined are fine). */
export function parseMultipathToolsVersion(text: string, source = 'multipath -h'): MultipathToolsVersion {
  const m = VERSION_LINE.exec(text);
  if (!m) {
    throw new ParseError(
      `${source}: no "multipath-tools vX.Y.Z" line in ${JSON.stringify(text.slice(0, 120))}`,
      {
        source,
      },
    );
  }
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { version: `${major}.${minor}.${patch}`, major, minor, patch, ...(m[4] ? { date: m[4] } : {}) };
}

/** Negative, zero or positive as `v` is older than, equal to or newer than `major.minor.patch`. */
export function compareVersion(
  v: MultipathToolsVersion,
  major: number,
  minor: number,
  patch: number,
): number {
  return v.major - major || v.minor - minor || v.patch - patch;
}
