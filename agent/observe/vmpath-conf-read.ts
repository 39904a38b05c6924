/**
 * What vmpath.conf (/etc/multipath/conf.d/vmpath.conf) already asks multipathd for, per WWID.
 * multipathd's JSON cannot say whether a map's failback is `manual`: its `failback` field is the
 * failback countdown (`-` when none is running, for manual and deferred alike; only `immediate`
 * and `followover` are named) — measured on 0.9.4 in the lab. So whether vmpath still has to
 * write `failback manual` is read from vmpath's own file. A missing file is no settings; an
 * unreadable one is a warning and no settings.
 */
import type { HostFs } from '../model/seams';
import { parseVmpathConf, VMPATH_CONF_PATH, type MapSettings } from '../model/vmpath-conf';
import type { DiagnosticSink } from './diagnostics';

export async function readVmpathConf(fs: HostFs, diag: DiagnosticSink): Promise<Map<string, MapSettings>> {
  try {
    return parseVmpathConf(await fs.readFile(VMPATH_CONF_PATH));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') diag.error('multipathd config', err, 'warn');
    return new Map();
  }
}
