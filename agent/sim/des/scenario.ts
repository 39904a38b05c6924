/**
 * The scenario file of the discrete-event I/O simulator (issue 6; docs/simulator-scenarios.md).
 * Field names are fixed by the issue: paths[], luns[], vms[] (policy, workload), events[],
 * durationS, seed. Everything else is optional with a documented default. `parseScenario`
 * validates a parsed JSON value and returns a Scenario with defaults applied, or throws
 * ScenarioInvalidError whose message and `details.field` name the offending field.
 */

/** One I_T nexus (host adapter port → array port over a fabric) with a capacity. */
export interface ScenarioPath {
  readonly id: string;
  readonly capacityMBps: number;
  readonly capacityIops: number;
  /** Base latency of an I/O on this path (array + fabric), added after service. */
  readonly latencyMs: number;
  readonly fabric: string;
  readonly adapter: string;
}

/** How multipathd groups a LUN's paths: all in one group, or one path per group. */
export type Grouping = 'multibus' | 'failover';

export interface ScenarioLun {
  readonly wwid: string;
  /** Path ids reaching this LUN. */
  readonly paths: readonly string[];
  /** Shared by many VMs (LVM on the LUN); otherwise owned by one VM. */
  readonly shared: boolean;
  readonly grouping: Grouping;
}

export type OnAllPathsDown = 'queue' | 'pause' | 'fail';

export interface ScenarioPolicy {
  readonly shares?: number;
  /** Per direction (like io.max rbps/wbps), MB/s (10^6 bytes). */
  readonly limitMBps?: number;
  readonly reservationMBps?: number;
  readonly priority?: number;
  /** Pins as `kind:value`: `fabric:A`, `adapter:hba0`, `path:<path id>`. */
  readonly pin?: readonly string[];
  readonly minPaths?: number;
  readonly onAllPathsDown?: OnAllPathsDown;
  /** Seconds to queue before the onAllPathsDown=queue deadline expires (policy forSeconds). */
  readonly queueForS?: number;
  readonly resume?: 'auto' | 'leave-paused';
}

export interface BurstSpec {
  /** A square wave from t=0: on for onS seconds (Poisson arrivals at rateMBps), off for offS. */
  readonly onS: number;
  readonly offS: number;
}

export type Workload =
  | {
      readonly type: 'closed';
      readonly outstanding: number;
      readonly ioKiB: number;
      readonly readPct: number;
    }
  | {
      readonly type: 'open';
      readonly rateMBps: number;
      readonly ioKiB: number;
      readonly readPct: number;
      readonly burst?: BurstSpec;
    };

export interface ScenarioVm {
  readonly id: string;
  /** LUN wwids. */
  readonly disks: readonly string[];
  readonly policy: ScenarioPolicy;
  readonly workload: Workload;
}

export interface ScenarioEvent {
  readonly at: number;
  readonly fail?: string;
  readonly restore?: string;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly paths: readonly ScenarioPath[];
  readonly luns: readonly ScenarioLun[];
  readonly vms: readonly ScenarioVm[];
  readonly events: readonly ScenarioEvent[];
  readonly durationS: number;
  readonly seed: number;
  /** multipathd polling_interval: idle paths are found failed/restored at this tick. Default 5. */
  readonly checkerIntervalS: number;
  /** Time for the kernel to fail a path under I/O (first I/O error). Default 7 ms. */
  readonly ioFailMs: number;
  /** vmpath's loop period (re-decide even without events). Default 10 s. */
  readonly agentIntervalS: number;
  /** Delay from a path event (uevent) to vmpath's plan being applied. Default 50 ms. */
  readonly agentReactionMs: number;
  /** Selector the VM-blind baselines' maps queue with when all paths are down. Default true. */
  readonly baselineQueueIfNoPath: boolean;
}

import { ScenarioInvalidError } from '../../model/errors';

type Obj = Record<string, unknown>;

