/**
 * dm-multipath and dm-linear tables as the kernel prints them (`dmsetup table` / `status`
 * params, with the kernel's trailing spaces) and parsed from what `dmsetup create/load --table`
 * is given. Layouts follow drivers/md/dm-mpath.c and the 6.1 fixtures.
 */
import type { DmDev, DmGroup, DmTable, MultipathTable, SimLun, SimPathDev } from './state';

/** Number of per-path table args and status (info) args of each selector. */
const SELECTORS: Record<string, { pathArgs: readonly string[]; infoArgs: number }> = {
  'service-time': { pathArgs: ['1', '1'], infoArgs: 2 },
  'round-robin': { pathArgs: ['1'], infoArgs: 0 },
  'queue-length': { pathArgs: ['1'], infoArgs: 1 },
  'historical-service-time': { pathArgs: ['1'], infoArgs: 1 },
};

/** A path's priority as multipathd reports it (`pri`): its prioritizer's value, ALUA by default. */
export function mpdPrio(p: SimPathDev): number {
  return p.mpdPriority ?? p.priority;
}

/** Group priority as multipathd computes it: the mean priority of its usable paths. */
export function groupPriority(group: DmGroup, usable: (p: SimPathDev) => boolean): number {
  const ok = group.paths.filter((p) => !p.failed && usable(p.dev));
  return ok.length === 0 ? 0 : Math.floor(ok.reduce((s, p) => s + mpdPrio(p.dev), 0) / ok.length);
}

/**
 * The table multipathd loads for a LUN: groups per its grouping policy (`grouping`: a multipaths
 * entry's, else the LUN's), best priority first (mpdPrio: a weightedpath entry's priorities count).
 */
export function makeMultipathTable(
  lun: SimLun,
  features?: string[],
  selector?: string,
  grouping: SimLun['grouping'] = lun.grouping,
): MultipathTable {
  const live = lun.paths.filter((p) => !p.deleted);
  let sets: SimPathDev[][];
  if (grouping === 'multibus') sets = [live];
  else if (grouping === 'failover') sets = live.map((p) => [p]);
  else {
    const prios = [...new Set(live.map(mpdPrio))];
    sets = prios.map((pr) => live.filter((p) => mpdPrio(p) === pr));
  }
  const mean = (s: SimPathDev[]): number => s.reduce((a, p) => a + mpdPrio(p), 0) / Math.max(1, s.length);
  sets = sets.filter((s) => s.length > 0).sort((a, b) => mean(b) - mean(a));
  // `service-time 0`: selector name, then its argument count and arguments.
  // `selector`: a path_selector from a multipaths entry (vmpath.conf), else the LUN's own.
  const [name, , ...selArgs] = (selector ?? lun.selector).split(' ') as [string, string, ...string[]];
  const pathArgs = SELECTORS[name]?.pathArgs ?? ['1'];
  return {
    kind: 'multipath',
    lengthSectors: lun.sizeSectors,
    features: features ?? (lun.noPathRetry === 'queue' ? ['queue_if_no_path'] : []),
    hwHandler: ['alua'],
    groups: sets.map((s) => ({
      selector: name,
      selectorArgs: selArgs,
      bypassed: false,
      paths: s.map((dev) => ({ dev, failed: false, failCount: 0, args: pathArgs })),
    })),
    initialPg: sets.length > 0 ? 1 : 0,
  };
}

/** The "next pg" number the kernel prints in both table and status. */
export function shownPg(dm: DmDev, t: MultipathTable): number {
  if (dm.nextPg) return dm.nextPg;
  if (dm.currentPg) return dm.currentPg;
  return t.groups.length > 0 ? 1 : 0;
}

function counted(list: readonly string[]): string {
  return [String(list.length), ...list].join(' ') + ' ';
}

