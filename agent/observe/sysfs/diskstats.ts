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

export async function readDiskstats(fs: HostFs, diag: DiagnosticSink): Promise<Diskstats> {
  let text: string | undefined;
  try {
    text = await readOptional(fs, DISKSTATS_PATH);
  } catch (err) {
    diag.error('host', err);
    return NO_DISKSTATS;
  }
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
