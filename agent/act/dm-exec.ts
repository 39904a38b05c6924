/**
 * Running multipathd and dmsetup for act/, and classifying their replies into typed errors.
 *
 * multipathd's CLI prints `ok` / `fail`, `timeout` when busy, its help text for a command it does
 * not know, and nothing with exit 1 when the daemon is unreachable (test/fixtures/
 * multipath-tools-0.9.4). dmsetup exits non-zero with a message on stderr.
 */
import type { CommandResult, CommandRunner } from '../model/seams';
import { CommandFailedError, NoDeviceMapperError } from '../model/errors';
import { expectMultipathdOk } from '../observe/multipath/multipathd-reply';

/** Timeouts: suspend/resume wait for in-flight I/O; everything else should be instant. */
export const DM_TIMEOUT_MS = 15_000;
export const SUSPEND_TIMEOUT_MS = 30_000;

/**
 * multipathd's reply classifier is observe/'s (one twin fewer): `ok` or a typed error —
 * MultipathdFail / Timeout / Permission / BadCommand (help text) / Unreachable.
 */
export { expectMultipathdOk as checkMultipathdReply } from '../observe/multipath/multipathd-reply';

export async function multipathd(runner: CommandRunner, args: readonly string[]): Promise<void> {
  const argv = ['multipathd', ...args];
  expectMultipathdOk(argv, await runner.run(argv, { timeoutMs: DM_TIMEOUT_MS }));
}

/** `dmsetup ...`; resolves with stdout, throws typed errors on a non-zero exit. */
export async function dmsetup(
  runner: CommandRunner,
  args: readonly string[],
  timeoutMs = DM_TIMEOUT_MS,
): Promise<string> {
  const argv = ['dmsetup', ...args];
  const r = await runner.run(argv, { timeoutMs });
  if (r.exitCode === 0) return r.stdout;
  throw dmsetupError(argv, r);
}

export function dmsetupError(argv: readonly string[], r: CommandResult): Error {
  const details = { argv, exitCode: r.exitCode, stderr: r.stderr.trim().slice(0, 400) };
  if (/\/dev\/mapper\/control.*(No such device|No such file)/.test(r.stderr)) {
    return new NoDeviceMapperError(`${argv.join(' ')}: no device-mapper in this kernel`, details);
  }
  return new CommandFailedError(`${argv.join(' ')}: exit ${r.exitCode}: ${details.stderr}`, details);
}

/** The live table of one dm device, or `undefined` when the device does not exist. */
export async function dmTable(runner: CommandRunner, name: string): Promise<string | undefined> {
  const argv = ['dmsetup', 'table', name];
  const r = await runner.run(argv, { timeoutMs: DM_TIMEOUT_MS });
  if (r.exitCode !== 0) {
    if (/No such device or address|does not exist|not found/i.test(r.stderr)) return undefined;
    throw dmsetupError(argv, r);
  }
  return normalizeTable(r.stdout);
}

/** Tables compare by words: dmsetup pads with a trailing space; one target line per table here. */
export function normalizeTable(table: string): string {
  return table.trim().split(/\s+/).join(' ');
}
