/**
 * Classifies what the `multipathd <command>` client printed into a result or a typed error.
 *
 * How the client and daemon answer (multipath-tools uxclnt.c / uxlsnr.c, 0.9.4 and later):
 * - success: the command's output (`show ...`) or `ok`; exit 0;
 * - `fail`: exit 1. Since 0.9.5 the reason follows instead of `fail`: `permission deny: need
 *   to be root`, `timeout`, `map or partition in use`, `device not found`, or the help text;
 * - 0.9.4 answers permission/timeout/help without `fail`, with exit 0;
 * - unknown command or missing argument: `<cmd>: not found` / `<cmd>: Missing argument` (the
 *   command may carry a line break: `frobnicate \n: not found`), then `multipath-tools vX.Y.Z
 *   (...)` and `CLI commands reference:` (exit 0 on 0.9.4);
 * - client-side: `timeout receiving packet`, `error N receiving packet`, `cannot send packet`,
 *   `ERROR: failed to connect to multipathd` (stderr); 0.9.4 prints nothing when it cannot
 *   connect, and exits 1 (also on hosts without device-mapper).
 */
import type { CommandResult } from '../../model/seams';
import type { VmpathError } from '../../model/errors';
import {
  MultipathdBadCommandError,
  MultipathdFailError,
  MultipathdPermissionError,
  MultipathdTimeoutError,
  MultipathdUnreachableError,
} from '../../model/errors';

type ErrorCtor = new (message: string, details?: Record<string, unknown>) => VmpathError;

/**
 * The help text multipathd sends for an unknown command or a missing argument: the version
 * banner followed by `CLI commands reference:`. What precedes it varies: 0.9.4 was seen in the
 * lab answering `multipathd frobnicate` with `frobnicate \n: not found\n` first, exit 0.
 */
const HELP = /^multipath-tools v[^\n]*\nCLI commands reference:/m;
/** A literal HELP needs: a cheap test before the regex over a large reply. */
const HELP_MARK = '\nCLI commands reference:';
/**
 * How much of stdout the checks read. The help banner comes first or after one short
 * `<cmd>: not found` line, and every error reply is one line: all well inside this.
 */
const HEAD_CHARS = 8192;

/**
 * First match wins. Tested against the first line of stdout plus all of stderr, so a `show`
 * command's data can never be mistaken for an error.
 */
const RULES: ReadonlyArray<readonly [RegExp, ErrorCtor, string]> = [
  [/^timeout receiving packet$/m, MultipathdTimeoutError, 'no reply within the client timeout'],
  [/^timeout$/m, MultipathdTimeoutError, 'multipathd timed out'],
  [/^permission deny/m, MultipathdPermissionError, 'permission denied'],
  [/^ERROR: failed to connect to multipathd/m, MultipathdUnreachableError, 'cannot connect'],
  [/^cannot send packet$/m, MultipathdUnreachableError, 'cannot send the command'],
  [/^error -?\d+ receiving packet$/m, MultipathdUnreachableError, 'error receiving the reply'],
  [/^map or partition in use$/m, MultipathdFailError, 'map or partition in use'],
  [/^device not found$/m, MultipathdFailError, 'device not found'],
  [/^fail$/m, MultipathdFailError, 'multipathd answered fail'],
];

function describe(argv: readonly string[], r: CommandResult): Record<string, unknown> {
  return {
    argv: [...argv],
    exitCode: r.exitCode,
    stdout: r.stdout.slice(0, 2000),
    stderr: r.stderr.slice(0, 2000),
  };
}

/**
 * Returns multipathd's stdout when the command succeeded; otherwise throws
 * MultipathdTimeoutError, MultipathdPermissionError, MultipathdBadCommandError,
 * MultipathdUnreachableError or MultipathdFailError.
 */
export function checkMultipathdReply(argv: readonly string[], result: CommandResult): string {
  // Only the head of stdout and stderr are looked at: a `show` reply can be megabytes, and its
  // data must never be mistaken for an error (no copy, split or scan of the whole reply).
  const head = result.stdout.slice(0, HEAD_CHARS).replace(/\r/g, '').replace(/^\n+/, '');
  const eol = head.indexOf('\n');
  const text = `${eol < 0 ? head : head.slice(0, eol)}\n${result.stderr.replace(/\r/g, '')}`;
  const cmd = argv.join(' ');
  if (head.includes(HELP_MARK) && HELP.test(head)) {
    throw new MultipathdBadCommandError(
      `${cmd}: multipathd does not know this command or misses an argument (it sent its help text)`,
      describe(argv, result),
    );
  }
  for (const [pattern, ErrorClass, what] of RULES) {
    if (pattern.test(text)) {
      const reason = text.trim().split('\n')[0] ?? '';
      throw new ErrorClass(`${cmd}: ${what} (${JSON.stringify(reason)})`, describe(argv, result));
    }
  }
  if (result.exitCode !== 0) {
    if (text.trim() === '') {
      throw new MultipathdUnreachableError(
        `${cmd}: exit ${result.exitCode} with no output (multipathd not running?)`,
        describe(argv, result),
      );
    }
    throw new MultipathdFailError(
      `${cmd}: exit ${result.exitCode}: ${text.trim().split('\n')[0]}`,
      describe(argv, result),
    );
  }
  return result.stdout;
}

/** For action commands (`switchgroup`, `fail path`, `reconfigure`, ...): succeeds only on `ok`. */
export function expectMultipathdOk(argv: readonly string[], result: CommandResult): void {
  const out = checkMultipathdReply(argv, result);
  if (out.trim() !== 'ok') {
    throw new MultipathdFailError(
      `${argv.join(' ')}: expected "ok", got ${JSON.stringify(out.trim().slice(0, 200))}`,
      describe(argv, result),
    );
  }
}