/** Table params (after `start length type `), kernel layout. */
export function tableParams(dm: DmDev, t: DmTable = dm.live): string {
  if (t.kind === 'linear') return `${t.targetDevT} ${t.offset}`;
  let s = counted(t.features) + counted(t.hwHandler) + `${t.groups.length} ${shownPg(dm, t)} `;
  for (const g of t.groups) {
    s += `${g.selector} ${counted(g.selectorArgs)}${g.paths.length} ${g.paths[0]?.args.length ?? 0} `;
    for (const p of g.paths) s += `${p.dev.devT} ${p.args.join(' ')} `;
  }
  return s;
}

/** Status params, kernel layout (multipath: INFO; linear: empty). */
export function statusParams(dm: DmDev, inflight: (p: SimPathDev) => number): string {
  const t = dm.live;
  if (t.kind === 'linear') return '';
  let s = `2 ${dm.queueIo ? 1 : 0} ${dm.pgInitCount} 0 ${t.groups.length} ${shownPg(dm, t)} `;
  t.groups.forEach((g, i) => {
    const st = g.bypassed ? 'D' : dm.currentPg === i + 1 ? 'A' : 'E';
    const info = SELECTORS[g.selector]?.infoArgs ?? 0;
    s += `${st} 0 ${g.paths.length} ${info} `;
    for (const p of g.paths) {
      s += `${p.dev.devT} ${p.failed ? 'F' : 'A'} ${p.failCount} `;
      if (info === 2) s += `${inflight(p.dev)} 1 `;
      else if (info === 1) s += `${inflight(p.dev)} `;
    }
  });
  return s;
}

/** One `dmsetup table|status` line body: `start length type params`. */
export function targetLine(dm: DmDev, params: string, t: DmTable = dm.live): string {
  return `0 ${t.lengthSectors} ${t.kind} ${params}`;
}

export class TableSyntaxError extends Error {}

/**
 * Parse a one-target table given to dmsetup. `resolvePath` maps `MAJ:MIN` or `/dev/sdX` to a
 * path device (multipath) and `knownDevT` checks a linear target exists.
 */
export function parseTable(
  text: string,
  resolvePath: (token: string) => SimPathDev | undefined,
  knownDevT: (token: string) => boolean,
): DmTable {
  const tok = text.trim().split(/\s+/);
  let i = 0;
  const next = (): string => {
    const v = tok[i++];
    if (v === undefined) throw new TableSyntaxError('table too short');
    return v;
  };
  const num = (): number => {
    const v = next();
    if (!/^\d+$/.test(v)) throw new TableSyntaxError(`not a number: ${v}`);
    return Number(v);
  };
  const start = num();
  const length = num();
  const type = next();
  if (start !== 0 || length === 0) throw new TableSyntaxError('target must start at 0 and be non-empty');
  if (type === 'linear') {
    const targetDevT = next();
    const offset = num();
    if (!knownDevT(targetDevT)) throw new TableSyntaxError(`no device ${targetDevT}`);
    if (i !== tok.length) throw new TableSyntaxError('trailing tokens');
    return { kind: 'linear', lengthSectors: length, targetDevT, offset };
  }
  if (type !== 'multipath') throw new TableSyntaxError(`unknown target type ${type}`);
  const features = Array.from({ length: num() }, next);
  const hwHandler = Array.from({ length: num() }, next);
  const nrPg = num();
  const initialPg = num();
  if (initialPg > nrPg) throw new TableSyntaxError('initial group out of range');
  const groups: DmGroup[] = [];
  for (let g = 0; g < nrPg; g++) {
    const selector = next();
    if (!SELECTORS[selector]) throw new TableSyntaxError(`unknown path selector ${selector}`);
    const selectorArgs = Array.from({ length: num() }, next);
    const nrPaths = num();
    const nrArgs = num();
    const paths = [];
    for (let p = 0; p < nrPaths; p++) {
      const name = next();
      const dev = resolvePath(name);
      if (!dev) throw new TableSyntaxError(`no path device ${name}`);
      paths.push({ dev, failed: false, failCount: 0, args: Array.from({ length: nrArgs }, next) });
    }
    groups.push({ selector, selectorArgs, paths, bypassed: false });
  }
  if (i !== tok.length) throw new TableSyntaxError('trailing tokens');
  return { kind: 'multipath', lengthSectors: length, features, hwHandler, groups, initialPg };
}
