/**
 * A small benchmark harness: run a function repeatedly, report the median and spread, and compare
 * sizes (1×/4×/16×) for linear scaling. Results are ratios measured in the same run, never
 * absolute promises: machines differ.
 */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  readonly name: string;
  readonly size: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Resident set size after the runs, MiB. */
  readonly rssMiB: number;
  readonly extra?: Readonly<Record<string, number | string>>;
}

export function measure(
  name: string,
  size: string,
  fn: () => unknown,
  options: { runs?: number; warmup?: number } = {},
): Measurement {
  const runs = options.runs ?? 15;
  for (let i = 0; i < (options.warmup ?? 3); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return summarize(name, size, times);
}

export async function measureAsync(
  name: string,
  size: string,
  fn: () => Promise<unknown>,
  options: { runs?: number; warmup?: number } = {},
): Promise<Measurement> {
  const runs = options.runs ?? 9;
  for (let i = 0; i < (options.warmup ?? 2); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return summarize(name, size, times);
}

function summarize(name: string, size: string, times: number[]): Measurement {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    name,
    size,
    runs: times.length,
    medianMs: round(median),
    minMs: round(sorted[0] as number),
    maxMs: round(sorted[sorted.length - 1] as number),
    rssMiB: round(process.memoryUsage().rss / 1048576),
  };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Render rows as an aligned text table. */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** Scaling report: per-unit cost at each size relative to the smallest (1.0 = perfectly linear). */
export function scaling(
  ms: readonly Measurement[],
  units: readonly number[],
): Array<{ size: string; perUnitUs: number; ratioToFirst: number }> {
  const first = (ms[0]?.medianMs ?? 0) / (units[0] ?? 1);
  return ms.map((m, i) => {
    const perUnit = m.medianMs / (units[i] ?? 1);
    return {
      size: m.size,
      perUnitUs: round(perUnit * 1000, 3),
      ratioToFirst: round(first > 0 ? perUnit / first : 0),
    };
  });
}
