/**
 * resolvePolicy: merge a VM's policy layers by ORIGIN_PRECEDENCE (highest first; layers of the
 * same kind keep their given order, first wins), apply POLICY_DEFAULTS last, and validate.
 * Every resulting value carries the origin of the layer it came from (`default` when no layer
 * set it). Invalid values and contradictions throw PolicyInvalidError naming VM, key, origin.
 */
import { PolicyInvalidError } from '../../model/errors';
import { ORIGIN_PRECEDENCE, POLICY_DEFAULTS } from '../../model/policy';
import type { IoRate, PolicyLayer, PolicySet, Sourced, VmPolicy, VmPolicyValues } from '../../model/policy';
import { describeOrigin, validateValue } from './validate';

const DEFAULT_ORIGIN = Object.freeze({ kind: 'default' as const });
const KEYS = Object.keys(POLICY_DEFAULTS) as (keyof VmPolicyValues)[];
const KEY_SET: ReadonlySet<string> = new Set(KEYS);
/** The defaulted value of each key, built once (frozen, so every VM can share it). */
const DEFAULTED: Readonly<Record<string, Sourced<unknown>>> = Object.fromEntries(
  KEYS.map((key) => [key, Object.freeze({ value: POLICY_DEFAULTS[key], origin: DEFAULT_ORIGIN })]),
);

/** All layers that apply to one VM: its own, then the host-wide ones (order within a kind kept). */
export function layersForVm(set: PolicySet, vmId: string): readonly PolicyLayer[] {
  const own = set.byVm[vmId];
  if (set.allVms.length === 0) return own ?? [];
  return own ? [...own, ...set.allVms] : set.allVms;
}

function rank(layer: PolicyLayer): number {
  const i = ORIGIN_PRECEDENCE.indexOf(layer.origin.kind);
  return i < 0 ? ORIGIN_PRECEDENCE.length : i;
}

export function resolvePolicy(layers: readonly PolicyLayer[], vmId = '?'): VmPolicy {
  const ordered =
    layers.length <= 1
      ? layers
      : layers
          .map((layer, i) => ({ layer, i }))
          .sort((a, b) => rank(a.layer) - rank(b.layer) || a.i - b.i)
          .map((x) => x.layer);
  const out: Record<string, Sourced<unknown>> = {};
  for (const key of KEYS) {
    let from: PolicyLayer | undefined;
    for (let i = 0; i < ordered.length && !from; i++)
      if ((ordered[i] as PolicyLayer).values[key] !== undefined) from = ordered[i];
    if (from) {
      validateValue(vmId, key, from.values[key], from.origin);
      out[key] = Object.freeze({ value: from.values[key], origin: from.origin });
    } else {
      out[key] = DEFAULTED[key] as Sourced<unknown>;
    }
  }
  for (const layer of ordered) {
    for (const key of Object.keys(layer.values)) {
      if (!KEY_SET.has(key)) validateValue(vmId, key, undefined, layer.origin);
    }
  }
  const policy = Object.freeze(out) as unknown as VmPolicy;
  checkContradictions(vmId, policy);
  return policy;
}

const RATE_KEYS: readonly (keyof IoRate)[] = ['readMBps', 'writeMBps', 'readIops', 'writeIops'];

function checkContradictions(vmId: string, p: VmPolicy): void {
  const limit = p.limit.value;
  const resv = p.reservation.value;
  if (limit && resv) {
    for (const k of RATE_KEYS) {
      const l = limit[k];
      const r = resv[k];
      if (l !== undefined && r !== undefined && r > l) {
        throw new PolicyInvalidError(
          `vm ${vmId}: policy reservation.${k}=${r} from ${describeOrigin(p.reservation.origin)} ` +
            `exceeds limit.${k}=${l} from ${describeOrigin(p.limit.origin)}`,
          { vmId, key: `reservation.${k}`, origin: p.reservation.origin, limitOrigin: p.limit.origin },
        );
      }
    }
  }
}

/** The plain values of a resolved policy (for JSON output and tests). */
export function policyValues(p: VmPolicy): VmPolicyValues {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) out[key] = p[key].value;
  return out as unknown as VmPolicyValues;
}
