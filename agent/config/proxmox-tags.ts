/**
 * Proxmox VE tags → policy layers (origin `proxmox-tag`, source `tag <tag>`). Proxmox tags allow
 * [a-z0-9_+.-], so the grammar is `vmpath-<key>-<value>` (docs/policy.md, "Proxmox tags"):
 *
 *   vmpath-prio-80  vmpath-shares-200  vmpath-minpaths-2  vmpath-selector-least-pending
 *   vmpath-pin-fabric-a  vmpath-pin-path-sdc  vmpath-pin-adapter-host3  vmpath-pin-port-<tp>  vmpath-pin-group-2
 *   vmpath-limit-rmbps-200  -wmbps-  -mbps- (read and write)  -riops-  -wiops-  -iops-
 *   vmpath-resv-rmbps-50 (same units as limit)
 *   vmpath-apd-queue-30  vmpath-apd-pause (alias vmpath-pause)  vmpath-apd-migrate  vmpath-apd-fail
 *   vmpath-resume-auto  vmpath-resume-leave  vmpath-resume-kill-120
 *   vmpath-migrate-<node>   (several allowed, in tag order)
 *
 * Pins, migrate targets and limit/reservation figures accumulate; for other keys the first tag wins and later ones are
 * reported. Tags not starting with `vmpath-` are ignored; unknown `vmpath-*` tags are reported.
 */
import type { IoRate, PinTarget, PolicyLayer, VmPolicyValues } from '../model/policy';
import { parseOnAllPathsDown, parseResume } from './values';

export interface TagResult {
  readonly layers: readonly PolicyLayer[];
  /** Human-readable problems: unknown or conflicting vmpath-* tags. */
  readonly problems: readonly string[];
}

const RATE: Readonly<Record<string, readonly (keyof IoRate)[]>> = {
  rmbps: ['readMBps'],
  wmbps: ['writeMBps'],
  mbps: ['readMBps', 'writeMBps'],
  riops: ['readIops'],
  wiops: ['writeIops'],
  iops: ['readIops', 'writeIops'],
};
const PIN: Readonly<Record<string, (v: string) => PinTarget | undefined>> = {
  path: (dev) => ({ kind: 'path', dev }),
  adapter: (adapter) => ({ kind: 'adapter', adapter }),
  fabric: (fabric) => ({ kind: 'fabric', fabric }),
  port: (port) => ({ kind: 'target-port', port }),
  group: (g) => (/^\d+$/.test(g) ? { kind: 'group', index: Number(g) } : undefined),
};

type Decoded = Partial<VmPolicyValues> | undefined;

function rate(rest: string): IoRate | undefined {
  const m = /^([a-z]+)-(\d+(?:\.\d+)?)$/.exec(rest);
  const keys = m ? RATE[m[1] as string] : undefined;
  if (!m || !keys) return undefined;
  return Object.fromEntries(keys.map((k) => [k, Number(m[2])])) as IoRate;
}

/** key → decoder of the rest of the tag. */
const TAGS: Readonly<Record<string, (rest: string) => Decoded>> = {
  prio: (r) => (/^\d+$/.test(r) ? { priority: Number(r) } : undefined),
  shares: (r) => (/^\d+$/.test(r) ? { shares: Number(r) } : undefined),
  minpaths: (r) => (/^\d+$/.test(r) ? { minPaths: Number(r) } : undefined),
  selector: (r) => (r ? { selector: r } : undefined),
  pin: (r) => {
    const i = r.indexOf('-');
    const pin = i > 0 ? PIN[r.slice(0, i)]?.(r.slice(i + 1)) : undefined;
    return pin ? { pin: [pin] } : undefined;
  },
  limit: (r) => {
    const x = rate(r);
    return x ? { limit: x } : undefined;
  },
  resv: (r) => {
    const x = rate(r);
    return x ? { reservation: x } : undefined;
  },
  apd: (r) => {
    const p = parseOnAllPathsDown(r.replace(/^queue-/, 'queue:'));
    return p.ok ? { onAllPathsDown: p.value } : undefined;
  },
  pause: (r) => (r === '' ? { onAllPathsDown: { action: 'pause' } } : undefined),
  resume: (r) => {
    const p = parseResume(r === 'leave' ? 'leave-paused' : r.replace(/^kill-/, 'kill-after:'));
    return p.ok ? { resume: p.value } : undefined;
  },
  migrate: (r) => (r ? { migrateTargets: [r] } : undefined),
};

export function parseProxmoxTags(tags: readonly string[]): TagResult {
  const layers: PolicyLayer[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const pins: PinTarget[] = [];
  const pinTags: string[] = [];
  const targets: string[] = [];
  const targetTags: string[] = [];
  const rates: Record<'limit' | 'reservation', { rate: Record<string, number>; tags: string[] }> = {
    limit: { rate: {}, tags: [] },
    reservation: { rate: {}, tags: [] },
  };
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (!tag.startsWith('vmpath-')) continue;
    const body = tag.slice('vmpath-'.length);
    const dash = body.indexOf('-');
    const key = dash < 0 ? body : body.slice(0, dash);
    const rest = dash < 0 ? '' : body.slice(dash + 1);
    const values = TAGS[key]?.(rest);
    if (!values) {
      problems.push(`tag ${tag}: not understood (see docs/policy.md, Proxmox tags)`);
      continue;
    }
    if (values.pin) {
      pins.push(...values.pin);
      pinTags.push(tag);
      continue;
    }
    if (values.migrateTargets) {
      targets.push(...values.migrateTargets);
      targetTags.push(tag);
      continue;
    }
    const rk = values.limit ? 'limit' : values.reservation ? 'reservation' : undefined;
    if (rk) {
      const acc = rates[rk];
      for (const [sub, v] of Object.entries(values[rk] as IoRate)) {
        if (sub in acc.rate) problems.push(`tag ${tag}: ${rk}.${sub} already set; ignored`);
        else acc.rate[sub] = v as number;
      }
      acc.tags.push(tag);
      continue;
    }
    const k = Object.keys(values)[0] as string;
    const first = seen.get(k);
    if (first) {
      problems.push(`tag ${tag}: ${k} already set by tag ${first}; ignored`);
      continue;
    }
    seen.set(k, tag);
    layers.push({ origin: { kind: 'proxmox-tag', source: `tag ${tag}` }, values });
  }
  for (const rk of ['limit', 'reservation'] as const) {
    const acc = rates[rk];
    if (acc.tags.length)
      layers.push({
        origin: { kind: 'proxmox-tag', source: `tag ${acc.tags.join(' ')}` },
        values: { [rk]: acc.rate },
      });
  }
  if (pins.length)
    layers.push({
      origin: { kind: 'proxmox-tag', source: `tag ${pinTags.join(' ')}` },
      values: { pin: pins },
    });
  if (targets.length)
    layers.push({
      origin: { kind: 'proxmox-tag', source: `tag ${targetTags.join(' ')}` },
      values: { migrateTargets: targets },
    });
  return { layers, problems };
}
