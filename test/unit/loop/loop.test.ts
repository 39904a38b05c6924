import fc from 'fast-check';
import { UeventParser, ueventKey } from '../../../agent/loop/uevent-monitor';
import { WorkQueue } from '../../../agent/loop/work-queue';
import { Controller } from '../../../agent/loop/controller';
import type { ReconcileDeps } from '../../../agent/loop/reconciler';
import { EMPTY_MEMORY } from '../../../agent/model/memory';
import type { HostSnapshot } from '../../../agent/model/snapshot';
import { MultipathdUnreachableError } from '../../../agent/model/errors';

const PATH_FAILED = [
  'KERNEL[812.114] change   /devices/virtual/block/dm-0 (block)',
  'ACTION=change',
  'DEVPATH=/devices/virtual/block/dm-0',
  'SUBSYSTEM=block',
  'DM_TARGET=multipath',
  'DM_ACTION=PATH_FAILED',
  'DM_SEQNUM=1',
  'DM_PATH=8:0',
  'DM_NR_VALID_PATHS=1',
  'DM_NAME=mpatha',
  'DM_UUID=mpath-1Linux_scsi_debug_2000',
  'MAJOR=253',
  'MINOR=0',
  'DEVNAME=dm-0',
  '',
  '',
].join('\n');

describe('uevent parsing', () => {
  it('parses a dm-multipath PATH_FAILED event split across arbitrary chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(PATH_FAILED.length), { maxLength: 6 }), (cuts) => {
        const parser = new UeventParser();
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let prev = 0;
        const events = [];
        for (const p of [...points, PATH_FAILED.length]) {
          events.push(...parser.feed(PATH_FAILED.slice(prev, p)));
          prev = p;
        }
        expect(events).toHaveLength(1);
        expect(events[0]!['DM_PATH']).toBe('8:0');
        expect(ueventKey(events[0]!)).toBe('map:mpatha');
      }),
    );
  });

  it('ignores junk and non-multipath events', () => {
    const parser = new UeventParser();
    const evs = parser.feed(
      'monitor will print the received events for:\nKERNEL - the kernel uevent\n\nACTION=change\nSUBSYSTEM=block\nDEVNAME=sda\n\n',
    );
    expect(evs.map(ueventKey)).toEqual([undefined]);
    expect(parser.feed('x'.repeat(100_000))).toEqual([]);
  });
});

describe('work queue', () => {
  it('coalesces keys and hands them out together', async () => {
    const q = new WorkQueue();
    q.add('map:a');
    q.add('map:a');
    q.add('vm:101');
    expect(await q.takeAll()).toEqual(['map:a', 'vm:101']);
    setTimeout(() => q.add('late'), 5);
    expect(await q.takeAll()).toEqual(['late']);
    q.close();
    expect(await q.takeAll()).toEqual([]);
  });
});

describe('controller', () => {
  const snapshot = {
    takenAtMs: 0,
    host: { hostname: 'h', cgroupMode: 'v2' },
    maps: [],
    paths: [],
    vms: [],
    diagnostics: [],
  } as HostSnapshot;

  it('reconciles on enqueue, contains failures and retries with backoff', async () => {
    let observeCalls = 0;
    const deps: ReconcileDeps = {
      observe: async () => {
        observeCalls++;
        if (observeCalls === 1) throw new MultipathdUnreachableError('multipathd down');
        return snapshot;
      },
      decide: () => ({ actions: [], decisions: [], warnings: [] }),
      apply: async () => [],
      memory: () => EMPTY_MEMORY,
      remember: () => undefined,
      nowMs: () => Date.now(),
    };
    const c = new Controller(deps, { pollIntervalMs: 60_000, backoffBaseMs: 10 });
    const results: Array<{ error?: { code: string } }> = [];
    const done = new Promise<void>((resolve) =>
      c.on('reconciled', (r) => {
        results.push(r);
        if (results.length === 2) resolve();
      }),
    );
    c.start();
    await done;
    await c.stop();
    expect(results[0]!.error?.code).toBe('VMPATH_E_MULTIPATHD_UNREACHABLE');
    expect(results[1]!.error).toBeUndefined();
  });
});

describe('controller after multipathd reconfigure', () => {
  it('reconciles again once a failback change (which reconfigures multipathd) was applied', async () => {
    const snapshot = {
      takenAtMs: 0,
      host: { hostname: 'h', cgroupMode: 'v2' },
      maps: [],
      paths: [],
      vms: [],
      diagnostics: [],
    } as HostSnapshot;
    let n = 0;
    const keys: string[][] = [];
    const deps: ReconcileDeps = {
      observe: async () => snapshot,
      decide: () =>
        n++ === 0
          ? {
              actions: [
                {
                  id: 'fb',
                  kind: 'set-failback-manual',
                  map: 'mpatha',
                  reason: 'steered',
                  origins: [],
                  trigger: 'automatic',
                },
              ],
              decisions: [],
              warnings: [],
            }
          : { actions: [], decisions: [], warnings: [] },
      apply: async (plan) => plan.actions.map((a) => ({ actionId: a.id, outcome: 'applied' as const })),
      memory: () => EMPTY_MEMORY,
      remember: () => undefined,
      nowMs: () => Date.now(),
    };
    const timers = {
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms / 1000),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    const c = new Controller(deps, { pollIntervalMs: 60_000, timers });
    const done = new Promise<void>((resolve) =>
      c.on('reconciled', (r) => {
        keys.push([...r.keys]);
        if (keys.length === 2) resolve();
      }),
    );
    c.start();
    await done;
    await c.stop();
    expect(keys[1]).toContain('reconfigured');
  });
});
