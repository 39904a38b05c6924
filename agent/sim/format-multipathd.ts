/**
 * multipathd 0.9.4 / multipath -ll output, byte for byte in layout: the JSON of `show maps json`
 * and `show map X json` (3-space indent, `"key" : value`), the padded text tables of `show
 * paths` / `show maps` (every column padded, the last too), and the topology tree.
 */
import { groupPriority, mpdPrio } from './dm-table';
import { mpTable } from './dm-kernel';
import { formatSize, lunHex } from './naming';
import type { DmDev, DmGroup, DmPath, SimPathDev } from './state';

const q = (s: string | number): string => (typeof s === 'number' ? String(s) : JSON.stringify(s));

export function devState(p: SimPathDev): 'running' | 'offline' {
  return !p.deleted && !p.offline && p.link.up ? 'running' : 'offline';
}

function groupState(dm: DmDev, g: DmGroup, i: number): 'active' | 'enabled' | 'disabled' {
  if (g.bypassed) return 'disabled';
  return dm.currentPg === i + 1 ? 'active' : 'enabled';
}

/** A 64-bit FC name as sysfs prints it: `0x` and 16 hex digits. */
const wwn = (prefix: string, n: number): string =>
  '0x' + prefix + n.toString(16).padStart(16 - prefix.length, '0');
export const fcHostWwnn = (hostNo: number): string => wwn('20000024ff', hostNo);
export const fcHostWwpn = (hostNo: number): string => wwn('21000024ff', hostNo);
/**
 * The fabric's name as the switch reports it (`fc_host/hostN/fabric_name`): one per fabric label,
 * e.g. label `A` → `0x100000051e000041`. Pins by fabric name this (case-insensitive).
 */
export const fcFabricName = (label: string): string =>
  wwn(
    '100000051e',
    [...label].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 0xffffff, 0),
  );
export const fcTargetWwpn = (l: { hostNo: number; targetNo: number }): string =>
  wwn('50060e8010', l.targetNo * 256 + l.hostNo);

const ready = (d: SimPathDev): boolean => d.checker === 'ready';

type TransportIds = readonly [string, string, string, string, string];

function computeTransportIds(p: SimPathDev): TransportIds {
  const l = p.link;
  if (l.transport === 'fc')
    return [
      fcHostWwnn(l.hostNo),
      wwn('50060e80', l.targetNo * 256 + l.hostNo),
      fcHostWwpn(l.hostNo),
      fcTargetWwpn(l),
      `0000:${(0x3b + l.hostNo).toString(16).padStart(2, '0')}:00.0`,
    ];
  if (l.transport === 'iscsi')
    return [
      '[undef]',
      `iqn.2004-01.com.simarray:target${l.targetNo}`,
      '[undef]',
      '[undef]',
      `10.0.${l.hostNo}.1`,
    ];
  return ['[undef]', '[undef]', '[undef]', '[undef]', '[undef]'];
}

/** Per link (host, target and transport never change): a large host has thousands of paths on few links. */
const linkIds = new WeakMap<SimPathDev['link'], TransportIds>();

function transportIds(p: SimPathDev): TransportIds {
  let ids = linkIds.get(p.link);
  if (!ids) linkIds.set(p.link, (ids = computeTransportIds(p)));
  return ids;
}

/** One path's members, pushed onto `out`: the simulated host prints thousands per `show maps json`. */
function pathJson(p: DmPath, ind: string, out: string[]): void {
  const d = p.dev;
  const [hwnn, twnn, hwpn, twpn, hadapter] = transportIds(d);
  out.push(
    `${ind}"dev" : ${q(d.dev)},\n${ind}"dev_t" : ${q(d.devT)},\n`,
    `${ind}"dm_st" : ${p.failed ? '"failed"' : '"active"'},\n${ind}"dev_st" : ${q(d.mpdDevState)},\n`,
    `${ind}"chk_st" : ${q(d.checker)},\n${ind}"checker" : "tur",\n${ind}"pri" : ${q(mpdPrio(d))},\n`,
    `${ind}"host_wwnn" : ${q(hwnn)},\n${ind}"target_wwnn" : ${q(twnn)},\n`,
    `${ind}"host_wwpn" : ${q(hwpn)},\n${ind}"target_wwpn" : ${q(twpn)},\n`,
    `${ind}"host_adapter" : ${q(hadapter)},\n${ind}"lun_hex" : ${q(lunHex(d.lunNo))},\n`,
    `${ind}"marginal_st" : "normal"\n`,
  );
}

