/**
 * Splits the output of `dmsetup table|status [--target multipath] [NAME]` into target lines.
 *
 * dmsetup's format (lvm2 dmsetup.c, checked against real output in test/fixtures):
 * - without NAME it walks every device and prefixes each line with `NAME: `; with no devices
 *   at all it prints `No devices found`;
 * - with NAME it prints that device's lines with no prefix;
 * - each line is `<start> <length> <target type> <params>`; params end with a space;
 * - `--target T` drops other targets' lines (devices with none print nothing).
 * A device with several segments gives several lines with the same name.
 */
import { ParseError } from '../../model/errors';

export interface DmTargetLine {
  /** Device-mapper name (from the prefix, or the NAME the caller asked for). */
  readonly name: string;
  readonly start: number;
  readonly length: number;
  readonly target: string;
  /** Everything after the target type, as printed (trailing space removed). */
  readonly params: string;
  /** 1-based line number in the output, for error messages. */
  readonly line: number;
}

const PREFIXED = /^(.+?): (\d+) (\d+) (\S+)(?: (.*))?$/;
const BARE = /^(\d+) (\d+) (\S+)(?: (.*))?$/;

/**
 * @param stdout  dmsetup's standard output.
 * @param source  what ran, for errors (e.g. `dmsetup status --target multipath`).
 * @param name    the device NAME passed to dmsetup, if any: then lines carry no prefix.
 */
export function parseDmsetupLines(stdout: string, source: string, name?: string): DmTargetLine[] {
  const out: DmTargetLine[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] as string).replace(/\r$/, '');
    if (text.trim() === '') continue;
    if (name === undefined && text.trim() === 'No devices found') continue;
    const m = name === undefined ? PREFIXED.exec(text) : BARE.exec(text);
    if (!m) {
      const expected =
        name === undefined
          ? '"NAME: <start> <length> <target> <params>"'
          : '"<start> <length> <target> <params>"';
      throw new ParseError(`${source}: line ${i + 1}: expected ${expected}, found ${JSON.stringify(text)}`, {
        source,
        line: i + 1,
      });
    }
    const g = name === undefined ? m.slice(1) : [name, ...m.slice(1)];
    out.push({
      name: g[0] as string,
      start: Number(g[1]),
      length: Number(g[2]),
      target: g[3] as string,
      params: (g[4] ?? '').trimEnd(),
      line: i + 1,
    });
  }
  return out;
}
