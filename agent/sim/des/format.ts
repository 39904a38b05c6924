/**
 * Text and JSON views of a Comparison: one table of throughput (with ratio to ideal), one of
 * p99 latency, one of availability (errors, paused, stall) when anything happened, and path
 * utilization. Used by `vmpath sim` and `npm run bench`.
 */
import type { EngineConfig } from '../../decide/types';
import { DEFAULT_ENGINE_CONFIG } from '../../decide/types';
import type { Comparison } from './compare';
import { SIM_ENGINE_CONFIG } from './vmpath-driver';

export function textTable(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** The simulator's vmpath runs with non-default engine settings (vmpath-driver SIM_ENGINE_CONFIG): say so. */
const VMPATH_SETTINGS = `vmpath engine settings: ${Object.entries(SIM_ENGINE_CONFIG)
  .map(
    ([k, v]) => `${k} ${String(v)} (host default ${String(DEFAULT_ENGINE_CONFIG[k as keyof EngineConfig])})`,
  )
  .join(', ')}`;

const f1 = (x: number): string => x.toFixed(1);
const ratio = (r: number | undefined): string => (r === undefined ? '' : ` (${r.toFixed(2)})`);
const MAX_ROWS = 24;

/** VM rows to show: all when few, else the first MAX_ROWS (totals always cover all). */
function shown<T>(xs: readonly T[]): { rows: readonly T[]; more: number } {
  return xs.length <= MAX_ROWS
    ? { rows: xs, more: 0 }
    : { rows: xs.slice(0, MAX_ROWS), more: xs.length - MAX_ROWS };
}

export function formatComparison(c: Comparison): string {
  const names = c.runs.map((r) => r.result.policy);
  const vms = c.scenario.vms.map((v) => v.id);
  const { rows: ids, more } = shown(vms);
  const byPolicy = c.runs.map((r) => new Map(r.result.vms.map((v) => [v.id, v])));
  const out: string[] = [];
  out.push(`scenario ${c.scenario.name}: ${c.scenario.description}`.trim());
  if (names.includes('vmpath')) out.push(VMPATH_SETTINGS);
  const tp = ids.map((id) => [
    id,
    f1(c.ideal.perVm[id] ?? 0),
    ...c.runs.map((r, i) => f1(byPolicy[i]?.get(id)?.throughputMBps ?? 0) + ratio(r.ratio[id])),
  ]);
  if (more) tp.push([`(+${more} VMs)`, '', ...names.map(() => '')]);
  tp.push([
    'total',
    f1(c.ideal.totalMBps),
    ...c.runs.map((r) => f1(r.result.totals.throughputMBps) + ratio(r.totalRatio)),
  ]);
  out.push('throughput MB/s (ratio to ideal)', textTable(['vm', 'ideal', ...names], tp));
  const lat = ids.map((id) => [
    id,
    ...byPolicy.map((m) => `${f1(m.get(id)?.latencyMsP50 ?? 0)} / ${f1(m.get(id)?.latencyMsP99 ?? 0)}`),
  ]);
  out.push('latency ms p50 / p99', textTable(['vm', ...names], lat));
  const eventful = c.runs.some(
    (r) => r.result.totals.ioErrors > 0 || r.result.totals.pausedS > 0 || c.scenario.events.length > 0,
  );
  if (eventful) {
    const av = ids.map((id) => [
      id,
      ...byPolicy.map((m) => {
        const v = m.get(id);
        return v ? `${v.ioErrors} / ${f1(v.pausedS)} / ${f1(v.stallS)}` : '';
      }),
    ]);
    out.push('guest I/O errors / paused s / longest stall s', textTable(['vm', ...names], av));
  }
  const pinned = c.scenario.vms.filter((v) => (v.policy.pin ?? []).some((p) => p.startsWith('fabric:')));
  if (pinned.length) {
    const rows = pinned.slice(0, MAX_ROWS).map((v) => {
      const fabrics = (v.policy.pin ?? []).filter((p) => p.startsWith('fabric:')).map((p) => p.slice(7));
      return [
        `${v.id} (${fabrics.join(',')})`,
        ...byPolicy.map((m) => {
          const share = m.get(v.id)?.fabricShare ?? {};
          return (fabrics.reduce((s, f) => s + (share[f] ?? 0), 0) * 100).toFixed(1) + '%';
        }),
      ];
    });
    out.push('pinned VMs: share of I/O on the pinned fabric', textTable(['vm (pin)', ...names], rows));
  }
  const busiest = c.runs.map((r) => Math.max(0, ...r.result.paths.map((p) => p.utilization)));
  const mean = c.runs.map(
    (r) => r.result.paths.reduce((s, p) => s + p.utilization, 0) / Math.max(1, r.result.paths.length),
  );
  out.push(
    'path utilization',
    textTable(
      ['', ...names],
      [
        ['mean', ...mean.map((x) => x.toFixed(3))],
        ['max', ...busiest.map((x) => x.toFixed(3))],
      ],
    ),
  );
  return out.join('\n') + '\n';
}

/** The JSON `vmpath sim --json` prints: deterministic (no wall-clock times, no series). */
export function comparisonJson(c: Comparison): unknown {
  return {
    scenario: c.scenario.name,
    durationS: c.scenario.durationS,
    seed: c.scenario.seed,
    ideal: c.ideal,
    runs: c.runs.map((r) => ({
      policy: r.result.policy,
      vms: r.result.vms.map((v) => ({ ...v, ratioToIdeal: r.ratio[v.id] ?? null })),
      paths: r.result.paths,
      totals: { ...r.result.totals, ratioToIdeal: r.totalRatio },
      ...(r.result.agent ? { agent: r.result.agent, engineSettings: SIM_ENGINE_CONFIG } : {}),
    })),
  };
}
