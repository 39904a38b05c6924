/**
 * Range checks for policy values, one table row per key. A value out of range throws
 * PolicyInvalidError naming the VM, the key and the origin (e.g. `/etc/vmpath/config.json:12`).
 * Pure: used by resolvePolicy (decide/) and by the config parsers (config/) to fail early.
 */
import { PolicyInvalidError } from '../../model/errors';
import type { IoRate, Origin, PinTarget, VmPolicyValues } from '../../model/policy';

export function describeOrigin(origin: Origin): string {
  return origin.source ? `${origin.kind} (${origin.source})` : origin.kind;
}

type Check = (value: unknown) => string | undefined; // undefined = fine, else what is wrong

const intIn =
  (lo: number, hi: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi
      ? undefined
      : `an integer ${lo}..${hi}`;

const RATE_KEYS: readonly (keyof IoRate)[] = ['readMBps', 'writeMBps', 'readIops', 'writeIops'];
const rate: Check = (v) => {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) return 'an object with readMBps/writeMBps/readIops/writeIops';
  for (const [k, x] of Object.entries(v)) {
    if (!(RATE_KEYS as readonly string[]).includes(k))
      return `known rate keys (${RATE_KEYS.join(', ')}), not ${k}`;
    if (x !== undefined && (typeof x !== 'number' || !Number.isFinite(x) || x <= 0))
      return `${k} as a positive number`;
  }
  return undefined;
};

const PIN_KINDS = ['path', 'adapter', 'fabric', 'target-port', 'group'];
const pins: Check = (v) => {
  if (!Array.isArray(v)) return 'a list of pins';
  for (const p of v as PinTarget[]) {
    if (typeof p !== 'object' || p === null || !PIN_KINDS.includes(p.kind))
      return `pins of kind ${PIN_KINDS.join('|')}`;
    if (p.kind === 'group' && !(Number.isInteger(p.index) && p.index >= 1))
      return 'group pins with index >= 1';
  }
  return undefined;
};

const onAllPathsDown: Check = (v) => {
  const a = v as { action?: string; forSeconds?: number };
  if (typeof a !== 'object' || a === null) return 'queue:N | pause | migrate | fail';
  if (a.action === 'queue')
    return intIn(0, 86400)(a.forSeconds) ? 'queue with forSeconds 0..86400' : undefined;
  return ['pause', 'migrate', 'fail'].includes(String(a.action))
    ? undefined
    : 'queue:N | pause | migrate | fail';
};

const resume: Check = (v) => {
  const r = v as { mode?: string; seconds?: number };
  if (typeof r !== 'object' || r === null) return 'auto | leave-paused | kill-after:N';
  if (r.mode === 'kill-after')
    return intIn(1, 86400)(r.seconds) ? 'kill-after with seconds 1..86400' : undefined;
  return r.mode === 'auto' || r.mode === 'leave-paused' ? undefined : 'auto | leave-paused | kill-after:N';
};

const strings: Check = (v) =>
  Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0) ? undefined : 'a list of names';

const selector: Check = (v) =>
  typeof v === 'string' && /^[a-z0-9][a-z0-9._/-]{0,63}$/.test(v)
    ? undefined
    : 'a selector id ([a-z0-9._/-])';

/** The schema: every policy key and its check. Keys not here are rejected. */
export const POLICY_CHECKS: Readonly<Record<keyof VmPolicyValues, Check>> = {
  priority: intIn(0, 100),
  shares: intIn(1, 10000),
  limit: rate,
  reservation: rate,
  pin: pins,
  minPaths: intIn(1, 64),
  onAllPathsDown,
  resume,
  migrateTargets: strings,
  selector,
};

export function validateValue(vmId: string, key: string, value: unknown, origin: Origin): void {
  const check = (POLICY_CHECKS as Record<string, Check | undefined>)[key];
  const where = (): string => `vm ${vmId}: policy ${key} from ${describeOrigin(origin)}`;
  if (!check) throw new PolicyInvalidError(`${where()}: unknown key`, { vmId, key, origin });
  const problem = check(value);
  if (problem)
    throw new PolicyInvalidError(`${where()}: expected ${problem}, got ${JSON.stringify(value)}`, {
      vmId,
      key,
      origin,
    });
}
