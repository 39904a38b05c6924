/**
 * Hand-written SVG charts for the simulator benchmarks (no dependency):
 *  - throughputSvg: MB/s over time per VM, one panel per policy, scenario events as dashed lines;
 *  - timelineSvg: vmpath's failover timeline — per path when it was down, when the kernel or
 *    multipathd's checker noticed, when multipathd reinstated it, vmpath's plans, pauses/resumes.
 */
import type { Comparison } from '../../agent/sim/des/compare';
import type { RunResult } from '../../agent/sim/des/results';

const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
];
const W = 760;
const PANEL_H = 170;
const M = { left: 60, right: 150, top: 24, bottom: 26 };

const esc = (s: string): string =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
const n1 = (x: number): string => (Math.round(x * 10) / 10).toString();

function niceMax(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** Series to draw: every VM when ≤ 8, else the 8 busiest plus the total. */
function seriesOf(r: RunResult): { name: string; ys: readonly number[] }[] {
  const entries = Object.entries(r.series);
  if (entries.length <= 8) return entries.map(([name, ys]) => ({ name, ys }));
  const busiest = [...entries]
    .sort((a, b) => b[1].reduce((s, y) => s + y, 0) - a[1].reduce((s, y) => s + y, 0))
    .slice(0, 8);
  const len = entries[0]?.[1].length ?? 0;
  const total = Array.from({ length: len }, (_, i) => entries.reduce((s, [, ys]) => s + (ys[i] ?? 0), 0));
  return [{ name: 'total (all VMs)', ys: total }, ...busiest.map(([name, ys]) => ({ name, ys }))];
}

function panel(r: RunResult, y0: number, eventsS: readonly number[], yMax: number): string {
  const pw = W - M.left - M.right;
  const ph = PANEL_H - M.top - M.bottom;
  const x = (t: number): number => M.left + (t / r.durationS) * pw;
  const y = (v: number): number => y0 + M.top + ph - (v / yMax) * ph;
  const parts: string[] = [];
  parts.push(`<text x="${M.left}" y="${y0 + 16}" font-size="13" font-weight="bold">${esc(r.policy)}</text>`);
  parts.push(
    `<rect x="${M.left}" y="${y0 + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  );
  for (const f of [0, 0.5, 1]) {
    const yy = y(yMax * f);
    parts.push(
      `<text x="${M.left - 6}" y="${yy + 4}" font-size="10" text-anchor="end">${n1(yMax * f)}</text>`,
    );
    if (f > 0 && f < 1)
      parts.push(`<line x1="${M.left}" y1="${yy}" x2="${M.left + pw}" y2="${yy}" stroke="#eee"/>`);
  }
  for (const t of [0, r.durationS / 2, r.durationS])
    parts.push(
      `<text x="${x(t)}" y="${y0 + PANEL_H - 8}" font-size="10" text-anchor="middle">${n1(t)}s</text>`,
    );
  for (const t of eventsS)
    parts.push(
      `<line x1="${x(t)}" y1="${y0 + M.top}" x2="${x(t)}" y2="${y0 + M.top + ph}" stroke="#444" stroke-dasharray="3,3"/>`,
    );
  seriesOf(r).forEach((s, i) => {
    const pts = s.ys
      .map((v, k) => `${n1(x((k + 0.5) * r.seriesBinS))},${n1(y(Math.min(v, yMax)))}`)
      .join(' ');
    const c = COLORS[i % COLORS.length] as string;
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts}"/>`);
    const ly = y0 + M.top + 10 + i * 13;
    parts.push(
      `<line x1="${W - M.right + 10}" y1="${ly - 4}" x2="${W - M.right + 24}" y2="${ly - 4}" stroke="${c}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${W - M.right + 28}" y="${ly}" font-size="10">${esc(s.name)}</text>`);
  });
  return parts.join('\n');
}