function fail(field: string, msg: string): never {
  throw new ScenarioInvalidError(`scenario: ${field} ${msg}`, { field });
}

function obj(v: unknown, field: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(field, 'must be an object');
  return v as Obj;
}

function arr(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) fail(field, 'must be an array');
  return v;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) fail(field, 'must be a non-empty string');
  return v;
}

function num(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    fail(field, `must be a${integer ? 'n integer' : ' number'} in [${min}, ${max}]`);
  return v;
}

function optNum(o: Obj, key: string, field: string, dflt: number, min: number, max?: number): number {
  return o[key] === undefined ? dflt : num(o[key], `${field}.${key}`, min, max);
}

function known(o: Obj, field: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${field}.${k}`, 'is not a known field');
}

function path(v: unknown, i: number): ScenarioPath {
  const f = `paths[${i}]`;
  const o = obj(v, f);
  known(o, f, ['id', 'capacityMBps', 'capacityIops', 'latencyMs', 'fabric', 'adapter']);
  return {
    id: str(o.id, `${f}.id`),
    capacityMBps: num(o.capacityMBps, `${f}.capacityMBps`, 0.001),
    capacityIops: num(o.capacityIops, `${f}.capacityIops`, 1),
    latencyMs: num(o.latencyMs, `${f}.latencyMs`, 0, 60000),
    fabric: str(o.fabric, `${f}.fabric`),
    adapter: str(o.adapter, `${f}.adapter`),
  };
}

function lun(v: unknown, i: number, pathIds: ReadonlySet<string>): ScenarioLun {
  const f = `luns[${i}]`;
  const o = obj(v, f);
  known(o, f, ['wwid', 'paths', 'shared', 'grouping']);
  const paths = arr(o.paths, `${f}.paths`).map((p, j) => {
    const id = str(p, `${f}.paths[${j}]`);
    if (!pathIds.has(id)) fail(`${f}.paths[${j}]`, `names unknown path ${JSON.stringify(id)}`);
    return id;
  });
  if (paths.length === 0) fail(`${f}.paths`, 'must name at least one path');
  if (new Set(paths).size !== paths.length) fail(`${f}.paths`, 'must not repeat a path');
  if (o.shared !== undefined && typeof o.shared !== 'boolean') fail(`${f}.shared`, 'must be a boolean');
  if (o.grouping !== undefined && o.grouping !== 'multibus' && o.grouping !== 'failover')
    fail(`${f}.grouping`, "must be 'multibus' or 'failover'");
  return {
    wwid: str(o.wwid, `${f}.wwid`),
    paths,
    shared: o.shared === true,
    grouping: (o.grouping as Grouping | undefined) ?? 'multibus',
  };
}

const PIN = /^(fabric|adapter|path):(.+)$/;

function policy(v: unknown, f: string, s: { paths: readonly ScenarioPath[] }): ScenarioPolicy {
  const o = obj(v ?? {}, f);
  known(o, f, [
    'shares',
    'limitMBps',
    'reservationMBps',
    'priority',
    'pin',
    'minPaths',
    'onAllPathsDown',
    'queueForS',
    'resume',
  ]);
  const out: Record<string, unknown> = {};
  if (o.shares !== undefined) out.shares = num(o.shares, `${f}.shares`, 1, 10000);
  if (o.limitMBps !== undefined) out.limitMBps = num(o.limitMBps, `${f}.limitMBps`, 0.001);
  if (o.reservationMBps !== undefined)
    out.reservationMBps = num(o.reservationMBps, `${f}.reservationMBps`, 0);
  if (o.priority !== undefined) out.priority = num(o.priority, `${f}.priority`, 0, 100);
  if (o.minPaths !== undefined) out.minPaths = num(o.minPaths, `${f}.minPaths`, 1, 64, true);
  if (o.queueForS !== undefined) out.queueForS = num(o.queueForS, `${f}.queueForS`, 0, 86400);
  if (o.pin !== undefined) {
    const pins = typeof o.pin === 'string' ? [o.pin] : arr(o.pin, `${f}.pin`);
    out.pin = pins.map((p, j) => {
      const m = PIN.exec(str(p, `${f}.pin[${j}]`));
      if (!m) fail(`${f}.pin[${j}]`, "must be 'fabric:NAME', 'adapter:NAME' or 'path:ID'");
      const [, kind, value] = m;
      const hit = s.paths.some(
        (q) => (kind === 'fabric' ? q.fabric : kind === 'adapter' ? q.adapter : q.id) === value,
      );
      if (!hit) fail(`${f}.pin[${j}]`, `matches no path`);
      return p as string;
    });
  }
  if (o.onAllPathsDown !== undefined) {
    if (!['queue', 'pause', 'fail'].includes(o.onAllPathsDown as string))
      fail(`${f}.onAllPathsDown`, "must be 'queue', 'pause' or 'fail'");
    out.onAllPathsDown = o.onAllPathsDown;
  }
  if (o.resume !== undefined) {
    if (o.resume !== 'auto' && o.resume !== 'leave-paused')
      fail(`${f}.resume`, "must be 'auto' or 'leave-paused'");
    out.resume = o.resume;
  }
  if (
    out.limitMBps !== undefined &&
    out.reservationMBps !== undefined &&
    (out.reservationMBps as number) > (out.limitMBps as number)
  )
    fail(`${f}.reservationMBps`, 'must not exceed limitMBps');
  return out as ScenarioPolicy;
}

function workload(v: unknown, f: string): Workload {
  const o = obj(v, f);
  if (o.type === 'closed') {
    known(o, f, ['type', 'outstanding', 'ioKiB', 'readPct']);
    return {
      type: 'closed',
      outstanding: num(o.outstanding, `${f}.outstanding`, 1, 4096, true),
      ioKiB: num(o.ioKiB, `${f}.ioKiB`, 0.5, 65536),
      readPct: optNum(o, 'readPct', f, 100, 0, 100),
    };
  }
  if (o.type === 'open') {
    known(o, f, ['type', 'rateMBps', 'ioKiB', 'readPct', 'burst']);
    let burst: BurstSpec | undefined;
    if (o.burst !== undefined) {
      const b = obj(o.burst, `${f}.burst`);
      known(b, `${f}.burst`, ['onS', 'offS']);
      burst = { onS: num(b.onS, `${f}.burst.onS`, 0.001), offS: num(b.offS, `${f}.burst.offS`, 0.001) };
    }
    return {
      type: 'open',
      rateMBps: num(o.rateMBps, `${f}.rateMBps`, 0),
      ioKiB: num(o.ioKiB, `${f}.ioKiB`, 0.5, 65536),
      readPct: optNum(o, 'readPct', f, 100, 0, 100),
      ...(burst ? { burst } : {}),
    };
  }
  return fail(`${f}.type`, "must be 'closed' or 'open'");
}

function uniqueIds<T>(items: readonly T[], key: (t: T) => string, field: string): void {
  const seen = new Set<string>();
  items.forEach((t, i) => {
    const k = key(t);
    if (seen.has(k)) fail(`${field}[${i}]`, `repeats id ${JSON.stringify(k)}`);
    seen.add(k);
  });
}

/** Validate a parsed scenario JSON value and apply defaults. */
export function parseScenario(input: unknown): Scenario {
  const o = obj(input, 'scenario');
  known(o, 'scenario', [
    'name',
    'description',
    'paths',
    'luns',
    'vms',
    'events',
    'durationS',
    'seed',
    'checkerIntervalS',
    'ioFailMs',
    'agentIntervalS',
    'agentReactionMs',
    'baselineQueueIfNoPath',
  ]);
  const paths = arr(o.paths, 'paths').map(path);
  if (paths.length === 0) fail('paths', 'must have at least one path');
  uniqueIds(paths, (p) => p.id, 'paths');
  const pathIds = new Set(paths.map((p) => p.id));
  const luns = arr(o.luns, 'luns').map((l, i) => lun(l, i, pathIds));
  uniqueIds(luns, (l) => l.wwid, 'luns');
  const lunIds = new Set(luns.map((l) => l.wwid));
  const owners = new Map<string, string>();
  const vms = arr(o.vms, 'vms').map((v, i): ScenarioVm => {
    const f = `vms[${i}]`;
    const vo = obj(v, f);
    known(vo, f, ['id', 'disks', 'policy', 'workload']);
    const id = str(vo.id, `${f}.id`);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(id)) fail(`${f}.id`, 'must be a valid VM id');
    const disks = arr(vo.disks, `${f}.disks`).map((d, j) => {
      const w = str(d, `${f}.disks[${j}]`);
      if (!lunIds.has(w)) fail(`${f}.disks[${j}]`, `names unknown LUN ${JSON.stringify(w)}`);
      const l = luns.find((x) => x.wwid === w) as ScenarioLun;
      const owner = owners.get(w);
      if (!l.shared && owner !== undefined && owner !== id)
        fail(`${f}.disks[${j}]`, `LUN ${w} is not shared and already belongs to vm ${owner}`);
      owners.set(w, id);
      return w;
    });
    if (disks.length === 0) fail(`${f}.disks`, 'must name at least one LUN');
    if (new Set(disks).size !== disks.length) fail(`${f}.disks`, 'must not repeat a LUN');
    return {
      id,
      disks,
      policy: policy(vo.policy, `${f}.policy`, { paths }),
      workload: workload(vo.workload, `${f}.workload`),
    };
  });
  if (vms.length === 0) fail('vms', 'must have at least one VM');
  uniqueIds(vms, (v) => v.id, 'vms');
  const durationS = num(o.durationS, 'durationS', 0.001, 86400);
  const targets = new Set<string>(['all', ...paths.flatMap((p) => [p.id, p.fabric, p.adapter])]);
  const events = (o.events === undefined ? [] : arr(o.events, 'events')).map((e, i): ScenarioEvent => {
    const f = `events[${i}]`;
    const eo = obj(e, f);
    known(eo, f, ['at', 'fail', 'restore']);
    const at = num(eo.at, `${f}.at`, 0, durationS);
    if ((eo.fail === undefined) === (eo.restore === undefined))
      fail(f, "must have exactly one of 'fail' or 'restore'");
    const key = eo.fail !== undefined ? 'fail' : 'restore';
    const target = str(eo[key], `${f}.${key}`);
    if (!targets.has(target))
      fail(`${f}.${key}`, `names no path id, fabric or adapter: ${JSON.stringify(target)}`);
    return { at, [key]: target };
  });
  if (o.baselineQueueIfNoPath !== undefined && typeof o.baselineQueueIfNoPath !== 'boolean')
    fail('baselineQueueIfNoPath', 'must be a boolean');
  return {
    name: o.name === undefined ? 'scenario' : str(o.name, 'name'),
    description: typeof o.description === 'string' ? o.description : '',
    paths,
    luns,
    vms,
    events: [...events].sort((a, b) => a.at - b.at),
    durationS,
    seed: num(o.seed, 'seed', 0, 2 ** 32 - 1, true),
    checkerIntervalS: optNum(o, 'checkerIntervalS', 'scenario', 5, 0.1, 3600),
    ioFailMs: optNum(o, 'ioFailMs', 'scenario', 7, 0, 600000),
    agentIntervalS: optNum(o, 'agentIntervalS', 'scenario', 10, 0.1, 3600),
    agentReactionMs: optNum(o, 'agentReactionMs', 'scenario', 50, 0, 60000),
    baselineQueueIfNoPath: o.baselineQueueIfNoPath !== false,
  };
}
