/**
 * Scenario/sim-spec VM policies (`vms[].policy`, the names of docs/simulator-scenarios.md:
 * priority, shares, limitMBps, reservationMBps, pin, minPaths, onAllPathsDown, resume) turned into
 * a PolicyLayer with origin `host-config`, so decide/ sees them exactly as it sees a config file.
 * Shared by the demo (simulated host) and the discrete-event simulator.
 */
import { ScenarioInvalidError } from '../model/errors';
import type {
  AllPathsDownAction,
  PinTarget,
  PolicyLayer,
  PolicySet,
  ResumePolicy,
  VmPolicyValues,
} from '../model/policy';

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

function num(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ScenarioInvalidError(
      `${field}: expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`,
      { field },
    );
  }
  return v;
}

function pinOf(v: unknown, field: string, fabricName: (label: string) => string): PinTarget {
  if (typeof v === 'string') return { kind: 'path', dev: v };
  const o = v as Record<string, unknown> | null;
  if (o && typeof o === 'object') {
    if (o.kind === 'fabric' && typeof o.fabric === 'string')
      return { kind: 'fabric', fabric: fabricName(o.fabric) };
    if (o.kind === 'adapter' && typeof o.adapter === 'string') return { kind: 'adapter', adapter: o.adapter };
    if (o.kind === 'path' && typeof o.dev === 'string') return { kind: 'path', dev: o.dev };
    if (o.kind === 'target-port' && typeof o.port === 'string') return { kind: 'target-port', port: o.port };
    if (o.kind === 'group' && typeof o.index === 'number') return { kind: 'group', index: o.index };
    if (typeof o.fabric === 'string') return { kind: 'fabric', fabric: fabricName(o.fabric) };
  }
  throw new ScenarioInvalidError(
    `${field}: not a pin (path name, {kind:'fabric',fabric}, {kind:'adapter',adapter}, ...)`,
    { field },
  );
}

function allPathsDown(v: unknown, field: string): AllPathsDownAction {
  const o = (typeof v === 'string' ? { action: v } : v) as Record<string, unknown> | null;
  switch (o?.action) {
    case 'queue':
      return {
        action: 'queue',
        forSeconds: o.forSeconds === undefined ? 30 : num(o.forSeconds, `${field}.forSeconds`, 0, 86400),
      };
    case 'pause':
    case 'migrate':
    case 'fail':
      return { action: o.action };
    default:
      throw new ScenarioInvalidError(`${field}: expected queue|pause|migrate|fail`, { field });
  }
}

function resumeOf(v: unknown, field: string): ResumePolicy {
  const o = (typeof v === 'string' ? { mode: v } : v) as Record<string, unknown> | null;
  if (o?.mode === 'auto' || o?.mode === 'leave-paused') return { mode: o.mode };
  if (o?.mode === 'kill-after')
    return { mode: 'kill-after', seconds: num(o.seconds, `${field}.seconds`, 0, 86400) };
  throw new ScenarioInvalidError(`${field}: expected auto|leave-paused|{mode:'kill-after',seconds}`, {
    field,
  });
}

/** One VM's scenario policy → a layer. Unknown keys are an error (typos must not pass silently). */
export interface ScenarioPolicyOptions {
  /**
   * Scenario fabric labels (`A`) → the fabric name observe reports for them (FC `fabric_name`);
   * identity by default (the discrete-event simulator uses labels directly).
   */
  readonly fabricName?: (label: string) => string;
}

export function scenarioPolicyLayer(
  policy: Readonly<Record<string, unknown>>,
  source: string,
  field = 'policy',
  options: ScenarioPolicyOptions = {},
): PolicyLayer {
  const fabricName = options.fabricName ?? ((l: string) => l);
  const values: Mutable<VmPolicyValues> = {};
  for (const [key, v] of Object.entries(policy)) {
    const f = `${field}.${key}`;
    switch (key) {
      case 'priority':
        values.priority = num(v, f, 0, 100);
        break;
      case 'shares':
        values.shares = num(v, f, 1, 10000);
        break;
      case 'limitMBps': {
        const mbps = num(v, f, 0.001, 1e6);
        values.limit = { readMBps: mbps, writeMBps: mbps };
        break;
      }
      case 'reservationMBps': {
        const mbps = num(v, f, 0.001, 1e6);
        values.reservation = { readMBps: mbps, writeMBps: mbps };
        break;
      }
      case 'pin':
        values.pin = (Array.isArray(v) ? v : [v]).map((p, i) => pinOf(p, `${f}[${i}]`, fabricName));
        break;
      case 'minPaths':
        values.minPaths = num(v, f, 0, 64);
        break;
      case 'onAllPathsDown':
        values.onAllPathsDown = allPathsDown(v, f);
        break;
      case 'resume':
        values.resume = resumeOf(v, f);
        break;
      case 'migrateTargets':
        if (!Array.isArray(v) || v.some((t) => typeof t !== 'string'))
          throw new ScenarioInvalidError(`${f}: expected a list of node names`, { field: f });
        values.migrateTargets = v as string[];
        break;
      case 'selector':
        if (typeof v !== 'string')
          throw new ScenarioInvalidError(`${f}: expected a selector id`, { field: f });
        values.selector = v;
        break;
      default:
        throw new ScenarioInvalidError(`${f}: unknown policy key`, { field: f });
    }
  }
  return { origin: { kind: 'host-config', source }, values };
}

/** PolicySet for a list of VMs with optional scenario policies. */
export function scenarioPolicySet(
  vms: ReadonlyArray<{ readonly id: string; readonly policy?: Readonly<Record<string, unknown>> }>,
  source: string,
  options: ScenarioPolicyOptions = {},
): PolicySet {
  const byVm: Record<string, readonly PolicyLayer[]> = {};
  vms.forEach((vm, i) => {
    if (vm.policy)
      byVm[vm.id] = [scenarioPolicyLayer(vm.policy, `${source} vms[${i}]`, `vms[${i}].policy`, options)];
  });
  return { allVms: [], byVm };
}
