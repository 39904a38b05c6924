/**
 * Runs the commands of the host-interface contract (docs/host-interface.md) that describe
 * dm-multipath, and parses what they print. Reads only; no sysfs (see assemble-maps.ts for how
 * the results meet sysfs facts).
 *
 * - `dmsetup table --target multipath`, then `dmsetup status --target multipath`: required. A
 *   host without device-mapper throws NoDeviceMapperError; other failures CommandFailedError.
 * - `multipathd show maps json`: optional. If multipathd does not answer, the maps are still
 *   read from the kernel and the failure becomes a Diagnostic (with its VMPATH_E_* code).
 * - `multipath -h`: the multipath-tools version (its banner goes to stderr, exit 0).
 */
import type { Diagnostic } from '../../model/snapshot';
import type { CommandResult, CommandRunner } from '../../model/seams';
import type { VmpathError } from '../../model/errors';
import { CommandFailedError, NoDeviceMapperError, asVmpathError } from '../../model/errors';
import { parseDmsetupLines, type DmTargetLine } from './dmsetup-lines';
import { parseMultipathdJson, type MpdTopology } from './multipathd-json';
import { checkMultipathdReply } from './multipathd-reply';
import { parseMultipathToolsVersion, type MultipathToolsVersion } from './multipath-version';

export const DMSETUP_TABLE = ['dmsetup', 'table', '--target', 'multipath'] as const;
export const DMSETUP_STATUS = ['dmsetup', 'status', '--target', 'multipath'] as const;
export const MULTIPATHD_SHOW_MAPS_JSON = ['multipathd', 'show', 'maps', 'json'] as const;
export const MULTIPATH_VERSION = ['multipath', '-h'] as const;

const DEFAULT_TIMEOUT_MS = 10_000;
/** libdevmapper's words when the kernel has no device-mapper (seen on the CI machine). */
const NO_DM = /\/dev\/mapper\/control: open failed|Failure to communicate with kernel device-mapper driver/;

export interface MultipathReadout {
  readonly tableLines: readonly DmTargetLine[];
  readonly statusLines: readonly DmTargetLine[];
  /** Undefined when multipathd did not answer; `diagnostics` says why. */
  readonly multipathd?: MpdTopology;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ReadOptions {
  readonly timeoutMs?: number;
}

/** Runs a dmsetup command; returns its stdout or throws a typed error. */
export async function runDmsetup(
  runner: CommandRunner,
  argv: readonly string[],
  options: ReadOptions = {},
): Promise<string> {
  const r = await runner.run(argv, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  if (r.exitCode === 0) return r.stdout;
  const details = { argv: [...argv], exitCode: r.exitCode, stderr: r.stderr.slice(0, 2000) };
  if (NO_DM.test(r.stderr)) {
    throw new NoDeviceMapperError(`${argv.join(' ')}: the kernel has no device-mapper`, details);
  }
  throw new CommandFailedError(`${argv.join(' ')}: exit ${r.exitCode}: ${firstLine(r)}`, details);
}

export async function readMultipathOutputs(
  runner: CommandRunner,
  options: ReadOptions = {},
): Promise<MultipathReadout> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const table = await runDmsetup(runner, DMSETUP_TABLE, options);
  const status = await runDmsetup(runner, DMSETUP_STATUS, options);
  const tableLines = parseDmsetupLines(table, DMSETUP_TABLE.join(' '));
  const statusLines = parseDmsetupLines(status, DMSETUP_STATUS.join(' '));
  const diagnostics: Diagnostic[] = [];
  let multipathd: MpdTopology | undefined;
  try {
    const reply = await runner.run(MULTIPATHD_SHOW_MAPS_JSON, { timeoutMs });
    multipathd = parseMultipathdJson(checkMultipathdReply(MULTIPATHD_SHOW_MAPS_JSON, reply));
  } catch (err) {
    const e: VmpathError = asVmpathError(err);
    diagnostics.push({
      level: 'warn',
      code: e.code,
      subject: 'multipathd',
      message: `${e.message}; maps are read from the kernel only (no checker states, priorities, failback)`,
    });
  }
  return { tableLines, statusLines, ...(multipathd ? { multipathd } : {}), diagnostics };
}

/** The installed multipath-tools version, from `multipath -h`. */
export async function readMultipathToolsVersion(
  runner: CommandRunner,
  options: ReadOptions = {},
): Promise<MultipathToolsVersion> {
  const r = await runner.run(MULTIPATH_VERSION, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  return parseMultipathToolsVersion(`${r.stderr}\n${r.stdout}`, MULTIPATH_VERSION.join(' '));
}

function firstLine(r: CommandResult): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
}
