/** Renders a ViewModel as a terminal frame (ANSI colours when asked) or as compact plain lines. */
import type { LogLine, ViewModel } from './view-model';

const ESC = '\u001b[';
const colours = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const;
type Colour = keyof typeof colours;

export interface RenderOptions {
  readonly colour: boolean;
  readonly width?: number;
  readonly logLines?: number;
}

function paint(text: string, colour: Colour, on: boolean): string {
  return on ? `${ESC}${colours[colour]}m${text}${ESC}0m` : text;
}

function stateColour(state: string): Colour {
  if (/fail|offline|down|error|faulty|blocked|dead/.test(state)) return 'red';
  if (/paused|queue|degraded|migrat|pending|shaky|ghost|standby/.test(state)) return 'yellow';
  return 'green';
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

function bar(fraction: number | undefined, width: number): string {
  const f = Math.max(0, Math.min(1, fraction ?? 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '·'.repeat(width - full);
}

/** Pads/clips cells; `paint` is applied after padding so ANSI codes never break alignment. */
function row(cells: ReadonlyArray<readonly [string, number, Colour?]>, colour: boolean): string {
  return cells
    .map(([text, width, c]) => {
      const clipped = text.length > width ? text.slice(0, width - 1) + '…' : text.padEnd(width);
      return c ? paint(clipped, c, colour) : clipped;
    })
    .join(' ');
}

function logColour(kind: LogLine['kind']): Colour {
  return (
    { fault: 'red', decision: 'cyan', action: 'green', warning: 'yellow', error: 'red', info: 'dim' } as const
  )[kind];
}

export function renderFrame(vm: ViewModel, options: RenderOptions): string {
  const c = options.colour;
  const out: string[] = [];
  out.push(paint(`${vm.title}`, 'bold', c) + `   t=${vm.clockS.toFixed(1)}s`);
  out.push('');
  out.push(paint('PATHS', 'bold', c));
  out.push(
    row(
      [
        ['DEV', 6],
        ['FABRIC', 8],
        ['STATE', 16],
        ['MB/s', 8],
        ['UTIL', 24],
        ['MAPS', 30],
      ],
      c,
    ),
  );
  for (const p of vm.paths) {
    out.push(
      row(
        [
          [p.dev, 6],
          [p.fabric, 8],
          [p.state, 16, stateColour(p.state)],
          [fmt(p.mbps), 8],
          [`${bar(p.utilization, 16)} ${fmt((p.utilization ?? 0) * 100, 0)}%`, 24],
          [p.maps.join(','), 30],
        ],
        c,
      ),
    );
  }
  out.push('');
  out.push(paint('VMS', 'bold', c));
  out.push(
    row(
      [
        ['VM', 8],
        ['NAME', 10],
        ['STATE', 12],
        ['PRIO', 4],
        ['MB/s', 8],
        ['IOPS', 7],
        ['LAT ms', 7],
        ['LIMIT', 12],
        ['ERR', 5],
        ['PATHS', 24],
      ],
      c,
    ),
  );
  for (const v of vm.vms) {
    out.push(
      row(
        [
          [v.id, 8],
          [v.name, 10],
          [v.state, 12, stateColour(v.state)],
          [v.priority === undefined ? '-' : String(v.priority), 4],
          [fmt(v.mbps), 8],
          [fmt(v.iops, 0), 7],
          [fmt(v.latencyMs), 7],
          [v.limit ?? '-', 12],
          [v.ioErrors === undefined ? '-' : String(v.ioErrors), 5, v.ioErrors ? 'red' : undefined],
          [v.paths.join(',') || '-', 24],
        ],
        c,
      ),
    );
  }
  out.push('');
  out.push(paint('DECISIONS AND EVENTS', 'bold', c));
  const lines = vm.log.slice(-(options.logLines ?? 12));
  for (const l of lines)
    out.push(
      `${paint(`[${l.atS.toFixed(1).padStart(6)}s]`, 'dim', c)} ${paint(l.kind.padEnd(8), logColour(l.kind), c)} ${l.text}`,
    );
  if (vm.footer) out.push('', paint(vm.footer, 'dim', c));
  const width = options.width;
  return out.map((l) => (width && !c && l.length > width ? l.slice(0, width) : l)).join('\n') + '\n';
}

/** ANSI: home + clear, for redrawing a frame in place. */
export const CLEAR_SCREEN = `${ESC}H${ESC}2J`;

/** One line per VM state change or log line, for non-TTY output (CI, pipes). */
export function renderPlainLog(lines: readonly LogLine[]): string {
  return lines.map((l) => `[${l.atS.toFixed(1).padStart(6)}s] ${l.kind.padEnd(8)} ${l.text}\n`).join('');
}
