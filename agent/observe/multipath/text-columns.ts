/**
 * Parsers for multipathd's text tables: `show paths`, `show maps` (padded columns under a
 * header) and `show paths|maps raw format "%d|%D|..."` (no header, fields joined by a separator).
 *
 * Facts about the padded format (libmultipath print.c, real output in test/fixtures):
 * - every column is padded to its widest value or header, the last one too (trailing spaces);
 * - values may contain spaces (`i/o pending`, next_check `XX........ 1/4`), so a row is cut at
 *   the header's column start offsets, never split on whitespace;
 * - an empty reply (no paths / no maps) may print nothing or only the header.
 */
import type { CheckerState } from '../../model/snapshot';
import { ParseError } from '../../model/errors';
import { CHECKER_STATES } from './multipathd-json';

/** One table row: values keyed by header name (`hcil`, `dev`, `dev_t`, ...), trimmed. */
export interface TextRecord {
  /** 1-based line number in the text, for error messages. */
  readonly line: number;
  readonly fields: Readonly<Record<string, string>>;
}

export interface TextTable {
  /** Header names in column order. */
  readonly columns: readonly string[];
  readonly rows: readonly TextRecord[];
}

const HEADER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function fail(source: string, line: number, message: string): never {
  throw new ParseError(`${source}: line ${line}: ${message}`, { source, line });
}

