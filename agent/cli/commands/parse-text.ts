/**
 * The readable form of `vmpath parse` output (without --json): maps as a head line, groups and
 * their paths; path and map tables as aligned columns.
 */
import type { ParsedMap, ParseOutput } from './parse-kinds';

function table(rows: readonly (readonly string[])[], indent: string): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd() +
        '\n',
    )
    .join('');
}

/** `show maps` rows: every column as printed, under its header. */
function showMapsText(out: Extract<ParseOutput, { kind: 'multipathd-maps' }>): string {
  if (out.maps.length === 0) return 'no multipath maps\n';
  const columns = [...new Set(out.maps.flatMap((m) => Object.keys(m.fields)))];
  const rows = out.maps.map((m) => columns.map((c) => m.fields[c] ?? '-'));
  return table([columns.map((c) => c.toUpperCase()), ...rows], '');
}

/** The readable form printed without --json. */
export function parseOutputText(out: ParseOutput): string {
  if (out.kind === 'multipathd-maps') return showMapsText(out);
  if (out.kind === 'multipathd-paths') {
    if (out.paths.length === 0) return 'no paths\n';
    const head = ['HCIL', 'DEV', 'DEV_T', 'PRI', 'DM', 'CHECKER', 'DEVICE'];
    const rows = out.paths.map((p) => [
      p.hcil,
      p.dev,
      p.devT ?? '#:#',
      String(p.priority),
      p.dmState,
      p.checkerText,
      p.deviceState,
    ]);
    return table([head, ...rows], '');
  }
  if (out.maps.length === 0) return 'no multipath maps\n';
  return out.maps.map(mapText).join('\n');
}

const defined = (cells: readonly (string | undefined)[]): string[] =>
  cells.filter((c): c is string => c !== undefined);

/** One map: a head line, then per group a line and its paths (fields the format lacks left out). */
function mapText(m: ParsedMap): string {
  const head = defined([m.name, m.wwid === undefined ? undefined : `(${m.wwid})`, m.dm]).join(' ');
  const pathRows = m.groups.map((g) =>
    g.paths.map((p) =>
      defined([
        p.dev,
        p.devT,
        p.dmState,
        p.checkerState,
        p.deviceState,
        p.priority === undefined ? undefined : `pri=${p.priority}`,
        p.failCount === undefined ? undefined : `fails=${p.failCount}`,
      ]),
    ),
  );
  const lines = table(pathRows.flat(), '    ').split('\n');
  let next = 0;
  const body = m.groups.map((g, i) => {
    const prio = g.priority === undefined ? undefined : `prio=${g.priority}`;
    const own = lines.slice(next, next + (pathRows[i]?.length ?? 0));
    next += own.length;
    return [`  ${defined([`group ${g.index}`, g.state, g.selector, prio]).join('  ')}`, ...own].join('\n');
  });
  return [head, ...body].join('\n') + '\n';
}
