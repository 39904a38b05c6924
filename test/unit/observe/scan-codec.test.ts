import fc from 'fast-check';
import type { Transport } from '../../../agent/model/snapshot';
import { DiagnosticSink } from '../../../agent/observe/diagnostics';
import { diskstatsOf } from '../../../agent/observe/sysfs/diskstats';
import { scanSysfs } from '../../../agent/observe/sysfs/scan';
import { decodeScan, encodeScan, type ScanResult } from '../../../agent/observe/sysfs/scan-codec';
import type { BlockNode } from '../../../agent/observe/sysfs/block-index';
import type { PathDeviceRead } from '../../../agent/observe/sysfs/path-devices';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { createSimHost, scaleSpec, type SimHost } from '../../../agent/sim';
import { labSysfsTree } from './lab-sysfs-tree';

async function scan(root: string, withDiskstats: boolean): Promise<ScanResult> {
  const fs = new RootedHostFs(root);
  const diag = new DiagnosticSink();
  const text = withDiskstats ? fs.readFileSync('/proc/diskstats') : undefined;
  const { index, paths } = await scanSysfs(fs, diag, 4, diskstatsOf(text, diag));
  return { nodes: [...index.byName.values()], paths: [...paths.values()], diagnostics: diag.list() };
}

/** Key order too: the snapshot's JSON prints keys in the order they were made. */
function keyOrders(x: unknown): string {
  return JSON.stringify(x);
}

describe('scan thread wire form (scan-codec)', () => {
  let sim: SimHost;
  beforeAll(() => {
    sim = createSimHost(scaleSpec({ vms: 6, luns: 24, pathsPerLun: 4 }));
    sim.tick(2000);
  });
  afterAll(() => sim.dispose());

  it.each([true, false])('decodes to exactly what was scanned (simulated host, diskstats %s)', async (ds) => {
    const scanned = await scan(sim.root, ds);
    expect(scanned.paths.length).toBe(96);
    const decoded = decodeScan(encodeScan(scanned));
    expect(decoded).toStrictEqual(scanned);
    expect(keyOrders(decoded)).toBe(keyOrders(scanned));
  });

  it('decodes NVMe native-multipath paths and the lab tree exactly (no dev_t, per-path transports)', async () => {
    const tree = labSysfsTree('nvme-live');
    try {
      const scanned = await scan(tree.root, false);
      expect(scanned.paths.map((p) => p.device.transport.kind)).toEqual(['nvme', 'nvme']);
      const decoded = decodeScan(encodeScan(scanned));
      expect(decoded).toStrictEqual(scanned);
      expect(keyOrders(decoded)).toBe(keyOrders(scanned));
    } finally {
      tree.cleanup();
    }
  });

  it('sends each transport once and shares it again between the paths behind one target', async () => {
    const scanned = await scan(sim.root, true);
    const distinct = new Set(scanned.paths.map((p) => p.device.transport));
    expect(distinct.size).toBeLessThan(scanned.paths.length);
    const wire = JSON.parse(encodeScan(scanned)) as { transports: unknown[] };
    expect(wire.transports).toHaveLength(distinct.size);
    const decoded = decodeScan(encodeScan(scanned));
    expect(new Set(decoded.paths.map((p) => p.device.transport)).size).toBe(distinct.size);
  });

  it('is smaller than the plain JSON of the same result', async () => {
    const scanned = await scan(sim.root, true);
    expect(encodeScan(scanned).length).toBeLessThan(JSON.stringify(scanned).length / 2);
  });

  it('keeps fields it has no slot for, and nodes that are more than a name and MAJ:MIN', () => {
    const transport = { kind: 'scsi' as const, adapter: 'host2' };
    const nodes: BlockNode[] = [
      { name: 'sdb', devT: '8:16', slaves: [], holders: [] },
      { name: 'sdb1', devT: '8:17', slaves: [], holders: ['dm-4'], partitionOf: 'sdb', partition: 1 },
    ];
    const paths: PathDeviceRead[] = [
      {
        device: {
          dev: 'sdb',
          devT: '8:16',
          deviceState: 'offline',
          inflight: { read: 2, write: 5 },
          transport,
          capacityMBps: 800,
        },
        countersPending: true,
      },
    ];
    const result: ScanResult = {
      nodes,
      paths,
      diagnostics: [{ level: 'warn', subject: 'path sdb', message: 'x' }],
    };
    expect(decodeScan(encodeScan(result))).toStrictEqual(result);
  });

  it.each([
    ['another version', '{"v":2,"nodes":[],"transports":[],"paths":[],"diagnostics":[]}', /wire version/],
    ['not an object', 'null', /wire version/],
    [
      'a path naming a missing transport',
      '{"v":1,"nodes":[],"transports":[],"paths":[["sda","8:0",null,"running",null,0,0,null,3,null,0,null]],"diagnostics":[]}',
      /transport 3 of 0/,
    ],
    ['truncated text', '{"v":1,"nodes":[', /JSON|Unexpected/],
  ])('refuses %s with an error (the caller falls back to the main thread)', (_what, text, why) => {
    expect(() => decodeScan(text)).toThrow(why);
  });
});