function failbackText(dm: DmDev, nowMs: number): string {
  const fb = dm.mpd?.failback ?? 'manual';
  if (fb === 'immediate') return 'immediate';
  if (typeof fb === 'number' && dm.mpd?.failbackAtMs !== undefined) {
    const left = Math.max(0, Math.ceil((dm.mpd.failbackAtMs - nowMs) / 1000));
    return `${left}/${fb}`;
  }
  return '-';
}

export function mpdFeatures(dm: DmDev): string {
  return dm.mpd?.noPathRetry === 'queue' ? '1 queue_if_no_path' : '0';
}

/**
 * A map's members, pushed onto `out` as many short pieces: one join of them all gives a flat
 * string in one pass (nested `+=` strings would be flattened piece by piece).
 */
function mapJsonBody(dm: DmDev, nowMs: number, ind: string, out: string[]): void {
  const t = mpTable(dm);
  const mpd = dm.mpd;
  if (!t || !mpd) return;
  const lun = mpd.lun;
  const active = t.groups.reduce((n, g) => n + g.paths.filter((p) => !p.failed).length, 0);
  const fields: [string, string | number][] = [
    ['name', dm.name],
    ['uuid', lun.wwid],
    ['sysfs', `dm-${dm.minor}`],
    ['failback', failbackText(dm, nowMs)],
    ['queueing', mpd.noPathRetry === 'queue' ? 'on' : 'off'],
    ['paths', active],
    ['write_prot', 'rw'],
    ['dm_st', dm.suspended ? 'suspend' : 'active'],
    ['features', mpdFeatures(dm)],
    ['hwhandler', t.hwHandler.length ? `${t.hwHandler.length} ${t.hwHandler.join(' ')}` : '0'],
    ['action', mpd.action],
    ['path_faults', mpd.pathFaults],
    ['vend', lun.vendor],
    ['prod', lun.product],
    ['rev', lun.revision],
    ['switch_grp', mpd.switchGrp],
    ['map_loads', mpd.mapLoads],
    ['total_q_time', 0],
    ['q_timeouts', 0],
  ];
  for (const [k, v] of fields) out.push(ind, q(k), ' : ', q(v), ',\n');
  out.push(`${ind}"path_groups": [{\n`);
  const gi = ind + '   ';
  const pi = gi + '   ';
  t.groups.forEach((g, i) => {
    if (i > 0) out.push(`${ind}},{\n`);
    const sel = [g.selector, String(g.selectorArgs.length), ...g.selectorArgs].join(' ');
    out.push(
      `${gi}"selector" : ${q(sel)},\n`,
      `${gi}"pri" : ${groupPriority(g, ready)},\n`,
      `${gi}"dm_st" : ${q(groupState(dm, g, i))},\n`,
      `${gi}"marginal_st" : "normal",\n`,
      `${gi}"group" : ${i + 1},\n`,
      `${gi}"paths": [{\n`,
    );
    g.paths.forEach((p, k) => {
      if (k > 0) out.push(`${gi}},{\n`);
      pathJson(p, pi, out);
    });
    out.push(`${gi}}]\n`);
  });
  out.push(`${ind}}]\n`);
}

const HEAD = '{\n   "major_version": 0,\n   "minor_version": 1,\n';

/** `multipathd show maps json`. */
export function showMapsJson(maps: readonly DmDev[], nowMs: number): string {
  if (maps.length === 0) return `${HEAD}   "maps": []\n}\n`;
  // One join: a flat string, as a real pipe read gives.
  const parts = [`${HEAD}   "maps": [{\n`];
  maps.forEach((dm, i) => {
    if (i > 0) parts.push('   },{\n');
    mapJsonBody(dm, nowMs, '      ', parts);
  });
  parts.push('   }]\n}\n');
  return parts.join('');
}

