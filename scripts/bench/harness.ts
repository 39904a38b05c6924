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
  /** Peak resident set size of the process so far (the kernel's high-water mark), MiB. */
  readonly peakRssMiB: number;
  /**
   * Median CPU time of one run (user + system, every thread of the process: the thread pool's
   * file reads too), ms. Less sensitive than wall time to other processes on a shared machine.
   */
  readonly medianCpuMs: number;
  readonly extra?: Readonly<Record<string, number | string>>;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

export function measure(
  name: string,
  size: string,
  fn: () => unknown,
  options: { runs?: number; warmup?: number } = {},
): Measurement {
  const runs = options.runs ?? 15;
  for (let i = 0; i < (options.warmup ?? 3); i++) fn();
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    samples.push({ wallMs: performance.now() - t0, cpuMs: cpuMsSince(c0) });
  }
  return summarize(name, size, samples);
}

/**
 * Steady-state cost of `fn` per call, for comparing sizes: each sample is `batch` calls (choose
 * batch × size equal across sizes, so every sample does the same work), and the results of the
 * last `batch` calls stay referenced, as a caller keeps what it parsed until it is done with it
 * (the agent keeps a host's topology until its snapshot is built, and the last snapshot until the
 * next). Every size then holds the same amount of results alive and pays for collecting what it
 * leaves behind. Reported per call (a sample's time / batch).
 */
export function measureBatched(
  name: string,
  size: string,
  fn: () => unknown,
  options: { batch: number; runs?: number; warmup?: number },
): Measurement {
  const { batch } = options;
  const kept: unknown[] = [];
  const call = (): void => {
    kept.push(fn());
    if (kept.length > batch) kept.shift();
  };
  for (let i = 0; i < (options.warmup ?? 2) * batch; i++) call();
  const samples: Sample[] = [];
  for (let i = 0; i < (options.runs ?? 7); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let b = 0; b < batch; b++) call();
    samples.push({ wallMs: (performance.now() - t0) / batch, cpuMs: cpuMsSince(c0) / batch });
  }
  kept.length = 0;
  return summarize(name, size, samples);
}

export async function measureAsync(
  name: string,
  size: string,
  fn: () => Promise<unknown>,
  options: { runs?: number; warmup?: number } = {},
): Promise<Measurement> {
  const runs = options.runs ?? 9;
  for (let i = 0; i < (options.warmup ?? 2); i++) await fn();
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    samples.push({ wallMs: performance.now() - t0, cpuMs: cpuMsSince(c0) });
  }
  return summarize(name, size, samples);
}

/**
 * Two async functions measured in alternation (a, b, then b, a, ...), so load that drifts during
 * the run weighs on both alike: for a baseline measured in the same run.
 */
export async function measureInterleaved(
  a: { readonly name: string; readonly fn: () => Promise<unknown> },
  b: { readonly name: string; readonly fn: () => Promise<unknown> },
  size: string,
  options: { runs?: number; warmup?: number } = {},
): Promise<[Measurement, Measurement]> {
  const runs = options.runs ?? 9;
  for (let i = 0; i < (options.warmup ?? 2); i++) {
    await a.fn();
    await b.fn();
  }
  const samples: [Sample[], Sample[]] = [[], []];
  const one = async (fn: () => Promise<unknown>, into: Sample[]): Promise<void> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    into.push({ wallMs: performance.now() - t0, cpuMs: cpuMsSince(c0) });
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await one(a.fn, samples[0]);
      await one(b.fn, samples[1]);
    } else {
      await one(b.fn, samples[1]);
      await one(a.fn, samples[0]);
    }
  }
  return [summarize(a.name, size, samples[0]), summarize(b.name, size, samples[1])];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function summarize(name: string, size: string, samples: readonly Sample[]): Measurement {
  const times = samples.map((s) => s.wallMs);
  return {
    name,
    size,
    runs: times.length,
    medianMs: round(median(times)),
    minMs: round(Math.min(...times)),
    maxMs: round(Math.max(...times)),
    rssMiB: round(process.memoryUsage().rss / 1048576),
    peakRssMiB: peakRssMiB(),
    medianCpuMs: round(median(samples.map((s) => s.cpuMs))),
  };
}

/** The process's peak RSS so far, MiB (`maxRSS` is in KiB; Node 12.6+). */
export function peakRssMiB(): number {
  return round(process.resourceUsage().maxRSS / 1024);
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
