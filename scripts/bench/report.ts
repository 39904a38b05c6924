/** Shared pieces of the core benchmark suites' reports: tables, ratios, the linear-scaling target. */
import { readFileSync } from 'node:fs';
import { round, scaling, table, type Measurement } from './harness';
import type { Target } from './suite';

/** Per-unit cost at the largest size may be at most this multiple of the 1× cost ("linear"). */
export const LINEAR_SLACK = 1.5;

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

export function report(ms: readonly Measurement[], units: readonly number[], unit: string): string {
  const sc = scaling(ms, units);
  return table(
    [
      'size',
      'median ms',
      'min ms',
      'max ms',
      'CPU ms',
      `µs per ${unit}`,
      'per-unit vs 1×',
      'RSS MiB',
      'peak RSS MiB',
    ],
    ms.map((m, i) => [
      m.size,
      m.medianMs,
      m.minMs,
      m.maxMs,
      m.medianCpuMs,
      sc[i]!.perUnitUs,
      sc[i]!.ratioToFirst,
      m.rssMiB,
      m.peakRssMiB,
    ]),
  );
}

/** `a` as a multiple of `b`, e.g. `0.78×`. */
export function ratio(a: number, b: number): string {
  return b > 0 ? `${round(a / b, 2)}×` : 'n/a';
}

/** The same-run baselines (names ending in `(baseline)`), one line each. */
export function reportBaseline(ms: readonly Measurement[]): string {
  return ms
    .filter((m) => m.name.includes('baseline'))
    .map(
      (m) =>
        `${m.name}, ${m.size}: median ${m.medianMs} ms (min ${m.minMs}, max ${m.maxMs}), CPU ${m.medianCpuMs} ms`,
    )
    .join('\n');
}

/**
 * Linear scaling: per-unit cost at the largest size within LINEAR_SLACK of the 1× cost. `basis`
 * `cpu` judges CPU time (sizes are measured minutes apart, and on a shared machine the load, and
 * with it wall time, changes in between); the wall-time ratio is shown either way.
 */
export function linearTarget(
  ms: readonly Measurement[],
  units: readonly number[],
  unit: string,
  basis: 'wall' | 'cpu' = 'wall',
): Target {
  const sc = scaling(ms, units);
  const last = sc[sc.length - 1]!;
  const cpuPerUnit = ms.map((m, i) => (m.medianCpuMs * 1000) / (units[i] ?? 1));
  const cpuRatio = round((cpuPerUnit[cpuPerUnit.length - 1] ?? 0) / (cpuPerUnit[0] || 1));
  const ratio = basis === 'cpu' ? cpuRatio : last.ratioToFirst;
  return {
    description: `scales linearly: ${basis === 'cpu' ? 'CPU ' : ''}µs per ${unit} at ${last.size.split(' ')[0]} ≤ ${LINEAR_SLACK}× that at 1×`,
    measured:
      `CPU ${cpuRatio}× (${cpuPerUnit.map((x) => round(x, 3)).join(' / ')} µs), ` +
      `wall ${last.ratioToFirst}× (${sc.map((x) => x.perUnitUs).join(' / ')} µs)`,
    ok: ratio <= LINEAR_SLACK,
  };
}
