import { performance } from 'node:perf_hooks';

/** Longest stretch of work between two turns of the event loop inside mapLimit, ms. */
const SLICE_MS = 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Bounded concurrency: run `fn` over items with at most `limit` calls in flight, results in input
 * order. A rejection rejects the whole call (callers that want partial results catch inside `fn`).
 *
 * When `fn` does synchronous work (sysfs reads through HostFsSync), calls complete as microtasks
 * and never give the event loop a turn. Every SLICE_MS all workers therefore wait for one shared
 * turn of the event loop (a worker yielding alone would not help: the others keep the microtask
 * queue busy), so timers and the answers of async reads (/proc of VMs, commands) get through
 * while a large host's sysfs is read.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let sliceStart = performance.now();
  let turn: Promise<void> | undefined;
  const width = Math.max(1, Math.min(limit, items.length));
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (turn) await turn;
      if (next >= items.length) break;
      const i = next++;
      results[i] = await fn(items[i] as T, i);
      if (turn === undefined && performance.now() - sliceStart > SLICE_MS) {
        turn = nextTurn().then(() => {
          turn = undefined;
          sliceStart = performance.now();
        });
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