describe('scan thread wire form, any scan result (property)', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
  const devT = fc.tuple(fc.nat(4095), fc.nat(1 << 20)).map(([a, b]) => `${a}:${b}`);
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  /** An object without the keys whose value is undefined (the model never holds `key: undefined`). */
  const defined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const node: fc.Arbitrary<BlockNode> = fc
    .record({
      name,
      devT,
      slaves: fc.array(name, { maxLength: 3 }),
      holders: fc.array(name, { maxLength: 2 }),
      dm: opt(
        fc.record({
          name,
          uuid: opt(fc.string({ maxLength: 12 })),
          suspended: fc.boolean(),
          role: fc.constant({ kind: 'dm-other' as const }),
        }),
      ),
      partitionOf: opt(name),
      partition: opt(fc.nat(64)),
    })
    .map((n) => defined({ ...n, ...(n.dm ? { dm: defined(n.dm) } : {}) }) as BlockNode);
  const transport = fc
    .record({
      kind: fc.constantFrom('fc', 'iscsi', 'sas', 'nvme', 'scsi', 'unknown'),
      state: opt(fc.string({ maxLength: 8 })),
      adapter: opt(name),
      devLossTmo: opt(fc.nat(600)),
    })
    .map((t) => defined(t) as Transport);
  const counters = fc.record({
    readIos: fc.nat(),
    readSectors: fc.nat(),
    writeIos: fc.nat(),
    writeSectors: fc.nat(),
    inFlight: fc.nat(64),
    ioTicksMs: fc.nat(),
  });
  const result = fc.array(transport, { minLength: 1, maxLength: 3 }).chain((transports) =>
    fc.record({
      nodes: fc.array(node, { maxLength: 6 }),
      paths: fc.array(
        fc
          .record({
            dev: name,
            devT,
            hcil: opt(fc.constant('1:0:0:3')),
            deviceState: fc.constantFrom('running', 'offline', 'transport-offline', 'live', 'unknown'),
            accessState: opt(fc.constantFrom('active/optimized', 'standby', 'unavailable')),
            inflight: fc.record({ read: fc.nat(9), write: fc.nat(9) }),
            stat: opt(counters),
            transport: fc.constantFrom(...transports),
            fabric: opt(fc.string({ maxLength: 10 })),
            capacityMBps: opt(fc.nat(4000)),
            countersPending: fc.boolean(),
          })
          .map(({ countersPending, ...device }) => ({
            device: defined(device) as PathDeviceRead['device'],
            countersPending,
          })),
        { maxLength: 6 },
      ),
      diagnostics: fc.array(
        fc.record({ level: fc.constantFrom('info', 'warn', 'error'), subject: name, message: fc.string() }),
        { maxLength: 2 },
      ),
    }),
  );

  it('decodes to what was encoded, keys in the same order, transports shared as they were', () => {
    fc.assert(
      fc.property(result, (r) => {
        const back = decodeScan(encodeScan(r as ScanResult));
        // fast-check's records have no prototype: compare with the same data as plain objects.
        expect(back).toStrictEqual(JSON.parse(JSON.stringify(r)));
        expect(JSON.stringify(back)).toBe(JSON.stringify(r));
        const shared = (x: ScanResult) => new Set(x.paths.map((p) => p.device.transport)).size;
        expect(shared(back)).toBe(shared(r as ScanResult));
      }),
      { numRuns: 500 },
    );
  });
});
