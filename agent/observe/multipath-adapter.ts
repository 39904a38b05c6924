/**
 * The command side of observe: multipath/'s readers run the commands of docs/host-interface.md;
 * this turns their failures into diagnostics, so the snapshot then has fewer (or no) maps, never
 * an exception. Also reads `dmsetup table` (all targets) for the tables of stacked dm devices.
 */
import { asVmpathError } from '../model/errors';
import type { CommandRunner } from '../model/seams';
import type { DiagnosticSink } from './diagnostics';
import { parseDmsetupLines, type DmTargetLine } from './multipath/dmsetup-lines';
import type { MpdTopology } from './multipath/multipathd-json';
import { readMultipathOutputs, readMultipathToolsVersion, runDmsetup } from './multipath/read-multipath';

export const DMSETUP_TABLE_ALL = ['dmsetup', 'table'] as const;

export interface MultipathInputs {
  readonly tableLines: readonly DmTargetLine[];
  readonly statusLines: readonly DmTargetLine[];
  readonly multipathd?: MpdTopology;
  readonly version?: string;
}

export async function readMultipathInputs(
  runner: CommandRunner,
  diag: DiagnosticSink,
): Promise<MultipathInputs> {
  const [outputs, version] = await Promise.all([
    readMultipathOutputs(runner).catch((err: unknown) => {
      diag.error('host', asVmpathError(err), 'warn');
      return undefined;
    }),
    readMultipathToolsVersion(runner).then(
      (v) => v.version,
      (err: unknown) => {
        diag.error('host', asVmpathError(err), 'info');
        return undefined;
      },
    ),
  ]);
  for (const d of outputs?.diagnostics ?? []) diag.add(d.level, d.subject, d.message, d.code);
  return {
    tableLines: outputs?.tableLines ?? [],
    statusLines: outputs?.statusLines ?? [],
    ...(outputs?.multipathd ? { multipathd: outputs.multipathd } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

/**
 * Live tables of all dm devices (`dmsetup table`) by dm name, segments joined by `\n`, for chain
 * links (LVs, kpartx maps): decide/ needs them to move an LV. Optional: undefined (with an info
 * diagnostic) when the command is unavailable.
 */
export async function readAllDmTables(
  runner: CommandRunner,
  diag: DiagnosticSink,
): Promise<Map<string, string> | undefined> {
  try {
    const lines = parseDmsetupLines(await runDmsetup(runner, DMSETUP_TABLE_ALL), DMSETUP_TABLE_ALL.join(' '));
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
