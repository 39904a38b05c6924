/**
 * `/proc/diskstats`: one line per block device, `MAJ MIN NAME` then the same counters as
 * `/sys/block/NAME/stat` (11 fields before Linux 4.18, 15 with discards, 17 with flushes). One
 * read gives every device's MAJ:MIN and counters, where sysfs needs two files per device.
 *
 * A line that does not parse is left out and counted in `rejected` (its device is then read from
 * sysfs as before); the parser never throws on content.
 */
import type { DevT, IoCounters } from '../../model/snapshot';
import { countersOf } from './block-files';

export interface DiskstatsEntry {
  readonly devT: DevT;
  readonly stat: IoCounters;
}

export interface Diskstats {
  /** Kernel name → MAJ:MIN and counters; the first line wins when a name repeats. */
  readonly byName: ReadonlyMap<string, DiskstatsEntry>;
  /** Lines that were not a device line (garbage, too few fields, bad numbers). */
  readonly rejected: number;
}

const MAX_DIGITS = 20;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const NL = 10;

/**
 * One pass over the text, no regex and no substrings but the names: a large host lists thousands
 * of devices and this runs on every snapshot. `fields` is reused across lines.
 */
/** No /proc/diskstats (absent or unreadable): every device is read from sysfs. */
export const NO_DISKSTATS: Diskstats = { byName: new Map(), rejected: 0 };

export function parseDiskstats(text: string): Diskstats {
  const byName = new Map<string, DiskstatsEntry>();
  let rejected = 0;
  const fields: number[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    // One line: MAJ MIN NAME counters...
    fields.length = 0;
    let name = '';
    let bad = false;
    let column = 0;
    let blank = true;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === NL) {
        i++;
        break;
      }
      if (c === SPACE || c === TAB || c === CR) {
        i++;
        continue;
      }
      blank = false;
      const start = i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === SPACE || d === TAB || d === CR || d === NL) break;
        i++;
      }
      if (column === 2) {
        name = text.slice(start, i);
        if (name.length > 64) bad = true;
      } else {
        const value = decimal(text, start, i);
        if (value === undefined || (column === 0 && i - start > 4) || (column === 1 && i - start > 7))
          bad = true;
        else fields.push(value);
      }
      column++;
    }
    if (blank) continue;
    // The counters of /sys/block/X/stat: 11, 15 or 17 (more tolerated for future kernels).
    if (bad || column < 3 + 11) {
      rejected++;
      continue;
    }
    if (byName.has(name)) continue;
    const f = fields;
    byName.set(name, {
      devT: `${f[0] as number}:${f[1] as number}`,
      stat: countersOf(f, 2),
    });
  }
  return { byName, rejected };
}

/** text[start, end) as a decimal counter of 1–20 digits, else undefined. */
function decimal(text: string, start: number, end: number): number | undefined {
  if (end - start > MAX_DIGITS) return undefined;
  let value = 0;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return undefined;
    value = value * 10 + c;
  }
  return value;
}
