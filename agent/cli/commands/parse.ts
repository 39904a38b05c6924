/**
 * `vmpath parse <kind> [FILE|-] [--columns LIST [--separator S]] [--json]`: parse captured
 * multipath-tools / dmsetup output with the parsers the agent uses and print it in one shape
 * per kind (docs/parse-schema.md; the kinds and shapes are in parse-kinds.ts, the readable form
 * in parse-text.ts):
 *
 *   { "kind": K, "maps": [ { name, wwid?, dm?, groups: [ { index, state?, selector?, priority?,
 *       paths: [ { dev?, devT?, dmState?, checkerState?, deviceState?, priority?, failCount? } ] } ] } ] }
 *
 * for `multipathd-paths` `{ "kind", "paths": [...] }`, for `multipathd-maps` `{ "kind", "maps":
 * [ { name, wwid?, dm?, fields } ] }`. Fields a format lacks are left out.
 */
import { readFile } from 'node:fs/promises';
import type { CliIo, Command } from '../command';
import { UsageError } from '../../model/errors';
import { PARSE_KINDS, RAW_KINDS, parseAs, type ParseKind, type RawFormat } from './parse-kinds';
import { parseOutputText } from './parse-text';

export { PARSE_KINDS, parseAs, type ParseKind, type ParseOutput, type RawFormat } from './parse-kinds';
export { parseOutputText } from './parse-text';

const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

async function readInput(file: string | undefined, io: CliIo): Promise<string> {
  if (file === undefined || file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`parse: cannot read ${file}: ${(e as Error).message}`, { file });
  }
}

/** `--columns a,b,c [--separator S]` → the raw format; undefined for the padded table. */
function rawFormat(kind: ParseKind, values: Readonly<Record<string, unknown>>): RawFormat | undefined {
  const columns = values.columns;
  const separator = values.separator;
  if (columns === undefined) {
    if (separator !== undefined) throw new UsageError('parse: --separator needs --columns');
    return undefined;
  }
  if (!RAW_KINDS.has(kind))
    throw new UsageError(`parse: --columns is for ${[...RAW_KINDS].join(' and ')} raw format output`);
  const names = String(columns)
    .split(',')
    .map((c) => c.trim());
  const bad = names.find((c) => !COLUMN_NAME.test(c));
  if (bad !== undefined)
    throw new UsageError(`parse: --columns: ${JSON.stringify(bad)} is not a column name`);
  const twice = names.find((c, i) => names.indexOf(c) !== i);
  if (twice !== undefined) throw new UsageError(`parse: --columns: ${twice} appears twice`);
  const sep = separator === undefined ? '|' : String(separator);
  if (sep === '') throw new UsageError('parse: --separator must not be empty');
  return { columns: names, separator: sep };
}

export const parseCommand: Command = {
  name: 'parse',
  summary: 'parse captured multipathd / multipath / dmsetup output and print maps, groups and paths',
  usage: `vmpath parse <${PARSE_KINDS.join('|')}> [FILE|-] [--columns LIST [--separator S]] [--json]`,
  description: [
    'Reads FILE (or stdin for `-` or no FILE) with the parsers the agent uses. Kinds:',
    '  multipathd-json   `multipathd show maps json` (or `show map M json`)',
    '  multipathd-paths  `multipathd show paths` (padded text table, or raw format with --columns)',
    '  multipathd-maps   `multipathd show maps` (padded text table, or raw format with --columns)',
    '  topology          `multipath -ll` or `multipathd show topology`',
    '  dmsetup-table     `dmsetup table` (multipath targets; others are skipped)',
    '  dmsetup-status    `dmsetup status` (multipath targets; others are skipped)',
    '`show paths|maps raw format "..."` prints no header: name its columns with --columns, in',
    'the order of the format string, by the names multipathd prints in headers (`%d` is dev,',
    '`%D` dev_t, `%t` dm_st, `%T` chk_st, `%o` dev_st, `%p` pri, `%i` hcil; for maps `%n` name,',
    '`%w` uuid, `%d` sysfs), and give the separator with --separator (default `|`).',
    'The --json output is documented in docs/parse-schema.md. Malformed input exits 1 with',
    'VMPATH_E_PARSE naming the line.',
    '',
    'Examples:',
    '  multipath -ll | vmpath parse topology',
    '  vmpath parse dmsetup-status status.txt --json',
    "  multipathd show paths raw format '%d|%D|%t|%T|%o' |",
    '    vmpath parse multipathd-paths --columns dev,dev_t,dm_st,chk_st,dev_st',
  ].join('\n'),
  options: {
    columns: {
      type: 'string',
      description: 'raw format input: the column names of the format string, comma-separated',
    },
    separator: {
      type: 'string',
      description: 'raw format input: the field separator (default: the pipe character)',
    },
  },
  async run(args, io) {
    const [kind, file, ...extra] = args.positionals;
    if (kind === undefined) throw new UsageError(`parse: missing kind (${PARSE_KINDS.join(', ')})`);
    if (!(PARSE_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`parse: unknown kind '${kind}' (expected ${PARSE_KINDS.join(', ')})`);
    if (extra.length > 0) throw new UsageError(`parse: unexpected argument '${extra[0]}'`);
    const raw = rawFormat(kind as ParseKind, args.values);
    const text = await readInput(file, io);
    const source = file === undefined || file === '-' ? `${kind} (stdin)` : file;
    const out = parseAs(kind as ParseKind, text, source, raw);
    io.out(args.values.json ? JSON.stringify(out, null, 2) + '\n' : parseOutputText(out));
    return 0;
  },
};
