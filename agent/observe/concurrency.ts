import { performance } from 'node:perf_hooks';

/** Longest stretch of work between two turns of the event loop inside mapLimit, ms. */
const SLICE_MS = 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Bounded concurrency: run `fn` over items with at most `limit` calls in flight, results in input
 * order. A rejection rejects the whole call (callers that want partial results catch inside `fn`).
 *
 * When `fn` does synchronous work (sysfs reads through HostFsSync), calls can complete without
 * ever giving the event loop a turn; the workers then yield every SLICE_MS, so timers, other
 * I/O and the answers of async reads still get through on a large host.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let sliceStart = performance.now();
  const width = Math.max(1, Math.min(limit, items.length));
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
      if (performance.now() - sliceStart > SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** Memoise an async function by string key for the life of one snapshot (per-host facts read once). */
export function memoAsync<R>(fn: (key: string) => Promise<R>): (key: string) => Promise<R> {
  const cache = new Map<string, Promise<R>>();
  return (key) => {
    let hit = cache.get(key);
    if (!hit) {
      hit = fn(key);
      cache.set(key, hit);
    }
    return hit;
  };
}
