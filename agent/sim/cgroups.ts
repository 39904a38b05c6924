/**
 * cgroup I/O control files as the kernel shows and accepts them. A write lands in the root
 * directory as a plain file (truncated to what was written); the simulator reads it back,
 * merges it into the VM's rules the way the kernel would (only the keys given change, `max`
 * or v1 `0` removes), and rewrites the file in the kernel's full form.
 *   v2 io.max     `MAJ:MIN rbps=N wbps=N riops=N wiops=N` (`max` = none)
 *   v2 io.weight  `default N` / `MAJ:MIN N` / `MAJ:MIN default`
 *   v1 blkio.throttle.{read,write}_{bps,iops}_device  `MAJ:MIN N`; blkio.bfq.weight `N`
 */
import type { CgroupRule, SimVm } from './state';

const DEV_T = /^\d+:\d+$/;
const KEYS = ['rbps', 'wbps', 'riops', 'wiops'] as const;
type Key = (typeof KEYS)[number];
const V1_KEY: Record<string, Key> = {
  read_bps_device: 'rbps',
  write_bps_device: 'wbps',
  read_iops_device: 'riops',
  write_iops_device: 'wiops',
};

const none = (): CgroupRule => ({ rbps: Infinity, wbps: Infinity, riops: Infinity, wiops: Infinity });
const isNone = (r: CgroupRule): boolean => KEYS.every((k) => r[k] === Infinity);

function setKey(limits: Map<string, CgroupRule>, devT: string, key: Key, value: number): void {
  const rule = limits.get(devT) ?? none();
  rule[key] = value;
  if (isNone(rule)) limits.delete(devT);
  else limits.set(devT, rule);
}

/** Apply text written to io.max. Malformed lines are ignored (the kernel would say EINVAL). */
export function applyIoMax(limits: Map<string, CgroupRule>, text: string): void {
  for (const line of text.split('\n')) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    if (!dev || !DEV_T.test(dev)) continue;
    for (const pair of pairs) {
      const [k, v] = pair.split('=');
      if (!KEYS.includes(k as Key) || v === undefined) continue;
      if (v === 'max') setKey(limits, dev, k as Key, Infinity);
      else if (/^\d+$/.test(v)) setKey(limits, dev, k as Key, Number(v));
    }
  }
}

export function applyIoWeight(vm: SimVm, text: string): void {
  for (const line of text.split('\n')) {
    const [a, b] = line.trim().split(/\s+/);
    if (!a) continue;
    if (a === 'default' && b && /^\d+$/.test(b)) vm.weightDefault = clampWeight(Number(b));
    else if (/^\d+$/.test(a)) vm.weightDefault = clampWeight(Number(a));
    else if (DEV_T.test(a) && b === 'default') vm.weights.delete(a);
    else if (DEV_T.test(a) && b && /^\d+$/.test(b)) vm.weights.set(a, clampWeight(Number(b)));
  }
}

const clampWeight = (w: number): number => Math.min(10000, Math.max(1, w));

/** Apply a write to a v1 blkio.throttle.* file (`MAJ:MIN 0` removes). */
export function applyV1(limits: Map<string, CgroupRule>, file: string, text: string): void {
  const key = V1_KEY[file];
  if (!key) return;
  for (const line of text.split('\n')) {
    const [dev, v] = line.trim().split(/\s+/);
    if (!dev || !DEV_T.test(dev) || !v || !/^\d+$/.test(v)) continue;
    setKey(limits, dev, key, Number(v) === 0 ? Infinity : Number(v));
  }
}

export function applyBfqWeight(vm: SimVm, text: string): void {
  applyIoWeight(vm, text);
}

/** The kernel's view of the rules: v2 io.max, or one v1 throttle file. */
export function formatRules(limits: Map<string, CgroupRule>, version: 1 | 2, v1File?: string): string {
  let t = '';
  for (const [dev, r] of limits) {
    if (version === 2) {
      const f = (k: Key): string => `${k}=${r[k] === Infinity ? 'max' : r[k]}`;
      t += `${dev} ${KEYS.map(f).join(' ')}\n`;
    } else {
      const k = V1_KEY[v1File ?? ''];
      if (k && r[k] !== Infinity) t += `${dev} ${r[k]}\n`;
    }
  }
  return t;
}
