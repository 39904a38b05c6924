/**
 * Policy value syntax shared by every source (config file, cluster file, libvirt metadata,
 * Proxmox tags after their own decoding). Pure. Each parser takes the raw value (JSON value or
 * text) and returns the typed value, or a string saying what was expected. Ranges are checked
 * afterwards by decide/policy/validate.ts (so every source gets the same rules).
 *
 *   pin             "fabric:A" | "path:sdc" | "adapter:host3" | "port:<target port>" | "group:2" (or a list)
 *   onAllPathsDown  "queue:30" | "queue" (30 s) | "pause" | "migrate" | "fail"
 *   resume          "auto" | "leave-paused" | "kill-after:120"
 *   limit/reservation {readMBps, writeMBps, readIops, writeIops} (or "readMBps=200,writeIops=5000")
 *   migrateTargets  ["node2", "node3"] or "node2,node3"
 */
import type { AllPathsDownAction, IoRate, PinTarget, ResumePolicy, VmPolicyValues } from '../model/policy';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

function int(raw: unknown, what: string): Parsed<number> {
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) ? ok(n) : bad(what);
}

const PIN_KINDS: Readonly<Record<string, (v: string) => PinTarget | undefined>> = {
  path: (dev) => ({ kind: 'path', dev }),
  adapter: (adapter) => ({ kind: 'adapter', adapter }),
  fabric: (fabric) => ({ kind: 'fabric', fabric }),
  port: (port) => ({ kind: 'target-port', port }),
  'target-port': (port) => ({ kind: 'target-port', port }),
  group: (g) => (/^\d+$/.test(g) ? { kind: 'group', index: Number(g) } : undefined),
};

export function parsePin(raw: unknown): Parsed<PinTarget> {
  if (typeof raw === 'object' && raw !== null && 'kind' in raw) return ok(raw as PinTarget);
  if (typeof raw !== 'string') return bad('a pin like "fabric:A"');
  const i = raw.indexOf(':');
  const make = i > 0 ? PIN_KINDS[raw.slice(0, i).trim().toLowerCase()] : undefined;
  const pin = make?.(raw.slice(i + 1).trim());
  return pin && raw.slice(i + 1).trim()
    ? ok(pin)
    : bad('a pin: path:DEV | adapter:HOST | fabric:NAME | port:TARGET | group:N');
}

export function parsePins(raw: unknown): Parsed<PinTarget[]> {
  const list = Array.isArray(raw) ? raw : [raw];
  const out: PinTarget[] = [];
  for (const x of list) {
    const p = parsePin(x);
    if (!p.ok) return p;
    out.push(p.value);
  }
  return ok(out);
}

export function parseOnAllPathsDown(raw: unknown): Parsed<AllPathsDownAction> {
  if (typeof raw === 'object' && raw !== null) return ok(raw as AllPathsDownAction);
  if (typeof raw !== 'string') return bad('queue:SECONDS | pause | migrate | fail');
  const [action, arg] = raw.trim().split(':');
  if (action === 'queue') {
    if (arg === undefined) return ok({ action: 'queue', forSeconds: 30 });
    const n = int(arg, 'queue:SECONDS');
    return n.ok ? ok({ action: 'queue', forSeconds: n.value }) : n;
  }
  if ((action === 'pause' || action === 'migrate' || action === 'fail') && arg === undefined)
    return ok({ action });
  return bad('queue:SECONDS | pause | migrate | fail');
}

export function parseResume(raw: unknown): Parsed<ResumePolicy> {
  if (typeof raw === 'object' && raw !== null) return ok(raw as ResumePolicy);
  if (typeof raw !== 'string') return bad('auto | leave-paused | kill-after:SECONDS');
  const [mode, arg] = raw.trim().split(':');
  if ((mode === 'auto' || mode === 'leave-paused') && arg === undefined) return ok({ mode });
  if (mode === 'kill-after' && arg !== undefined) {
    const n = int(arg, 'kill-after:SECONDS');
    return n.ok ? ok({ mode: 'kill-after', seconds: n.value }) : n;
  }
  return bad('auto | leave-paused | kill-after:SECONDS');
}

const RATE_KEYS = ['readMBps', 'writeMBps', 'readIops', 'writeIops'] as const;

export function parseRate(raw: unknown): Parsed<IoRate> {
  let obj: Record<string, unknown>;
  if (typeof raw === 'string') {
    obj = {};
    for (const part of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [k, v] = part.split('=');
      if (!k || v === undefined) return bad('readMBps=N,writeMBps=N,readIops=N,writeIops=N');
      obj[k.trim()] = v.trim();
    }
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw))
    obj = raw as Record<string, unknown>;
  else return bad('an object {readMBps, writeMBps, readIops, writeIops}');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!(RATE_KEYS as readonly string[]).includes(k))
      return bad(`rate keys ${RATE_KEYS.join(', ')} (not ${k})`);
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) return bad(`${k} as a number`);
    out[k] = n;
  }
  return ok(out as IoRate);
}

function strings(raw: unknown): Parsed<string[]> {
  const list =
    typeof raw === 'string'
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : raw;
  return Array.isArray(list) && list.every((s) => typeof s === 'string')
    ? ok(list as string[])
    : bad('a list of node names');
}

/** The value parser for every policy key (the schema of policy values, one row per key). */
export const VALUE_PARSERS: {
  readonly [K in keyof VmPolicyValues]-?: (raw: unknown) => Parsed<VmPolicyValues[K]>;
} = {
  priority: (r) => int(r, 'an integer 0..100'),
  shares: (r) => int(r, 'an integer 1..10000'),
  limit: parseRate,
  reservation: parseRate,
  pin: parsePins,
  minPaths: (r) => int(r, 'an integer 1..64'),
  onAllPathsDown: parseOnAllPathsDown,
  resume: parseResume,
  migrateTargets: strings,
  selector: (r) => (typeof r === 'string' ? ok(r) : bad('a selector id')),
};

export const POLICY_KEYS = Object.keys(VALUE_PARSERS) as (keyof VmPolicyValues)[];

export function isPolicyKey(k: string): k is keyof VmPolicyValues {
  return (POLICY_KEYS as string[]).includes(k);
}
