/**
 * cgroup I/O limits and weights, read and written through HostFs (so the simulator and dry run
 * see exactly the same file operations as a real host).
 *
 * v2: `io.max` lines `MAJ:MIN rbps=N wbps=N riops=N wiops=N` (`max` = none); `io.weight`
 *     `default N` / `MAJ:MIN N`.
 * v1: `blkio.throttle.{read,write}_{bps,iops}_device` lines `MAJ:MIN N` (`MAJ:MIN 0` removes);
 *     weight in `blkio.bfq.weight` (`N`) / `blkio.bfq.weight_device` (`MAJ:MIN N`), or the CFQ-era
 *     `blkio.weight[_device]` when bfq's files are absent.
 *
 * Every setter reads the current value first and writes only what differs; it returns the value
 * it found (`before`) so the journal can undo the change. Errors are typed by cgroupError().
 */
import type { HostFs } from '../model/seams';
import type { CgroupIoLimit } from '../model/plan';
import type { CgroupRef, DevT } from '../model/snapshot';
import { validateDevT } from '../model/names';
import { CgroupInvalidError } from '../model/errors';
import { cgroupError } from './cgroup-errors';
import { cgroupDir, type CgroupMounts } from './cgroup-mounts';

export type LimitKey = keyof CgroupIoLimit;
export const LIMIT_KEYS: readonly LimitKey[] = ['rbps', 'wbps', 'riops', 'wiops'];
const V1_FILES: Readonly<Record<LimitKey, string>> = {
  rbps: 'blkio.throttle.read_bps_device',
  wbps: 'blkio.throttle.write_bps_device',
  riops: 'blkio.throttle.read_iops_device',
  wiops: 'blkio.throttle.write_iops_device',
};

/** `null` when no field is limited, so "no rule" has one representation. */
export function normalizeLimit(limit: CgroupIoLimit | null | undefined): CgroupIoLimit | null {
  if (!limit) return null;
  const out: Record<string, number> = {};
  for (const k of LIMIT_KEYS) {
    const v = limit[k];
    if (v !== undefined && v > 0) {
      if (!Number.isSafeInteger(v)) throw new CgroupInvalidError(`limit ${k}=${v} is not an integer`);
      out[k] = v;
    }
  }
  return Object.keys(out).length === 0 ? null : (out as CgroupIoLimit);
}

export function limitsEqual(a: CgroupIoLimit | null, b: CgroupIoLimit | null): boolean {
  const x = normalizeLimit(a);
  const y = normalizeLimit(b);
  return LIMIT_KEYS.every((k) => x?.[k] === y?.[k]);
}

async function read(fs: HostFs, path: string): Promise<string> {
  try {
    return await fs.readFile(path);
  } catch (e) {
    throw cgroupError(e, path);
  }
}

async function write(fs: HostFs, path: string, data: string): Promise<void> {
  try {
    await fs.writeFile(path, data);
  } catch (e) {
    throw cgroupError(e, path, data);
  }
}

/** Value of `devT` in a `MAJ:MIN N` file (v1), 0 when absent. */
function v1Value(text: string, devT: DevT): number {
  for (const line of text.split('\n')) {
    const [dev, value] = line.trim().split(/\s+/);
    if (dev === devT && value !== undefined && /^\d+$/.test(value)) return Number(value);
  }
  return 0;
}

/** Parse one device's `io.max` line into a limit (`max` fields omitted). */
export function parseIoMaxLine(text: string, devT: DevT): CgroupIoLimit | null {
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== devT) continue;
    const out: Record<string, number> = {};
    for (const w of words.slice(1)) {
      const [k, v] = w.split('=');
      if ((LIMIT_KEYS as readonly string[]).includes(k ?? '') && v !== undefined && /^\d+$/.test(v)) {
        out[k as string] = Number(v);
      }
    }
    return normalizeLimit(out);
  }
  return null;
}

export function formatIoMaxLine(devT: DevT, limit: CgroupIoLimit | null): string {
  const l = normalizeLimit(limit);
  return `${devT} ${LIMIT_KEYS.map((k) => `${k}=${l?.[k] ?? 'max'}`).join(' ')}\n`;
}

