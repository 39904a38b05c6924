/**
 * Host-level facts read once per snapshot: hostname, kernel release, and where cgroupfs is
 * mounted (which decides v1/v2/hybrid and where VM cgroups live).
 */
import type { HostFs } from '../model/seams';
import type { DiagnosticSink } from './diagnostics';
import { cgroupMountsOf, parseMounts, type CgroupMounts } from './parse/proc-files';
import { readAttr, readRequired } from './read';

export interface HostFacts {
  readonly hostname: string;
  readonly kernel?: string;
  readonly cgroups: CgroupMounts;
}

export async function readHostFacts(fs: HostFs, diag: DiagnosticSink): Promise<HostFacts> {
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      diag.error('host', err);
      return undefined;
    }
  };
  const [hostname, kernel, mounts] = await Promise.all([
    attempt(() => readAttr(fs, '/proc/sys/kernel/hostname')),
    attempt(() => readAttr(fs, '/proc/sys/kernel/osrelease')),
    attempt(async () => parseMounts(await readRequired(fs, '/proc/mounts'))),
  ]);
  const cgroups = cgroupMountsOf(mounts ?? []);
  if (cgroups.mode === 'none')
    diag.add('warn', 'host', 'no cgroup filesystem mounted: per-VM I/O control is unavailable');
  return { hostname: hostname ?? 'unknown', ...(kernel !== undefined ? { kernel } : {}), cgroups };
}
