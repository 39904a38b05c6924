/**
 * dmsetup (lvm2 2.03) output: `table`/`status` lines (`NAME: ` prefix when listing all),
 * `ls`, `info` (block form) and `info -c` (columns as in the fixture), `No devices found`.
 */
import { statusParams, tableParams, targetLine } from './dm-table';
import type { DmDev, SimPathDev } from './state';

export const NO_DEVICES = 'No devices found\n';

export function tableLines(devs: readonly DmDev[], prefix: boolean): string {
  if (devs.length === 0) return prefix ? NO_DEVICES : '';
  return devs.map((d) => `${prefix ? `${d.name}: ` : ''}${targetLine(d, tableParams(d))}\n`).join('');
}

export function statusLines(
  devs: readonly DmDev[],
  prefix: boolean,
  inflight: (p: SimPathDev) => number,
): string {
  if (devs.length === 0) return prefix ? NO_DEVICES : '';
  return devs
    .map((d) => `${prefix ? `${d.name}: ` : ''}${targetLine(d, statusParams(d, inflight))}\n`)
    .join('');
}

export function lsLines(devs: readonly DmDev[]): string {
  if (devs.length === 0) return NO_DEVICES;
  return devs.map((d) => `${d.name}\t(${d.devT})\n`).join('');
}

function attr(d: DmDev): string {
  return `L${d.inactive ? 'I' : '-'}${d.suspended ? 's' : '-'}w`;
}

/** `dmsetup info` block form, one block per device separated by blank lines. */
export function infoBlocks(devs: readonly DmDev[], openCount: (d: DmDev) => number): string {
  if (devs.length === 0) return NO_DEVICES;
  return devs
    .map((d) =>
      [
        `Name:              ${d.name}`,
        `State:             ${d.suspended ? 'SUSPENDED' : 'ACTIVE'}`,
        `Read Ahead:        256`,
        `Tables present:    ${d.inactive ? 'LIVE & INACTIVE' : 'LIVE'}`,
        `Open count:        ${openCount(d)}`,
        `Event number:      ${d.eventNr}`,
        `Major, minor:      253, ${d.minor}`,
        `Number of targets: 1`,
        `UUID: ${d.uuid}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** `dmsetup info -c`: fixed minimum widths, right-aligned numbers, trailing padding. */
export function infoColumns(devs: readonly DmDev[], openCount: (d: DmDev) => number): string {
  if (devs.length === 0) return NO_DEVICES;
  const nameW = Math.max(16, ...devs.map((d) => d.name.length));
  const uuidW = Math.max(32, ...devs.map((d) => d.uuid.length));
  const minW = Math.max(3, ...devs.map((d) => String(d.minor).length));
  const head = `${'Name'.padEnd(nameW)} Maj ${'Min'.padStart(minW)} Stat Open Targ Event  ${'UUID'.padEnd(uuidW)}\n`;
  return (
    head +
    devs
      .map(
        (d) =>
          `${d.name.padEnd(nameW)} 253 ${String(d.minor).padStart(minW)} ${attr(d)} ${String(openCount(d)).padStart(4)}` +
          `    1 ${String(d.eventNr).padStart(6)} ${d.uuid.padEnd(uuidW)}\n`,
      )
      .join('')
  );
}
