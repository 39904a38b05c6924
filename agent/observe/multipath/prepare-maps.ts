/**
 * The half of map assembly that needs no sysfs facts: each map's `dmsetup table` and `dmsetup
 * status` lines found, parsed and checked against each other, and multipathd's JSON indexed.
 * observe runs it as soon as the commands have answered, while the sysfs scan is still going,
 * so that less is left to do once sysfs is in (assemble-maps.ts `finishMultipathMaps`).
 */
import type { DevT } from '../../model/snapshot';
import { DmStateChangedError, ParseError } from '../../model/errors';
import { parseDmMultipathStatus, type DmMultipathStatus } from './dm-status';
import { parseDmMultipathTable, type DmMultipathTable } from './dm-table';
import type { DmTargetLine } from './dmsetup-lines';
import type { MpdMap, MpdPath, MpdTopology } from './multipathd-json';

export interface CommandSources {
  readonly tableLines: readonly DmTargetLine[];
  readonly statusLines: readonly DmTargetLine[];
  /** Undefined when multipathd did not answer: maps are then built from the kernel alone. */
  readonly multipathd?: MpdTopology;
}

export interface ParsedMap {
  readonly tableLine: DmTargetLine;
  readonly table: DmMultipathTable;
  readonly status: DmMultipathStatus;
}

export interface PreparedMaps {
  /** Every map with a table line, sorted by name: its parsed table and status, or why not. */
  readonly byName: ReadonlyArray<readonly [string, ParsedMap | { readonly error: unknown }]>;
  /** Maps with a status line but no table line (reloaded or removed between the two reads). */
  readonly statusOnly: readonly string[];
  /** multipathd's maps by name (empty when it did not answer). */
  readonly jsonMaps: ReadonlyMap<string, MpdMap>;
  /** Path facts from multipathd by MAJ:MIN, across all its maps (per-VM maps share path devices). */
  readonly jsonPaths: ReadonlyMap<DevT, MpdPath>;
}

export function prepareMultipathMaps(src: CommandSources): PreparedMaps {
  const tables = groupByName(src.tableLines);
  const statuses = groupByName(src.statusLines);
  const byName: Array<readonly [string, ParsedMap | { readonly error: unknown }]> = [];
  for (const [name, tableLines] of [...tables].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    try {
      byName.push([name, parseMap(name, tableLines, statuses.get(name) ?? [])]);
    } catch (error) {
      byName.push([name, { error }]);
    }
  }
  const maps = src.multipathd?.maps ?? [];
  return {
    byName,
    statusOnly: [...statuses.keys()].filter((name) => !tables.has(name)),
    jsonMaps: new Map(maps.map((m) => [m.name, m])),
    jsonPaths: indexJsonPaths(maps),
  };
}

function parseMap(
  name: string,
  tableLines: readonly DmTargetLine[],
  statusLines: readonly DmTargetLine[],
): ParsedMap {
  const tableLine = single(name, tableLines, 'dmsetup table');
  const statusLine = single(name, statusLines, 'dmsetup status');
  const table = parseDmMultipathTable(tableLine.params, `dmsetup table ${name}`);
  const status = parseDmMultipathStatus(statusLine.params, `dmsetup status ${name}`);
  checkSameLayout(name, tableLine, statusLine, table, status);
  return { tableLine, table, status };
}

function groupByName(lines: readonly DmTargetLine[]): Map<string, DmTargetLine[]> {
  const out = new Map<string, DmTargetLine[]>();
  for (const l of lines) {
    if (l.target !== 'multipath') continue;
    const list = out.get(l.name) ?? [];
    list.push(l);
    out.set(l.name, list);
  }
  return out;
}

function single(name: string, lines: readonly DmTargetLine[], what: string): DmTargetLine {
  if (lines.length === 0) {
    throw new DmStateChangedError(`map ${name}: no ${what} line (reloaded or removed meanwhile?)`, {
      map: name,
    });
  }
  const first = lines[0] as DmTargetLine;
  if (lines.length > 1 || first.start !== 0) {
    throw new ParseError(`map ${name}: ${what}: a multipath map with several segments is not supported`, {
      source: what,
      line: first.line,
    });
  }
  return first;
}

/** Table and status are two reads: if the map was reloaded in between they describe different maps. */
function checkSameLayout(
  name: string,
  tableLine: DmTargetLine,
  statusLine: DmTargetLine,
  table: DmMultipathTable,
  status: DmMultipathStatus,
): void {
  const layout = (groups: readonly { paths: readonly { devT: string }[] }[]): string =>
    groups.map((g) => g.paths.map((p) => p.devT).join(',')).join(' | ');
  const t = layout(table.groups);
  const s = layout(status.groups);
  if (t !== s || tableLine.length !== statusLine.length) {
    throw new DmStateChangedError(
      `map ${name}: dmsetup table and status disagree (table ${t}; status ${s})`,
      {
        map: name,
        table: t,
        status: s,
      },
    );
  }
}

function indexJsonPaths(maps: readonly MpdMap[]): Map<DevT, MpdPath> {
  const out = new Map<DevT, MpdPath>();
  for (const m of maps) for (const g of m.groups) for (const p of g.paths) if (p.devT) out.set(p.devT, p);
  return out;
}
