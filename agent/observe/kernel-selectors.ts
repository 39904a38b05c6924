/**
 * Which dm-multipath path selectors the running kernel can load. A table that names a selector
 * the kernel lacks does not load ("unknown path selector type"), and multipathd then fails every
 * reload of that map, including the one that adds a new path. Measured: Debian 12's cloud kernel
 * (6.1.0-*-cloud-amd64, the lab's) ships dm-round-robin, dm-queue-length and dm-service-time but
 * not dm-historical-service-time.
 *
 * Read from depmod's lists for the running release: `/lib/modules/<release>/modules.builtin`
 * (built in) and `modules.dep` (loadable modules); a module already loaded
 * (`/sys/module/dm_<name>`) counts too. Neither list readable → undefined (unknown: callers must
 * not conclude a selector is missing). Once per release per HostFs object: the lists change only
 * with the kernel.
 */
import type { HostFs } from '../model/seams';
import type { DiagnosticSink } from './diagnostics';
import { readOptional, syncFor } from './read';

/** dm path selector name → its kernel module's name. */
export const SELECTOR_MODULES: Readonly<Record<string, string>> = {
  'round-robin': 'dm-round-robin',
  'queue-length': 'dm-queue-length',
  'service-time': 'dm-service-time',
  'historical-service-time': 'dm-historical-service-time',
  'io-affinity': 'dm-io-affinity',
};

const RELEASE = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/;

/** Selector names whose module a depmod list (modules.dep or modules.builtin text) names. */
export function selectorsInModuleList(text: string): string[] {
  const found: string[] = [];
  for (const [selector, module] of Object.entries(SELECTOR_MODULES)) {
    // `kernel/drivers/md/dm-service-time.ko[.xz|.zst|.gz]` at the start of a line (dep) or alone (builtin).
    const line = new RegExp(`(^|\\n)[^\\n:]*/${module}\\.ko(\\.[a-z]+)?(:|\\n|$)`);
    if (line.test(text)) found.push(selector);
  }
  return found;
}

async function loaded(fs: HostFs, module: string): Promise<boolean> {
  const path = `/sys/module/${module.replace(/-/g, '_')}`;
  const sync = syncFor(fs, path);
  try {
    return sync ? sync.exists(path) : await fs.exists(path);
  } catch {
    return false;
  }
}

const cache = new WeakMap<HostFs, { release: string; selectors: readonly string[] | undefined }>();

/**
 * The selectors the kernel `release` can load, sorted; undefined when unknown. `cacheKey` is the
 * HostFs object to remember the answer for (the snapshot's own fs is a fresh decorator each time).
 */
export async function readKernelSelectors(
  fs: HostFs,
  release: string | undefined,
  diag: DiagnosticSink,
  cacheKey: HostFs = fs,
): Promise<readonly string[] | undefined> {
  if (release === undefined) return undefined;
  if (!RELEASE.test(release)) {
    diag.add('warn', 'host', `kernel release ${JSON.stringify(release.slice(0, 60))} is not a usable name`);
    return undefined;
  }
  const hit = cache.get(cacheKey);
  if (hit && hit.release === release) return hit.selectors;
  const lists: string[] = [];
  for (const name of ['modules.builtin', 'modules.dep']) {
    try {
      const text = await readOptional(fs, `/lib/modules/${release}/${name}`);
      if (text !== undefined) lists.push(text);
    } catch (err) {
      diag.error('host', err);
    }
  }
  let selectors: string[] | undefined;
  if (lists.length > 0) {
    const found = new Set(lists.flatMap(selectorsInModuleList));
    for (const [selector, module] of Object.entries(SELECTOR_MODULES)) {
      if (!found.has(selector) && (await loaded(fs, module))) found.add(selector);
    }
    selectors = [...found].sort();
  }
  cache.set(cacheKey, { release, selectors });
  return selectors;
}
