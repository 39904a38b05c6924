/** Pin matching: does a candidate path satisfy a PinTarget? One row per pin kind. */
import type { PinTarget } from '../../model/policy';
import type { PathCandidate } from '../selector';

const MATCH: {
  readonly [K in PinTarget['kind']]: (c: PathCandidate, p: Extract<PinTarget, { kind: K }>) => boolean;
} = {
  path: (c, p) => c.dev === p.dev,
  adapter: (c, p) => c.adapter === p.adapter,
  fabric: (c, p) => c.fabric !== undefined && c.fabric.toLowerCase() === p.fabric.toLowerCase(),
  'target-port': (c, p) => c.targetPort !== undefined && c.targetPort.toLowerCase() === p.port.toLowerCase(),
  group: (c, p) => c.group === p.index,
};

export function matchesPin(candidate: PathCandidate, pin: PinTarget): boolean {
  return (MATCH[pin.kind] as (c: PathCandidate, p: PinTarget) => boolean)(candidate, pin);
}

/** Index of the first pin the candidate matches, or -1. */
export function pinRank(candidate: PathCandidate, pins: readonly PinTarget[]): number {
  return pins.findIndex((p) => matchesPin(candidate, p));
}

/**
 * Stable sort by a numeric key, ties by device name (deterministic for every selector). The key
 * is computed once per item, not once per comparison.
 */
export function sortBy<T extends { readonly dev: string }>(items: readonly T[], key: (t: T) => number): T[] {
  const keyed = items.map((item) => ({ item, k: key(item) }));
  keyed.sort((a, b) => a.k - b.k || (a.item.dev < b.item.dev ? -1 : a.item.dev > b.item.dev ? 1 : 0));
  return keyed.map((x) => x.item);
}
