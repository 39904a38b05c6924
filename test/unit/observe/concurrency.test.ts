import { mapLimit } from '../../../agent/observe/concurrency';

/** Synchronous work of about `ms` milliseconds (what a batch of sysfs reads looks like to the loop). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}

describe('mapLimit', () => {
  it('keeps input order with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
    expect(peak).toBe(2);
  });

  it('gives the event loop turns while every worker does synchronous work', async () => {
    // 32 workers, 300 ms of synchronous work in all: an I/O answer (here a timer) that arrives
    // early must be handled long before the end, or async reads (/proc of VMs) starve.
    const start = performance.now();
    let firedAt: number | undefined;
    setTimeout(() => (firedAt = performance.now() - start), 1);
    let doneAt = 0;
    await mapLimit(
      Array.from({ length: 300 }, (_, i) => i),
      32,
      async () => {
        busy(1);
        doneAt = performance.now() - start;
      },
    );
    expect(firedAt).toBeDefined();
    expect(firedAt!).toBeLessThan(doneAt / 2);
  });

  it('rejects when a call rejects', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('two');
        return n;
      }),
    ).rejects.toThrow('two');
  });
});