/** `multipathd show map NAME json`. */
export function showMapJson(dm: DmDev, nowMs: number): string {
  const parts = [`${HEAD}   "map":{\n`];
  mapJsonBody(dm, nowMs, '      ', parts);
  parts.push('   }\n}\n');
  return parts.join('');
}

/** A text table as multipathd pads it: every column to its widest cell, the last one too. */
export function padTable(rows: readonly (readonly string[])[], trimLast = false): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => {
      const line = r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' ');
      return (trimLast ? line.trimEnd() : line) + '\n';
    })
    .join('');
}

function nextCheck(p: SimPathDev, nowMs: number): string {
  const tick = Math.min(p.checkIntS, Math.max(1, Math.ceil((p.nextCheckMs - nowMs) / 1000)));
  const x = Math.min(10, Math.floor((10 * tick) / p.checkIntS));
  return `${'X'.repeat(x)}${'.'.repeat(10 - x)} ${tick}/${p.checkIntS}`;
}

/** `multipathd show paths`. `dmPathOf` gives the path's entry in its multipathd map. */
export function showPaths(
  paths: readonly SimPathDev[],
  dmPathOf: (p: SimPathDev) => DmPath | undefined,
  nowMs: number,
): string {
  const rows = [['hcil', 'dev', 'dev_t', 'pri', 'dm_st', 'chk_st', 'dev_st', 'next_check']];
  for (const p of paths) {
    if (p.deleted) continue;
    const dp = dmPathOf(p);
    const dmSt = dp ? (dp.failed ? 'failed' : 'active') : 'undef';
    rows.push([
      p.hcil,
      p.dev,
      p.devT,
      String(mpdPrio(p)),
      dmSt,
      p.checker,
      p.mpdDevState,
      nextCheck(p, nowMs),
    ]);
  }
  return padTable(rows);
}

/** `multipathd show maps`. */
export function showMaps(maps: readonly DmDev[]): string {
  const rows = [['name', 'sysfs', 'uuid']];
  for (const dm of maps) rows.push([dm.name, `dm-${dm.minor}`, dm.mpd?.lun.wwid ?? dm.uuid]);
  return padTable(rows);
}

/**
 * The topology tree of `multipath -ll` (kernel features) and `show topology` (multipathd's
 * features, prefixed with the map's last action).
 */
export function topology(maps: readonly DmDev[], mode: 'll' | 'daemon'): string {
  let s = '';
  for (const dm of maps) {
    const t = mpTable(dm);
    const mpd = dm.mpd;
    if (!t || !mpd) continue;
    const lun = mpd.lun;
    const prefix = mode === 'daemon' && mpd.action ? `${mpd.action}: ` : '';
    const ident = dm.name === lun.wwid ? lun.wwid : `${dm.name} (${lun.wwid})`;
    s += `${prefix}${ident} dm-${dm.minor} ${lun.vendor},${lun.product}\n`;
    const features =
      mode === 'daemon' ? mpdFeatures(dm) : [String(t.features.length), ...t.features].join(' ');
    const hw = t.hwHandler.length ? `${t.hwHandler.length} ${t.hwHandler.join(' ')}` : '0';
    s += `size=${formatSize(t.lengthSectors)} features='${features}' hwhandler='${hw}' wp=rw\n`;
    const rows: string[][] = [];
    for (const g of t.groups)
      for (const p of g.paths)
        rows.push([
          p.dev.hcil,
          p.dev.dev,
          p.dev.devT,
          p.failed ? 'failed' : 'active',
          p.dev.checker,
          mode === 'daemon' ? p.dev.mpdDevState : devState(p.dev),
        ]);
    const lines = padTable(rows, true).split('\n');
    let r = 0;
    t.groups.forEach((g, i) => {
      const lastG = i === t.groups.length - 1;
      const sel = [g.selector, String(g.selectorArgs.length), ...g.selectorArgs].join(' ');
      s += `${lastG ? '`' : '|'}-+- policy='${sel}' prio=${groupPriority(g, ready)} status=${groupState(dm, g, i)}\n`;
      g.paths.forEach((_p, k) => {
        const lastP = k === g.paths.length - 1;
        s += `${lastG ? ' ' : '|'} ${lastP ? '`' : '|'}- ${lines[r++]}\n`;
      });
    });
  }
  return s;
}
