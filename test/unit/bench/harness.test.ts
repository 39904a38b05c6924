import { measureBatched, scaling } from '../../../scripts/bench/harness';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}

describe('measureBatched (steady-state cost per call)', () => {
  it('calls fn batch × (warmup + runs) times and reports per call, not per batch', () => {
    let calls = 0;
    const m = measureBatched(
      'spin',
      '1×',
      () => {
        calls++;
        busy(2);
        return { calls };
      },
      { batch: 4, runs: 5, warmup: 1 },
    );
    expect(calls).toBe(4 * (1 + 5));
    expect(m.runs).toBe(5);
    // Each call spins 2 ms: per call about 2 ms, far from the 8 ms of a whole batch.
    expect(m.medianMs).toBeGreaterThanOrEqual(2);
    expect(m.medianMs).toBeLessThan(6);
    expect(m.medianCpuMs).toBeGreaterThan(1);
  });

  it('per-unit scaling compares sizes of equal work', () => {
    const a = {
      name: 'x',
      size: '1×',
      runs: 1,
      medianMs: 10,
      minMs: 10,
      maxMs: 10,
      rssMiB: 0,
      peakRssMiB: 0,
      medianCpuMs: 10,
    };
    const b = { ...a, size: '4×', medianMs: 48 };
    expect(scaling([a, b], [1, 4]).map((s) => s.ratioToFirst)).toEqual([1, 1.2]);
  });
});
