/** set-io-limit and set-io-weight: desired vs the cgroup file's current value, then write. */
import type { Action } from '../model/plan';
import { readIoLimit, setIoLimit, setIoWeight, parseWeight, normalizeLimit, limitsEqual } from './cgroup-io';
import { cgroupDir } from './cgroup-mounts';
import { cgroupError } from './cgroup-errors';
import type { ActEnv, Prepared } from './types';

type LimitAction = Extract<Action, { kind: 'set-io-limit' }>;
type WeightAction = Extract<Action, { kind: 'set-io-weight' }>;

function fmt(limit: ReturnType<typeof normalizeLimit>): string {
  if (!limit) return 'none';
  return Object.entries(limit)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export async function prepareIoLimit(env: ActEnv, a: LimitAction): Promise<Prepared> {
  const desired = normalizeLimit(a.limit);
  const before = await readIoLimit(env.fs, env.mounts, a.cgroup, a.devT);
  if (limitsEqual(before, desired)) return { unchanged: true, message: `limit ${fmt(desired)}` };
  const key = `io-limit:v${a.cgroup.version}:${a.cgroup.path}:${a.devT}`;
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: ${a.devT} limit ${fmt(before)} -> ${fmt(desired)} (cgroup v${a.cgroup.version} ${a.cgroup.path})`,
    undo: {
      key,
      vmId: a.vmId,
      inverse: {
        ...a,
        id: `release:${key}`,
        reason: 'release',
        trigger: 'operator',
        origins: [],
        limit: before,
      },
    },
    run: async () => {
      await setIoLimit(env.fs, env.mounts, a.cgroup, a.devT, desired);
      return `limit ${fmt(before)} -> ${fmt(desired)}`;
    },
  };
}

/** `weight` 0 (only from release) removes a per-device weight. */
export async function prepareIoWeight(env: ActEnv, a: WeightAction): Promise<Prepared> {
  const desired = a.weight === 0 ? undefined : a.weight;
  const dir = cgroupDir(env.mounts, a.cgroup);
  const files =
    a.cgroup.version === 2
      ? ['io.weight', 'io.bfq.weight']
      : a.devT
        ? ['blkio.bfq.weight_device', 'blkio.weight_device']
        : ['blkio.bfq.weight', 'blkio.weight'];
  let before: number | undefined;
  for (const f of files) {
    if (!(await env.fs.exists(`${dir}/${f}`))) continue;
    try {
      before = parseWeight(await env.fs.readFile(`${dir}/${f}`), a.devT);
    } catch (e) {
      throw cgroupError(e, `${dir}/${f}`);
    }
    break;
  }
  if (before === desired) return { unchanged: true, message: `weight ${desired ?? 'default'}` };
  const key = `io-weight:v${a.cgroup.version}:${a.cgroup.path}:${a.devT ?? 'default'}`;
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: weight ${a.devT ?? 'default'} ${before ?? 'unset'} -> ${desired ?? 'unset'}`,
    undo: {
      key,
      vmId: a.vmId,
      inverse: {
        ...a,
        id: `release:${key}`,
        reason: 'release',
        trigger: 'operator',
        origins: [],
        weight: before ?? 0,
      },
    },
    run: async () => {
      const r = await setIoWeight(env.fs, env.mounts, a.cgroup, a.devT, desired);
      return `weight ${r.before ?? 'unset'} -> ${desired ?? 'unset'}`;
    },
  };
}
