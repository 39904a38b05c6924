/**
 * Path-health records that cluster nodes exchange through a shared directory (docs/cluster.md),
 * and the ClusterView decide/ builds migration choices on. Pure: the files are read and written
 * by cluster-source.ts; the time is an argument.
 *
 * A record (`<dir>/<node>.json`):
 *   { "version": 1, "node": "pve2", "timeMs": 1700000000000,
 *     "healthyPathsByWwid": { "3600a0980...": 4, ... } }
 * `healthyPathsByWwid` counts, per LUN (multipathd map WWID), the paths that are usable on that
 * node when it observed (dm state active and device running, as decide/ counts them).
 */
import type { ClusterNodeView, ClusterView } from '../decide/types';
import { ParseError } from '../model/errors';
import { validateNodeName } from '../model/names';
import type { HostSnapshot } from '../model/snapshot';
import { isPathUsable } from '../model/snapshot';

export const HEALTH_RECORD_VERSION = 1;

export interface NodeHealthRecord {
  readonly version: typeof HEALTH_RECORD_VERSION;
  readonly node: string;
  /** When the node observed (its clock, ms since the epoch). */
  readonly timeMs: number;
  readonly healthyPathsByWwid: Readonly<Record<string, number>>;
}

/** This node's record: usable paths per WWID of the multipathd maps in `snapshot`, WWIDs sorted. */
export function healthRecord(snapshot: HostSnapshot, node: string, nowMs: number): NodeHealthRecord {
  const devices = new Map(snapshot.paths.map((d) => [d.dev, d]));
  const counts = new Map<string, number>();
  for (const map of snapshot.maps) {
    if (map.owner !== 'multipathd') continue;
    const usable = new Set<string>();
    for (const g of map.groups)
      for (const p of g.paths) if (isPathUsable(p, devices.get(p.dev))) usable.add(p.dev);
    counts.set(map.wwid, Math.max(counts.get(map.wwid) ?? 0, usable.size));
  }
  const healthyPathsByWwid: Record<string, number> = {};
  for (const wwid of [...counts.keys()].sort()) healthyPathsByWwid[wwid] = counts.get(wwid) as number;
  return { version: HEALTH_RECORD_VERSION, node: validateNodeName(node), timeMs: nowMs, healthyPathsByWwid };
}

const WWID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Parse and check one record; `expectedNode` is the node its file name says. Anything malformed
 * (bad JSON, wrong version, another node's name, counts that are not whole numbers ≥ 0) throws
 * ParseError naming the file.
 */
export function parseHealthRecord(text: string, file: string, expectedNode: string): NodeHealthRecord {
  const bad = (why: string): never => {
    throw new ParseError(`${file}: not a vmpath node health record: ${why}`, { source: file });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return bad(`invalid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not an object');
  const o = raw as Record<string, unknown>;
  if (o.version !== HEALTH_RECORD_VERSION) bad(`version ${JSON.stringify(o.version)} (expected 1)`);
  if (o.node !== expectedNode) bad(`node ${JSON.stringify(o.node)} does not match the file name`);
  if (typeof o.timeMs !== 'number' || !Number.isFinite(o.timeMs)) bad('timeMs is not a number');
  const h = o.healthyPathsByWwid;
  if (typeof h !== 'object' || h === null || Array.isArray(h))
    return bad('healthyPathsByWwid is not an object');
  const healthyPathsByWwid: Record<string, number> = {};
  for (const [wwid, n] of Object.entries(h as Record<string, unknown>)) {
    if (!WWID.test(wwid)) bad(`invalid WWID ${JSON.stringify(wwid)}`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      bad(`healthyPathsByWwid.${wwid} is ${JSON.stringify(n)}, not a path count`);
    healthyPathsByWwid[wwid] = n as number;
  }
  return {
    version: HEALTH_RECORD_VERSION,
    node: expectedNode,
    timeMs: o.timeMs as number,
    healthyPathsByWwid,
  };
}

/** A record is fresh when its time is within `staleMs` of now (either way: clocks may be skewed). */
export function isFresh(record: NodeHealthRecord, nowMs: number, staleMs: number): boolean {
  return Math.abs(nowMs - record.timeMs) <= staleMs;
}

/**
 * The view decide/ gets: every other node with a fresh record, sorted by name, `online` (it
 * published recently, so its agent runs). Stale records are left out (a node that stopped
 * publishing may be down or fenced) and their nodes listed in `stale`.
 */
export function clusterViewOf(
  records: readonly NodeHealthRecord[],
  self: string | undefined,
  nowMs: number,
  staleMs: number,
): { view: ClusterView; stale: string[] } {
  const nodes: ClusterNodeView[] = [];
  const stale: string[] = [];
  for (const r of [...records].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))) {
    if (r.node === self) continue;
    if (isFresh(r, nowMs, staleMs))
      nodes.push({ node: r.node, online: true, healthyPathsByWwid: r.healthyPathsByWwid });
    else stale.push(r.node);
  }
  return { view: { nodes }, stale };
}
