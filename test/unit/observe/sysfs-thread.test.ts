import * as path from 'node:path';
import { observeHost, type ObserveOptions } from '../../../agent/observe';
import { GuardedHostFs } from '../../../agent/observe/guarded-fs';
import { ReplayHostFs } from '../../../agent/observe/capture/replay';
import { answer } from '../../../agent/observe/sysfs/scan-thread';
import { decodeScan } from '../../../agent/observe/sysfs/scan-codec';
import { scanSysfs } from '../../../agent/observe/sysfs/scan';
import { diskstatsOf } from '../../../agent/observe/sysfs/diskstats';
import { DiagnosticSink } from '../../../agent/observe/diagnostics';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { MAX_THREAD_FAILURES, THREAD_MIN_DEVICES } from '../../../agent/observe/sysfs/sysfs-thread';
import type { HostSnapshot } from '../../../agent/model';
import { createSimHost, scaleSpec, type SimHost } from '../../../agent/sim';

const THREADS = path.join(__dirname, 'threads');
/** The real scan thread, compiled from the TypeScript sources inside the worker. */
const TS_THREAD = path.join(THREADS, 'ts-loader.cjs');
const FALLBACK = 'sysfs read on the main thread';

function snap(sim: SimHost, options: ObserveOptions): Promise<HostSnapshot> {
  return observeHost({ fs: sim.fs, runner: sim.runner, clock: sim.clock }, options);
}

function fallbacks(s: HostSnapshot): string[] {
  return s.diagnostics.filter((d) => d.message.includes(FALLBACK)).map((d) => d.message);
}

describe('sysfs on a second thread', () => {
  let sim: SimHost;
  beforeAll(() => {
    // 40 LUNs × 8 paths: above THREAD_MIN_DEVICES block devices, so `auto` uses the thread.
    sim = createSimHost(scaleSpec({ vms: 24, luns: 40, pathsPerLun: 8 }));
    sim.tick(3000);
  });
  afterAll(() => sim.dispose());

  it('gives the same snapshot as the main-thread scan, counters read through the host fs', async () => {
    const main = await snap(sim, { sysfsThread: 'never' });
    const threaded = await snap(sim, { sysfsThread: 'always', sysfsThreadScript: TS_THREAD });
    expect(fallbacks(threaded)).toEqual([]);
    expect(threaded.paths.length).toBe(320);
    expect(threaded).toEqual(main);
    // The simulated VMs keep I/O in flight: some paths had their `inflight` read after the thread.
    expect(main.paths.some((p) => p.inflight.read + p.inflight.write > 0)).toBe(true);
  }, 30_000);

  it('falls back to the main thread, with one info diagnostic, when the thread dies on start', async () => {
    const main = await snap(sim, { sysfsThread: 'never' });
    const s = await snap(sim, { sysfsThread: 'always', sysfsThreadScript: path.join(THREADS, 'crash.cjs') });
    expect(fallbacks(s)).toEqual([expect.stringContaining('crash on start')]);
    expect(s.diagnostics.find((d) => d.message.includes(FALLBACK))?.level).toBe('info');
    expect({ ...s, diagnostics: [] }).toEqual({ ...main, diagnostics: [] });
  }, 30_000);

  it('times out a thread that never answers and still returns the whole snapshot', async () => {
    const main = await snap(sim, { sysfsThread: 'never' });
    const t0 = Date.now();
    const s = await snap(sim, {
      sysfsThread: 'always',
      sysfsThreadScript: path.join(THREADS, 'silent.cjs'),
      readTimeoutMs: 200,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(fallbacks(s)).toEqual([expect.stringContaining('no answer within 1000 ms')]);
    expect({ ...s, diagnostics: [] }).toEqual({ ...main, diagnostics: [] });
  }, 30_000);

  it('gives up on a thread that fails MAX_THREAD_FAILURES times in a row, with one warning', async () => {
    // A path of its own, so this thread's failure count starts at 0.
    const script = `${THREADS}/../threads/crash.cjs`;
    const runs: HostSnapshot[] = [];
    for (let i = 0; i < MAX_THREAD_FAILURES + 1; i++)
      runs.push(await snap(sim, { sysfsThread: 'always', sysfsThreadScript: script }));
    const levels = runs.map((s) =>
      s.diagnostics.filter((d) => d.message.includes(FALLBACK)).map((d) => d.level),
    );
    expect(levels).toEqual([...Array(MAX_THREAD_FAILURES - 1).fill(['info']), ['warn'], []]);
    expect(fallbacks(runs[MAX_THREAD_FAILURES - 1]!)[0]).toContain('not tried again');
    expect(runs[MAX_THREAD_FAILURES]!.paths).toEqual(runs[0]!.paths);
  }, 30_000);

  it('auto: uses the thread only from THREAD_MIN_DEVICES block devices on', async () => {
    const crash = path.join(THREADS, 'crash.cjs');
    const small = createSimHost(scaleSpec({ vms: 4, luns: 8, pathsPerLun: 4 }));
    try {
      expect(fallbacks(await snap(small, { sysfsThreadScript: crash }))).toEqual([]);
    } finally {
      small.dispose();
    }
    expect(320).toBeGreaterThanOrEqual(THREAD_MIN_DEVICES);
    expect(fallbacks(await snap(sim, { sysfsThreadScript: crash }))).toHaveLength(1);
  }, 30_000);

  it('is not used for trees that must be read through their HostFs (replayed errors)', () => {
    expect(new ReplayHostFs(sim.root, new Map()).directRoot).toBeUndefined();
    expect(new GuardedHostFs(sim.fs, 100).directRoot).toBe(sim.root);
  });

  it('answers a request for a root without /sys/block with an error diagnostic, not a crash', async () => {
    const reply = await answer({
      id: 7,
      root: '/nonexistent-vmpath-root',
      concurrency: 4,
      diskstatsText: undefined,
    });
    expect(reply.id).toBe(7);
    if (!('json' in reply)) throw new Error(`expected a result, got ${JSON.stringify(reply)}`);
    const result = decodeScan(reply.json);
    expect(result).toMatchObject({ nodes: [], paths: [] });
    expect(result.diagnostics.map((d) => d.level)).toEqual(['error']);
  });

  it('sends the scan as wire JSON that decodes to exactly what was scanned', async () => {
    const reply = await answer({ id: 8, root: sim.root, concurrency: 4, diskstatsText: undefined });
    if (!('json' in reply)) throw new Error(`expected a result, got ${JSON.stringify(reply)}`);
    const diag = new DiagnosticSink();
    const direct = await scanSysfs(new RootedHostFs(sim.root), diag, 4, diskstatsOf(undefined, diag));
    const sent = decodeScan(reply.json);
    expect(sent.nodes).toStrictEqual([...direct.index.byName.values()]);
    expect(sent.paths).toStrictEqual([...direct.paths.values()]);
  });
});
