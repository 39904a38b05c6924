import type { SelPath } from '../../../agent/sim/des/selectors';
import { hstSample, selectPath } from '../../../agent/sim/des/selectors';

const p = (over: Partial<SelPath> = {}): SelPath => ({
  active: true,
  inflight: 0,
  inflightBytes: 0,
  rt: 1,
  hstMs: 0,
  ...over,
});

describe('kernel path selectors', () => {
  it('round-robin cycles through the valid paths and skips failed ones', () => {
    const paths = [p(), p({ active: false }), p(), p()];
    const st = { cursor: 0 };
    const picks = Array.from({ length: 6 }, () => selectPath('round-robin', paths, [0, 1, 2, 3], st, 4096));
    expect(picks).toEqual([0, 2, 3, 0, 2, 3]);
  });

  it('queue-length picks the path with the fewest I/Os in flight', () => {
    const paths = [p({ inflight: 5 }), p({ inflight: 2 }), p({ inflight: 7 })];
    expect(selectPath('queue-length', paths, [0, 1, 2], { cursor: 0 }, 4096)).toBe(1);
    expect(selectPath('queue-length', paths, [0, 1, 2], { cursor: 2 }, 4096)).toBe(1);
  });

  it('queue-length spreads ties by rotating the list head', () => {
    const paths = [p(), p(), p()];
    const st = { cursor: 0 };
    const picks = Array.from({ length: 3 }, () => selectPath('queue-length', paths, [0, 1, 2], st, 4096));
    expect(new Set(picks).size).toBe(3);
  });

  it('service-time weighs in-flight bytes by relative throughput', () => {
    // path 0: 1 MB in flight, rt 1 → (1 MB + io)/1; path 1: 3 MB in flight, rt 4 → (3 MB + io)/4: path 1 wins
    const paths = [p({ inflightBytes: 1e6, rt: 1 }), p({ inflightBytes: 3e6, rt: 4 })];
    expect(selectPath('service-time', paths, [0, 1], { cursor: 0 }, 65536)).toBe(1);
    // equal rt → smaller in-flight size wins
    const eq = [p({ inflightBytes: 2e6 }), p({ inflightBytes: 1e6 })];
    expect(selectPath('service-time', eq, [0, 1], { cursor: 0 }, 65536)).toBe(1);
    // equal size, different rt → larger rt wins
    const same = [p({ rt: 1 }), p({ rt: 2 })];
    expect(selectPath('service-time', same, [0, 1], { cursor: 0 }, 65536)).toBe(1);
  });

  it('historical-service-time prefers the smaller EWMA × (outstanding + 1) and probes unused paths', () => {
    const fast = p({ hstMs: 1, inflight: 2 }); // estimate 3
    const slow = p({ hstMs: 2, inflight: 1 }); // estimate 4
    expect(selectPath('historical-service-time', [slow, fast], [0, 1], { cursor: 0 }, 4096)).toBe(1);
    const fresh = p();
    expect(selectPath('historical-service-time', [fast, fresh], [0, 1], { cursor: 0 }, 4096)).toBe(1);
    const s = p();
    hstSample(s, 10);
    hstSample(s, 20);
    expect(s.hstMs).toBeCloseTo(11, 5);
  });

  it('returns -1 when no path of the group is valid', () => {
    expect(selectPath('service-time', [p({ active: false })], [0], { cursor: 0 }, 1)).toBe(-1);
  });

  it('stopping at an idle path (uniform relative throughput) picks what the full scan picks', () => {
    let seed = 1;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const kind of ['service-time', 'queue-length'] as const)
      for (let run = 0; run < 200; run++) {
        const paths = Array.from({ length: 6 }, () =>
          p({
            active: rnd() > 0.2,
            inflight: Math.floor(rnd() * 3),
            inflightBytes: Math.floor(rnd() * 3) * 4096,
          }),
        );
        const cursor = Math.floor(rnd() * 6);
        const full = selectPath(kind, paths, [0, 1, 2, 3, 4, 5], { cursor }, 4096);
        expect(selectPath(kind, paths, [0, 1, 2, 3, 4, 5], { cursor }, 4096, true)).toBe(full);
      }
  });
});
