/**
 * The I/O settings currently in a VM's cgroup, so decide/ can compare desired with observed:
 * v2 `io.max` (`MAJ:MIN rbps=N wbps=max riops=N wiops=N`) and `io.weight` (`default N`);
 * v1 `blkio.throttle.{read,write}_{bps,iops}_device` (`MAJ:MIN N`) and `blkio.bfq.weight` or
 * `blkio.weight`. Parsers are pure; unparseable lines are skipped and counted.
 */
import type { CgroupIoLimit } from '../../model/plan';
import type { HostFs } from '../../model/seams';
import type { CgroupRef, DevT, VmCgroupIo } from '../../model/snapshot';
import type { CgroupMounts } from '../parse/proc-files';
import { readOptional } from '../read';
import { cgroupDir } from './cgroup';

type MutableLimit = { -readonly [K in keyof CgroupIoLimit]: CgroupIoLimit[K] };
const DEV_T = /^\d{1,4}:\d{1,7}$/;
const IO_MAX_KEYS: ReadonlySet<string> = new Set(['rbps', 'wbps', 'riops', 'wiops']);

export interface ParsedLimits {
  readonly limits: Record<DevT, CgroupIoLimit>;
  readonly badLines: number;
}

/** v2 io.max. `max` means no limit (key left out); a device with no limit at all is left out. */
export function parseIoMax(text: string): ParsedLimits {
  const limits: Record<DevT, MutableLimit> = {};
  let badLines = 0;
  for (const line of text.split('\n')) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    if (!dev) continue;
    if (!DEV_T.test(dev)) {
      badLines++;
      continue;
    }
    const limit: MutableLimit = {};
    for (const pair of pairs) {
      const [k, v] = pair.split('=');
      if (k === undefined || !IO_MAX_KEYS.has(k) || v === undefined) {
        badLines++;
        continue;
      }
      if (/^\d+$/.test(v)) limit[k as keyof MutableLimit] = Number(v);
    }
    if (Object.keys(limit).length) limits[dev] = limit;
  }
  return { limits, badLines };
}

/** v2 io.weight `default N` or v1 `blkio.*weight` (a bare number or `default N`). */
export function parseDefaultWeight(text: string): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(?:default\s+)?(\d+)\s*$/.exec(line.trim());
    if (m) return Number(m[1]);
  }
  return undefined;
}

const V1_FILES: readonly [string, keyof CgroupIoLimit][] = [
  ['blkio.throttle.read_bps_device', 'rbps'],
  ['blkio.throttle.write_bps_device', 'wbps'],
  ['blkio.throttle.read_iops_device', 'riops'],
  ['blkio.throttle.write_iops_device', 'wiops'],
];

/** Merge v1 `MAJ:MIN N` lines of one throttle file into `limits`. Returns the count of bad lines. */
export function mergeV1Throttle(
  limits: Record<DevT, MutableLimit>,
  key: keyof CgroupIoLimit,
  text: string,
): number {
  let bad = 0;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const m = /^(\d{1,4}:\d{1,7})\s+(\d+)$/.exec(t);
    if (!m) {
      bad++;
      continue;
    }
    const n = Number(m[2]);
    if (n === 0) continue; // `MAJ:MIN 0` is "no rule"
    const dev = m[1] as string;
    limits[dev] = { ...limits[dev], [key]: n };
  }
  return bad;
}

/** Read a VM cgroup's I/O settings. Missing files mean "nothing set"; throws classified errors otherwise. */
export async function readCgroupIo(
  fs: HostFs,
  ref: CgroupRef,
  mounts: CgroupMounts,
): Promise<{ io: VmCgroupIo; badLines: number } | undefined> {
  const dir = cgroupDir(ref, mounts);
  if (dir === undefined) return undefined;
  if (ref.version === 2) {
    const [max, weight] = await Promise.all([
      readOptional(fs, `${dir}/io.max`),
      readOptional(fs, `${dir}/io.weight`),
    ]);
    if (max === undefined && weight === undefined) return undefined;
    const parsed = parseIoMax(max ?? '');
    const w = weight === undefined ? undefined : parseDefaultWeight(weight);
    return {
      io: { limits: parsed.limits, ...(w !== undefined ? { weight: w } : {}) },
      badLines: parsed.badLines,
    };
  }
  const texts = await Promise.all(V1_FILES.map(([f]) => readOptional(fs, `${dir}/${f}`)));
  const weightText =
    (await readOptional(fs, `${dir}/blkio.bfq.weight`)) ?? (await readOptional(fs, `${dir}/blkio.weight`));
  if (texts.every((t) => t === undefined) && weightText === undefined) return undefined;
  const limits: Record<DevT, MutableLimit> = {};
  let badLines = 0;
  V1_FILES.forEach(([, key], i) => {
    const text = texts[i];
    if (text !== undefined) badLines += mergeV1Throttle(limits, key, text);
  });
  const w = weightText === undefined ? undefined : parseDefaultWeight(weightText);
  return { io: { limits, ...(w !== undefined ? { weight: w } : {}) }, badLines };
}
