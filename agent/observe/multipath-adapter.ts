/**
 * The command side of observe: runs the four commands of docs/host-interface.md through the
 * CommandRunner and hands their parsed output to multipath/'s assembler. Every failure becomes a
 * diagnostic; the snapshot then has fewer (or no) maps, never an exception.
 */
import { CommandFailedError, NoDeviceMapperError, asVmpathError } from '../model/errors';
import type { CommandResult, CommandRunner } from '../model/seams';
import type { DiagnosticSink } from './diagnostics';
import { parseDmsetupLines, type DmTargetLine } from './multipath/dmsetup-lines';
import { parseMultipathToolsVersion } from './multipath/multipath-version';
import { checkMultipathdReply } from './multipath/multipathd-reply';
import { parseMultipathdJson, type MpdTopology } from './multipath/multipathd-json';

export const COMMAND_TIMEOUT_MS = 10_000;

export const MULTIPATH_COMMANDS = {
  maps: ['multipathd', 'show', 'maps', 'json'],
  table: ['dmsetup', 'table', '--target', 'multipath'],
  status: ['dmsetup', 'status', '--target', 'multipath'],
  version: ['multipath', '-h'],
} as const;

export interface MultipathInputs {
  readonly tableLines: readonly DmTargetLine[];
  readonly statusLines: readonly DmTargetLine[];
  readonly multipathd?: MpdTopology;
  readonly version?: string;
}

function dmsetupOutput(argv: readonly string[], r: CommandResult): string {
  if (r.exitCode === 0) return r.stdout;
  const details = { argv: [...argv], exitCode: r.exitCode, stderr: r.stderr.slice(0, 2000) };
  if (/\/dev\/mapper\/control|No such device|device-mapper/i.test(r.stderr)) {
    throw new NoDeviceMapperError(`${argv.join(' ')}: ${r.stderr.trim().split('\n')[0] ?? ''}`, details);
  }
  throw new CommandFailedError(
    `${argv.join(' ')}: exit ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`,
    details,
  );
}

export async function readMultipathInputs(
  runner: CommandRunner,
  diag: DiagnosticSink,
): Promise<MultipathInputs> {
  const run = (argv: readonly string[]) => runner.run(argv, { timeoutMs: COMMAND_TIMEOUT_MS });
  const attempt = async <T>(subject: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      diag.error(subject, asVmpathError(err), 'warn');
      return undefined;
    }
  };
  const [tableLines, statusLines, multipathd, version] = await Promise.all([
    attempt('host', async () => {
      const argv = MULTIPATH_COMMANDS.table;
      return parseDmsetupLines(dmsetupOutput(argv, await run(argv)), argv.join(' '));
    }),
    attempt('host', async () => {
      const argv = MULTIPATH_COMMANDS.status;
      return parseDmsetupLines(dmsetupOutput(argv, await run(argv)), argv.join(' '));
    }),
    attempt('multipathd', async () => {
      const argv = MULTIPATH_COMMANDS.maps;
      return parseMultipathdJson(checkMultipathdReply(argv, await run(argv)), argv.join(' '));
    }),
    attempt('host', async () => {
      const r = await run(MULTIPATH_COMMANDS.version);
      return parseMultipathToolsVersion(`${r.stdout}\n${r.stderr}`).version;
    }),
  ]);
  return {
    tableLines: tableLines ?? [],
    statusLines: statusLines ?? [],
    ...(multipathd ? { multipathd } : {}),
    ...(version ? { version } : {}),
  };
}

/**
 * Live tables of other dm devices (`dmsetup table`, all targets) by dm name, for chain links
 * (LVs, kpartx maps): decide/ needs them to move an LV. Optional: undefined when it fails.
 */
export async function readAllDmTables(
  runner: CommandRunner,
  diag: DiagnosticSink,
): Promise<Map<string, string> | undefined> {
  const argv = ['dmsetup', 'table'];
  try {
    const lines = parseDmsetupLines(
      dmsetupOutput(argv, await runner.run(argv, { timeoutMs: COMMAND_TIMEOUT_MS })),
      'dmsetup table',
    );
    const out = new Map<string, string[]>();
    for (const l of lines) {
      const text = `${l.start} ${l.length} ${l.target}${l.params ? ` ${l.params}` : ''}`;
      out.set(l.name, [...(out.get(l.name) ?? []), text]);
    }
    return new Map([...out].map(([k, v]) => [k, v.join('\n')]));
  } catch (err) {
    diag.error('host', asVmpathError(err), 'info');
    return undefined;
  }
}
