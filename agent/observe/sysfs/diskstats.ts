/**
 * Reading `/proc/diskstats` once per snapshot. Absent (a capture taken before vmpath read it, a
 * test root without it) or unreadable → an empty index and every device's `dev` and `stat` are
 * read from sysfs; a garbled line → a warning and that device read from sysfs.
 */
import type { HostFs } from '../../model/seams';
import type { DiagnosticSink } from '../diagnostics';
import { NO_DISKSTATS, parseDiskstats, type Diskstats } from '../parse/diskstats';
import { readOptional } from '../read';

export const DISKSTATS_PATH = '/proc/diskstats';

/** The text of /proc/diskstats; undefined when absent or unreadable (a diagnostic says which). */
export async function readDiskstatsText(fs: HostFs, diag: DiagnosticSink): Promise<string | undefined> {
  try {
    return await readOptional(fs, DISKSTATS_PATH);
  } catch (err) {
    diag.error('host', err);
    return undefined;
  }
}

/** Parse what readDiskstatsText returned; lines not understood become one warning. */
export function diskstatsOf(text: string | undefined, diag: DiagnosticSink): Diskstats {
  if (text === undefined) return NO_DISKSTATS;
  const stats = parseDiskstats(text);
  if (stats.rejected > 0) {
    diag.add(
      'warn',
      'host',
      `${DISKSTATS_PATH}: ${stats.rejected} line(s) not understood; those devices are read from sysfs`,
    );
  }
  return stats;
}

export async function readDiskstats(fs: HostFs, diag: DiagnosticSink): Promise<Diskstats> {
  return diskstatsOf(await readDiskstatsText(fs, diag), diag);
}