function linesOf(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

/**
 * Parse a padded multipathd table (header line first). Throws ParseError (with the line
 * number) when the header is not a list of names or a row does not fit the header's columns.
 */
export function parseMultipathdColumns(text: string, source = 'multipathd show'): TextTable {
  const lines = linesOf(text);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return { columns: [], rows: [] };
  const header = lines[headerAt] as string;
  const starts: number[] = [];
  const columns: string[] = [];
  for (const m of header.matchAll(/\S+/g)) {
    if (!HEADER_NAME.test(m[0]))
      fail(source, headerAt + 1, `expected a header of column names, found ${JSON.stringify(m[0])}`);
    if (columns.includes(m[0])) fail(source, headerAt + 1, `column ${m[0]} appears twice`);
    starts.push(m.index as number);
    columns.push(m[0]);
  }
  if (starts[0] !== 0) fail(source, headerAt + 1, 'the header must start in the first column');
  const rows: TextRecord[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const row = lines[i] as string;
    if (row.trim() === '') continue;
    const fields: Record<string, string> = {};
    columns.forEach((name, c) => {
      const start = starts[c] as number;
      const end = starts[c + 1];
      if (row.length <= start || (start > 0 && row[start - 1] !== ' '))
        fail(source, i + 1, `row does not fit column ${name} of the header: ${JSON.stringify(row)}`);
      const value = row.slice(start, end).trim();
      if (value === '') fail(source, i + 1, `empty value in column ${name}: ${JSON.stringify(row)}`);
      fields[name] = value;
    });
    rows.push({ line: i + 1, fields });
  }
  return { columns, rows };
}

/**
 * Parse `show ... raw format` output: no header, one record per line, `columns.length` fields
 * joined by `separator` (the caller knows the format string it sent).
 */
export function parseMultipathdRaw(
  text: string,
  columns: readonly string[],
  separator: string,
  source = 'multipathd show raw format',
): TextTable {
  if (separator === '') throw new ParseError(`${source}: empty separator`, { source });
  const rows: TextRecord[] = [];
  linesOf(text).forEach((row, i) => {
    if (row.trim() === '') return;
    const values = row.split(separator);
    if (values.length !== columns.length)
      fail(
        source,
        i + 1,
        `expected ${columns.length} fields, found ${values.length}: ${JSON.stringify(row)}`,
      );
    rows.push({
      line: i + 1,
      fields: Object.fromEntries(columns.map((c, k) => [c, (values[k] as string).trim()])),
    });
  });
  return { columns: [...columns], rows };
}

/** One row of `multipathd show paths`, typed. */
export interface ShowPath {
  readonly hcil: string;
  readonly dev: string;
  /** `MAJ:MIN`; undefined when multipathd prints `#:#`. */
  readonly devT?: string;
  /** `pri`; -1 when unknown. */
  readonly priority: number;
  readonly dmState: 'active' | 'failed' | 'undef';
  readonly checkerState: CheckerState;
  /** `chk_st` as printed. */
  readonly checkerText: string;
  /** multipathd's `dev_st`: `running`, `offline`, `unknown`. */
  readonly deviceState: string;
  readonly nextCheck?: string;
}

/** Map a printed checker state onto the model's (`unknown` for words this version lacks). */
export function checkerStateOf(text: string): CheckerState {
  return CHECKER_STATES.has(text) ? (text as CheckerState) : 'unknown';
}

/** Interpret a `show paths` table (padded or raw with these header names) as typed paths. */
export function showPathsOf(table: TextTable, source = 'multipathd show paths'): ShowPath[] {
  for (const need of ['dev', 'dev_t', 'dm_st', 'chk_st', 'dev_st']) {
    if (table.rows.length > 0 && !table.columns.includes(need))
      throw new ParseError(`${source}: no ${need} column (found ${table.columns.join(', ')})`, { source });
  }
  return table.rows.map(({ line, fields: f }) => {
    const get = (k: string): string => f[k] ?? '';
    const devT = get('dev_t');
    if (devT !== '#:#' && !/^\d{1,4}:\d{1,7}$/.test(devT))
      fail(source, line, `dev_t must be MAJ:MIN, found ${JSON.stringify(devT)}`);
    const dmState = get('dm_st');
    if (dmState !== 'active' && dmState !== 'failed' && dmState !== 'undef')
      fail(source, line, `unknown path dm state ${JSON.stringify(dmState)}`);
    const pri = f.pri;
    if (pri !== undefined && !/^-?\d{1,9}$/.test(pri))
      fail(source, line, `pri must be a number, found ${JSON.stringify(pri)}`);
    return {
      hcil: get('hcil'),
      dev: get('dev'),
      ...(devT === '#:#' ? {} : { devT }),
      priority: pri === undefined ? -1 : Number(pri),
      dmState,
      checkerState: checkerStateOf(get('chk_st')),
      checkerText: get('chk_st'),
      deviceState: get('dev_st'),
      ...(f.next_check === undefined ? {} : { nextCheck: f.next_check }),
    };
  });
}

/** Parse `multipathd show paths` text into typed paths. */
export function parseShowPaths(text: string, source = 'multipathd show paths'): ShowPath[] {
  return showPathsOf(parseMultipathdColumns(text, source), source);
}

/** One row of `multipathd show maps` (default columns `name sysfs uuid`, or any `format`). */
export interface ShowMap {
  readonly name: string;
  /** The `uuid` column (the WWID), when printed. */
  readonly wwid?: string;
  /** The `sysfs` column (`dm-N`), when printed and not `undef`. */
  readonly dm?: string;
  /** Every column as printed, keyed by header name (`name`, `sysfs`, `uuid`, `paths`, ...). */
  readonly fields: Readonly<Record<string, string>>;
}

/** Interpret a `show maps` table (padded or raw with these header names); `name` is required. */
export function showMapsOf(table: TextTable, source = 'multipathd show maps'): ShowMap[] {
  if (table.rows.length > 0 && !table.columns.includes('name'))
    throw new ParseError(`${source}: no name column (found ${table.columns.join(', ')})`, { source });
  return table.rows.map(({ fields }) => {
    const uuid = fields.uuid;
    const sysfs = fields.sysfs;
    return {
      name: fields.name ?? '',
      ...(uuid === undefined ? {} : { wwid: uuid }),
      ...(sysfs === undefined || sysfs === 'undef' ? {} : { dm: sysfs }),
      fields: { ...fields },
    };
  });
}

/** Parse `multipathd show maps` text into maps. */
export function parseShowMaps(text: string, source = 'multipathd show maps'): ShowMap[] {
  return showMapsOf(parseMultipathdColumns(text, source), source);
}
