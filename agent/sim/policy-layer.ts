/**
 * Simulated-host spec VM policies (`vms[].policy`) turned into a PolicyLayer with origin
 * `host-config`, so decide/ sees them exactly as it sees a config file. Every policy key uses the
 * config file's value syntax (config/values.ts: `pin: "fabric:B"`, `onAllPathsDown: "pause"`, ...);
 * the scenario shorthands `limitMBps` / `reservationMBps` (one figure for read and for write, as
 * cgroups cap each direction) are accepted too. Ranges are validated by decide/ as for any source.
 */
import { VALUE_PARSERS, isPolicyKey } from '../config/values';
import { ScenarioInvalidError } from '../model/errors';
import type { PinTarget, PolicyLayer, PolicySet, VmPolicyValues } from '../model/policy';

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

export interface ScenarioPolicyOptions {
  /**
   * Fabric labels in pins (`fabric:A`) → the fabric name observe reports for them (FC
   * `fabric_name`); identity by default.
   */
  readonly fabricName?: (label: string) => string;
}

function mbps(v: unknown, field: string): { readMBps: number; writeMBps: number } {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new ScenarioInvalidError(`${field}: expected MB/s > 0, got ${JSON.stringify(v)}`, { field });
  return { readMBps: v, writeMBps: v };
}

/** One VM's policy → a layer. Unknown keys and malformed values are errors naming the field. */
export function scenarioPolicyLayer(
  policy: Readonly<Record<string, unknown>>,
  source: string,
  field = 'policy',
  options: ScenarioPolicyOptions = {},
): PolicyLayer {
  const values: Mutable<VmPolicyValues> = {};
  const set = values as Record<string, unknown>;
  for (const [key, raw] of Object.entries(policy)) {
    const f = `${field}.${key}`;
    if (key === 'limitMBps') values.limit = mbps(raw, f);
    else if (key === 'reservationMBps') values.reservation = mbps(raw, f);
    else if (isPolicyKey(key)) {
      const parsed = (
        VALUE_PARSERS[key] as (r: unknown) => { ok: boolean; value?: unknown; expected?: string }
      )(raw);
      if (!parsed.ok) throw new ScenarioInvalidError(`${f}: expected ${parsed.expected}`, { field: f });
      set[key] = parsed.value;
    } else throw new ScenarioInvalidError(`${f}: unknown policy key`, { field: f });
  }
  const rename = options.fabricName;
  if (rename && values.pin)
    values.pin = values.pin.map((p: PinTarget) =>
      p.kind === 'fabric' ? { kind: 'fabric', fabric: rename(p.fabric) } : p,
    );
  return { origin: { kind: 'host-config', source }, values };
}

/** PolicySet for a list of VMs with optional policies. */
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
