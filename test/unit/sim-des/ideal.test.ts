import { checkerPhasesMs, detectedSegments } from '../../../agent/sim/des/detection';
import { allocate } from '../../../agent/sim/des/ideal';
import { parseScenario } from '../../../agent/sim/des/scenario';
import { twoPathScenario } from './fixtures';
import type { IdealVmInput } from '../../../agent/sim/des/ideal';

const vm = (over: Partial<IdealVmInput> = {}): IdealVmInput => ({
  weight: 100,
  cap: Infinity,
  reservation: 0,
  paths: [0],
  cost: 1,
  ...over,
});

const close = (xs: number[], want: number[]): void =>
  xs.forEach((x, i) => expect(x).toBeCloseTo(want[i] as number, 3));

describe('ideal allocator (weighted max-min fair with limits and reservations)', () => {
  it('splits a path equally between equal weights', () => {
    close(allocate([vm(), vm()], [100]), [50, 50]);
  });

  it('splits 2:1 by weight', () => {
    close(allocate([vm({ weight: 200 }), vm({ weight: 100 })], [90]), [60, 30]);
  });

  it('a capped VM releases its unused share to the others', () => {
    close(allocate([vm({ cap: 10 }), vm(), vm()], [100]), [10, 45, 45]);
  });

  it('honours a reservation above the weighted share', () => {
    // weights equal, but VM 0 reserves 70 of 100
    close(allocate([vm({ reservation: 70 }), vm()], [100]), [70, 30]);
  });

  it('routes over the VM–path graph: a VM alone on a path does not share it', () => {
    // VM0 can use paths 0 and 1, VM1 only path 1: max-min gives VM0 path 0 and half... here 100+100 capacity
    close(allocate([vm({ paths: [0, 1] }), vm({ paths: [1] })], [100, 100]), [100, 100]);
    // VM1 and VM2 share path 1, VM0 has path 0 to itself and can also use path 1
    close(allocate([vm({ paths: [0, 1] }), vm({ paths: [1] }), vm({ paths: [1] })], [30, 100]), [
      130 / 3,
      130 / 3,
      130 / 3,
    ]);
  });

  it('scales reservations down together when they cannot all fit', () => {
    close(allocate([vm({ reservation: 80 }), vm({ reservation: 80 })], [100]), [50, 50]);
  });

  it('counts IOPS-bound VMs at their cost per MB', () => {
    // VM0 costs 2 units per MB/s (small I/O): equal weights → equal MB/s x with 2x + x = 90
    close(allocate([vm({ cost: 2 }), vm()], [90]), [30, 30]);
  });
});

describe('the ideal sees path changes when the host does (detection.ts)', () => {
  const scenario = (events: unknown[]): ReturnType<typeof parseScenario> =>
    parseScenario(twoPathScenario({ durationS: 30, checkerIntervalS: 5, events }));

  it('a failure counts at once, a recovery at the LUN map checker tick after it', () => {
    const s = scenario([
      { at: 10, fail: 'a1' },
      { at: 12, restore: 'a1' },
    ]);
    const phase = (checkerPhasesMs(s, 1)[0] as number) / 1000;
    const tick = phase + Math.ceil((12 - phase) / 5) * 5;
    const segs = detectedSegments(s);
    expect(segs.map((g) => [g.fromS, g.toS])).toEqual([
      [0, 10],
      [10, tick],
      [tick, 30],
    ]);
    expect(segs.map((g) => [...(g.usable[0] ?? [])])).toEqual([
      [1, 1],
      [0, 1],
      [1, 1],
    ]);
  });

  it('a path that fails again before the tick never comes back', () => {
    const s = scenario([
      { at: 10, fail: 'a1' },
      { at: 10.001, restore: 'a1' },
      { at: 10.002, fail: 'a1' },
    ]);
    const segs = detectedSegments(s);
    expect([...(segs.at(-1)?.usable[0] ?? [])]).toEqual([0, 1]);
  });
});