export async function readIoLimit(
  fs: HostFs,
  mounts: CgroupMounts,
  ref: CgroupRef,
  devT: DevT,
): Promise<CgroupIoLimit | null> {
  validateDevT(devT);
  const dir = cgroupDir(mounts, ref);
  if (ref.version === 2) return parseIoMaxLine(await read(fs, `${dir}/io.max`), devT);
  const out: Record<string, number> = {};
  for (const k of LIMIT_KEYS) out[k] = v1Value(await read(fs, `${dir}/${V1_FILES[k]}`), devT);
  return normalizeLimit(out);
}

export interface CgroupChange<T> {
  readonly before: T;
  readonly changed: boolean;
}

/** Make the cgroup's limit for `devT` equal `limit` (`null` clears it). */
export async function setIoLimit(
  fs: HostFs,
  mounts: CgroupMounts,
  ref: CgroupRef,
  devT: DevT,
  limit: CgroupIoLimit | null,
): Promise<CgroupChange<CgroupIoLimit | null>> {
  const desired = normalizeLimit(limit);
  const before = await readIoLimit(fs, mounts, ref, devT);
  if (limitsEqual(before, desired)) return { before, changed: false };
  const dir = cgroupDir(mounts, ref);
  if (ref.version === 2) {
    await write(fs, `${dir}/io.max`, formatIoMaxLine(devT, desired));
  } else {
    for (const k of LIMIT_KEYS) {
      if ((before?.[k] ?? 0) === (desired?.[k] ?? 0)) continue;
      await write(fs, `${dir}/${V1_FILES[k]}`, `${devT} ${desired?.[k] ?? 0}\n`);
    }
  }
  return { before, changed: true };
}

/** Weight file candidates, first existing wins. */
function weightFiles(version: 1 | 2, perDevice: boolean): readonly string[] {
  if (version === 2) return ['io.weight', 'io.bfq.weight'];
  return perDevice
    ? ['blkio.bfq.weight_device', 'blkio.weight_device']
    : ['blkio.bfq.weight', 'blkio.weight'];
}

/** Weight for `devT` (or the default) from `default N` / `MAJ:MIN N` / bare `N` lines. */
export function parseWeight(text: string, devT?: DevT): number | undefined {
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length === 1 && devT === undefined && /^\d+$/.test(words[0] ?? '')) return Number(words[0]);
    if (words.length === 2 && words[0] === (devT ?? 'default') && /^\d+$/.test(words[1] ?? '')) {
      return Number(words[1]);
    }
  }
  return undefined;
}

async function weightFile(fs: HostFs, dir: string, version: 1 | 2, perDevice: boolean): Promise<string> {
  if (!(await fs.exists(dir))) throw cgroupError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), dir);
  for (const name of weightFiles(version, perDevice)) {
    if (await fs.exists(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new CgroupInvalidError(`no weight file in ${dir} (is the bfq scheduler / io.weight enabled?)`, {
    path: dir,
    tried: weightFiles(version, perDevice),
  });
}

function formatWeight(file: string, devT: DevT | undefined, weight: number | undefined): string {
  const bare = file.endsWith('blkio.bfq.weight') || file.endsWith('blkio.weight');
  if (bare) return `${weight ?? 100}\n`;
  const key = devT ?? 'default';
  // Removing a per-device weight: v2 iocost takes `default`, bfq/v1 take 0.
  const value = weight ?? (devT === undefined ? 100 : file.endsWith('io.weight') ? 'default' : 0);
  return `${key} ${value}\n`;
}

/** Make the weight (per device when `devT`, else the cgroup default) equal `weight`. */
export async function setIoWeight(
  fs: HostFs,
  mounts: CgroupMounts,
  ref: CgroupRef,
  devT: DevT | undefined,
  weight: number | undefined,
): Promise<CgroupChange<number | undefined>> {
  if (devT !== undefined) validateDevT(devT);
  if (weight !== undefined && (!Number.isInteger(weight) || weight < 1 || weight > 10000)) {
    throw new CgroupInvalidError(`weight ${weight} is outside 1..10000`);
  }
  const file = await weightFile(fs, cgroupDir(mounts, ref), ref.version, devT !== undefined);
  const before = parseWeight(await read(fs, file), devT);
  if (before === weight) return { before, changed: false };
  await write(fs, file, formatWeight(file, devT, weight));
  return { before, changed: true };
}
