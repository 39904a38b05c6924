/**
 * The scan thread's answer in a compact wire form (JSON text), and back. The main thread waits
 * for it, so what it costs to decode is on the snapshot's critical path: a large host's plain
 * ScanResult is 2.2 MB of JSON, most of it key names repeated per device and one transport
 * object copied into each of the thousands of paths behind the same target.
 *
 * The wire form, version 1:
 * - `nodes`: BlockNodes in index order; a whole disk with nothing but its name and MAJ:MIN is the
 *   pair `[name, devT]`, any other node is itself.
 * - `transports`: each distinct Transport object once (the scan shares one per target).
 * - `paths`: one array per PathDeviceRead (see PathTuple).
 * Decoding gives back exactly what was encoded (same keys in the same order, absent optional
 * fields absent); paths behind one target share their Transport object again, as in the scan.
 */
import type { Diagnostic, IoCounters, PathDevice, Transport } from '../../model/snapshot';
import type { BlockNode } from './block-index';
import type { PathDeviceRead } from './path-devices';

export const SCAN_WIRE_VERSION = 1;

/** What the scan found: plain, JSON-serialisable data (like the snapshot it goes into). */
export interface ScanResult {
  readonly nodes: readonly BlockNode[];
  readonly paths: readonly PathDeviceRead[];
  readonly diagnostics: readonly Diagnostic[];
}

type Opt<T> = T | null;
type StatTuple = [number, number, number, number, number, number];

/**
 * One path: dev, devT, hcil, deviceState, accessState, inflight read, inflight write, stat,
 * transport index, fabric, countersPending (0/1), and any PathDevice fields the scan does not set
 * today (`null` when none), so nothing can be lost silently.
 */
type PathTuple = [
  string,
  string,
  Opt<string>,
  PathDevice['deviceState'],
  Opt<NonNullable<PathDevice['accessState']>>,
  number,
  number,
  Opt<StatTuple>,
  number,
  Opt<string>,
  0 | 1,
  Opt<Partial<PathDevice>>,
];

interface ScanWire {
  readonly v: number;
  readonly nodes: (BlockNode | [string, string])[];
  readonly transports: Transport[];
  readonly paths: PathTuple[];
  readonly diagnostics: readonly Diagnostic[];
}

const KNOWN_NODE_KEYS = 4; // name, devT, slaves, holders

function isPlainDisk(n: BlockNode): boolean {
  let keys = 0;
  for (const k in n) if (Object.hasOwn(n, k)) keys++;
  return keys === KNOWN_NODE_KEYS && n.slaves.length === 0 && n.holders.length === 0;
}

function statTuple(s: IoCounters): StatTuple {
  return [s.readIos, s.readSectors, s.writeIos, s.writeSectors, s.inFlight, s.ioTicksMs];
}

function encodePath(r: PathDeviceRead, transportIndex: (t: Transport) => number): PathTuple {
  const { dev, devT, hcil, deviceState, accessState, inflight, stat, transport, fabric, ...extra } = r.device;
  let hasExtra = false;
  for (const k in extra) if (Object.hasOwn(extra, k)) hasExtra = true;
  return [
    dev,
    devT,
    hcil ?? null,
    deviceState,
    accessState ?? null,
    inflight.read,
    inflight.write,
    stat ? statTuple(stat) : null,
    transportIndex(transport),
    fabric ?? null,
    r.countersPending ? 1 : 0,
    hasExtra ? extra : null,
  ];
}

export function encodeScan(result: ScanResult): string {
  const indexOf = new Map<Transport, number>();
  const transports: Transport[] = [];
  const transportIndex = (t: Transport): number => {
    let i = indexOf.get(t);
    if (i === undefined) {
      i = transports.push(t) - 1;
      indexOf.set(t, i);
    }
    return i;
  };
  const wire: ScanWire = {
    v: SCAN_WIRE_VERSION,
    nodes: result.nodes.map((n) => (isPlainDisk(n) ? [n.name, n.devT] : n)),
    transports,
    paths: result.paths.map((p) => encodePath(p, transportIndex)),
    diagnostics: result.diagnostics,
  };
  return JSON.stringify(wire);
}

function decodePath(t: PathTuple, transports: readonly Transport[]): PathDeviceRead {
  const [dev, devT, hcil, deviceState, accessState, read, write, stat, ti, fabric, pending, extra] = t;
  const transport = transports[ti];
  if (transport === undefined)
    throw new Error(`scan answer: path ${dev} names transport ${ti} of ${transports.length}`);
  const device: PathDevice = {
    dev,
    devT,
    ...(hcil !== null ? { hcil } : {}),
    deviceState,
    ...(accessState !== null ? { accessState } : {}),
    inflight: { read, write },
    ...(stat !== null
      ? {
          stat: {
            readIos: stat[0],
            readSectors: stat[1],
            writeIos: stat[2],
            writeSectors: stat[3],
            inFlight: stat[4],
            ioTicksMs: stat[5],
          },
        }
      : {}),
    transport,
    ...(fabric !== null ? { fabric } : {}),
    ...(extra ?? {}),
  };
  return { device, countersPending: pending === 1 };
}

/** Decode encodeScan's text; throws on another version or a malformed answer (the caller falls back). */
export function decodeScan(json: string): ScanResult {
  const wire = JSON.parse(json) as ScanWire;
  if (wire?.v !== SCAN_WIRE_VERSION || !Array.isArray(wire.nodes) || !Array.isArray(wire.paths))
    throw new Error(`scan answer: not wire version ${SCAN_WIRE_VERSION}`);
  const nodes = wire.nodes.map((n): BlockNode =>
    Array.isArray(n) ? { name: n[0], devT: n[1], slaves: [], holders: [] } : n,
  );
  const paths = wire.paths.map((p) => decodePath(p, wire.transports));
  return { nodes, paths, diagnostics: wire.diagnostics };
}