export function throughputSvg(c: Comparison): string {
  const eventsS = c.scenario.events.map((e) => e.at);
  let yMax = 1;
  for (const run of c.runs)
    for (const s of seriesOf(run.result)) for (const v of s.ys) yMax = Math.max(yMax, v);
  yMax = niceMax(yMax);
  const h = 30 + c.runs.length * PANEL_H;
  const body = c.runs.map((run, i) => panel(run.result, 30 + i * PANEL_H, eventsS, yMax)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="15">${esc(c.scenario.name)}: throughput per VM (MB/s, ${n1(c.runs[0]?.result.seriesBinS ?? 1)} s bins)</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

const MARK: Readonly<Record<string, string>> = {
  'kernel-fail': '#d62728',
  'checker-fail': '#ff7f0e',
  'checker-reinstate': '#2ca02c',
  agent: '#1f77b4',
  pause: '#9467bd',
  resume: '#17becf',
  'held-error': '#000000',
};

/** vmpath's failover timeline: rows per path (down intervals + map events), one row for the agent. */
export function timelineSvg(r: RunResult, pathIds: readonly string[]): string {
  const rows = [...pathIds, 'vmpath'];
  const rowH = 22;
  const left = 90;
  const pw = W - left - 20;
  const h = 60 + rows.length * rowH + 30;
  const x = (tMs: number): number => left + (tMs / 1000 / r.durationS) * pw;
  const parts: string[] = [];
  rows.forEach((name, i) => {
    const yy = 40 + i * rowH;
    parts.push(`<text x="${left - 6}" y="${yy + 14}" font-size="10" text-anchor="end">${esc(name)}</text>`);
    parts.push(`<line x1="${left}" y1="${yy + 10}" x2="${left + pw}" y2="${yy + 10}" stroke="#ddd"/>`);
  });
  const downSince = new Map<string, number>();
  const rowOf = (path: string | undefined): number => {
    const i = path === undefined ? -1 : pathIds.indexOf(path);
    return i >= 0 ? i : rows.length - 1;
  };
  for (const e of r.timeline) {
    if (e.kind === 'path-down') downSince.set(e.subject, e.tMs);
    if (e.kind === 'path-up') {
      const from = downSince.get(e.subject) ?? 0;
      downSince.delete(e.subject);
      const yy = 40 + rowOf(e.path) * rowH;
      parts.push(
        `<rect x="${x(from)}" y="${yy + 4}" width="${Math.max(1, x(e.tMs) - x(from))}" height="12" fill="#f4b6b6"/>`,
      );
    }
  }
  for (const [subject, from] of downSince) {
    const yy = 40 + rowOf(subject) * rowH;
    parts.push(
      `<rect x="${x(from)}" y="${yy + 4}" width="${Math.max(1, x(r.durationS * 1000) - x(from))}" height="12" fill="#f4b6b6"/>`,
    );
  }
  let agentMarks = 0;
  for (const e of r.timeline) {
    const color = MARK[e.kind];
    if (!color) continue;
    const yy = 40 + rowOf(e.path) * rowH;
    if (e.kind === 'agent' && ++agentMarks > 400) continue;
    parts.push(
      `<line x1="${n1(x(e.tMs))}" y1="${yy + 2}" x2="${n1(x(e.tMs))}" y2="${yy + 18}" stroke="${color}" stroke-width="1.5"><title>${esc(`${n1(e.tMs / 1000)}s ${e.kind} ${e.subject}`)}</title></line>`,
    );
  }
  const legend = Object.entries({ down: '#f4b6b6', ...MARK })
    .map(
      ([k, c], i) =>
        `<rect x="${left + i * 95}" y="${h - 22}" width="10" height="10" fill="${c}"/><text x="${left + i * 95 + 14}" y="${h - 13}" font-size="10">${k}</text>`,
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="15">${esc(r.scenario)}: failover timeline under ${esc(r.policy)} (0–${r.durationS}s)</text>`,
    ...parts,
    legend,
    '</svg>',
    '',
  ].join('\n');
}
