/**
 * When the host sees a path change, as opposed to when the link changes. Every policy runs on
 * the same host, so every policy sees the same detection: the engine's multipathd checker ticks
 * each map at a seeded phase and then every `checkerIntervalS` (`checkerPhasesMs`), and the
 * ideal (ideal.ts) uses the same ticks (`detectedSegments`):
 *  - a failure counts at once: under I/O the kernel fails the path after `ioFailMs` (7 ms) and
 *    retries elsewhere, so nothing of it is worth modelling in an upper bound;
 *  - a recovery counts for a LUN from its base map's first checker tick at or after the link
 *    comes back (multipathd reinstates the path; nothing else does in the kernel baselines, and
 *    vmpath mirrors it into per-VM maps). If the link drops again first, it never counted.
 * Time a policy loses beyond that (vmpath's reaction, hold-downs, pauses) still shows as lost
 * ratio.
 */
import { deriveSeed, makeRng } from './rng';
import type { Scenario } from './scenario';

/** First checker tick (ms) of each of the first `n` maps; maps are numbered base maps first. */
export function checkerPhasesMs(s: Scenario, n: number): number[] {
  // A separate stream: every policy sees the same checker phases (a fair comparison).
  const rng = makeRng(deriveSeed(s.seed, 0xc4ec));
  return Array.from({ length: n }, () => rng.next() * s.checkerIntervalS * 1000);
}

/** A stretch of time in which every LUN sees the same paths usable (usable[lun][path]). */
export interface DetectedSegment {
  readonly fromS: number;
  readonly toS: number;
  readonly usable: readonly Uint8Array[];
  /** Per path: usable for some LUN. */
  readonly anyUsable: Uint8Array;
}

const hits = (p: { id: string; fabric: string; adapter: string }, target: string): boolean =>
  target === 'all' || p.id === target || p.fabric === target || p.adapter === target;

/** Link transitions of each path, in time order (repeats dropped). */
function linkTransitions(s: Scenario): { t: number; up: boolean }[][] {
  const out = s.paths.map(() => [] as { t: number; up: boolean }[]);
  const up = s.paths.map(() => true);
  for (const e of [...s.events].sort((a, b) => a.at - b.at)) {
    const target = (e.fail ?? e.restore) as string;
    const restore = e.restore !== undefined;
    s.paths.forEach((p, pi) => {
      if (!hits(p, target) || up[pi] === restore) return;
      up[pi] = restore;
      (out[pi] as { t: number; up: boolean }[]).push({ t: e.at, up: restore });
    });
  }
  return out;
}

/** The scenario's timeline as each LUN's base map sees it (see above). */
export function detectedSegments(s: Scenario): DetectedSegment[] {
  const intervalS = s.checkerIntervalS;
  const phasesS = checkerPhasesMs(s, s.luns.length).map((ms) => ms / 1000);
  const pathIdx = new Map(s.paths.map((p, i) => [p.id, i]));
  const links = linkTransitions(s);
  const changes: { t: number; lun: number; path: number; usable: boolean }[] = [];
  s.luns.forEach((lun, li) => {
    const phase = phasesS[li] as number;
    for (const id of lun.paths) {
      const pi = pathIdx.get(id) as number;
      const tr = links[pi] as { t: number; up: boolean }[];
      tr.forEach((x, k) => {
        if (!x.up) {
          changes.push({ t: x.t, lun: li, path: pi, usable: false });
          return;
        }
        const tick = phase + Math.max(0, Math.ceil((x.t - phase) / intervalS - 1e-9)) * intervalS;
        const nextDown = tr[k + 1]?.t ?? Infinity;
        if (tick < nextDown) changes.push({ t: tick, lun: li, path: pi, usable: true });
      });
    }
  });
  changes.sort((a, b) => a.t - b.t);
  const times = [0, ...changes.map((c) => c.t).filter((t) => t > 0 && t < s.durationS), s.durationS];
  const bounds = [...new Set(times)].sort((a, b) => a - b);
  const usable = s.luns.map(() => new Uint8Array(s.paths.length).fill(1));
  const out: DetectedSegment[] = [];
  let ci = 0;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k] as number;
    for (; ci < changes.length && (changes[ci] as { t: number }).t <= from; ci++) {
      const c = changes[ci] as (typeof changes)[number];
      (usable[c.lun] as Uint8Array)[c.path] = c.usable ? 1 : 0;
    }
    const anyUsable = new Uint8Array(s.paths.length);
    for (const u of usable) for (let p = 0; p < u.length; p++) if (u[p]) anyUsable[p] = 1;
    out.push({ fromS: from, toS: bounds[k + 1] as number, usable: usable.map((u) => u.slice()), anyUsable });
  }
  return out;
}
