/**
 * Properties of assembleMultipathMaps over generated hosts: consistent table + status + JSON
 * give one map per table line with every field traced to its source, and a map that changed
 * between the reads is left out alone.
 */
import fc from 'fast-check';
import type { CheckerState } from '../../../../agent/model/snapshot';
import { assembleMultipathMaps, type DmDeviceFacts } from '../../../../agent/observe/multipath/assemble-maps';
import type { DmMultipathStatus } from '../../../../agent/observe/multipath/dm-status';
import type { DmMultipathTable } from '../../../../agent/observe/multipath/dm-table';
import { parseDmsetupLines } from '../../../../agent/observe/multipath/dmsetup-lines';
import { parseMultipathdJson } from '../../../../agent/observe/multipath/multipathd-json';
import { renderStatus, renderTable } from './render';

interface GenPath {
  active: boolean;
  failCount: number;
  checker: CheckerState;
  pri: number;
}
interface GenMap {
  groups: GenPath[][];
  current: number; // 0 = none active
  queue: boolean;
}

const genPath: fc.Arbitrary<GenPath> = fc.record({
  active: fc.boolean(),
  failCount: fc.nat({ max: 50 }),
  checker: fc.constantFrom<CheckerState>('ready', 'faulty', 'ghost', 'i/o pending', 'delayed'),
  pri: fc.integer({ min: -1, max: 50 }),
});
const genMap: fc.Arbitrary<GenMap> = fc.record({
  groups: fc.array(fc.array(genPath, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  current: fc.nat({ max: 3 }),
  queue: fc.boolean(),
});
const genHost = fc.array(genMap, { minLength: 1, maxLength: 5 });

interface Rendered {
  table: string;
  status: string;
  json: string;
  devices: Map<string, DmDeviceFacts>;
  /** per map, per group, the devTs */
  layout: string[][][];
}

function render(host: GenMap[]): Rendered {
  let minor = 0;
  const table: string[] = [];
  const status: string[] = [];
  const jsonMaps: unknown[] = [];
  const devices = new Map<string, DmDeviceFacts>();
  const layout: string[][][] = [];
  host.forEach((m, i) => {
    const name = `mpath${i}`;
    const devTs = m.groups.map((g) => g.map(() => `8:${minor++}`));
    layout.push(devTs);
    const current = m.current > m.groups.length ? 0 : m.current;
    const t: DmMultipathTable = {
      features: m.queue ? ['queue_if_no_path'] : [],
      queueIfNoPath: m.queue,
      queueMode: 'rq',
      retainAttachedHwHandler: false,
      hwHandler: 'alua',
      hwHandlerArgs: [],
      firstGroup: 1,
      groups: m.groups.map((g, gi) => ({
        index: gi + 1,
        selector: 'service-time',
        selectorArgs: [],
        paths: g.map((_, pi) => ({ devT: devTs[gi]?.[pi] as string, selectorArgs: ['1', '1'] })),
      })),
    };
    const s: DmMultipathStatus = {
      info: ['0', '1'],
      hwHandlerStatus: [],
      nextGroup: current || 1,
      groups: m.groups.map((g, gi) => ({
        index: gi + 1,
        flag: gi + 1 === current ? 'A' : 'E',
        selectorStatus: [],
        paths: g.map((p, pi) => ({
          devT: devTs[gi]?.[pi] as string,
          active: p.active,
          failCount: p.failCount,
          selectorStatus: ['0', '1'],
        })),
      })),
    };
    table.push(`${name}: 0 2048 multipath ${renderTable(t)} `);
    status.push(`${name}: 0 2048 multipath ${renderStatus(s)} `);
    devices.set(name, { name, dm: `dm-${i}`, devT: `253:${i}`, uuid: `mpath-wwid${i}`, holders: [] });
    jsonMaps.push({
      name,
      uuid: `wwid${i}`,
      sysfs: `dm-${i}`,
      failback: 'immediate',
      queueing: 'off',
      paths: 0,
      write_prot: 'rw',
      dm_st: 'active',
      features: '0',
      hwhandler: '1 alua',
      action: '',
      path_faults: 0,
      vend: 'V',
      prod: 'P',
      rev: '1',
      switch_grp: 0,
      map_loads: 1,
      total_q_time: 0,
      q_timeouts: 0,
      path_groups: m.groups.map((g, gi) => ({
        selector: 'service-time 0',
        pri: 7,
        dm_st: 'enabled',
        marginal_st: 'normal',
        group: gi + 1,
        paths: g.map((p, pi) => ({
          dev: `sd${i}x${gi}x${pi}`,
          dev_t: devTs[gi]?.[pi],
          dm_st: p.active ? 'active' : 'failed',
          dev_st: 'running',
          chk_st: p.checker,
          checker: 'tur',
          pri: p.pri,
          host_wwnn: '[undef]',
          target_wwnn: '[undef]',
          host_wwpn: '[undef]',
          target_wwpn: '[undef]',
          host_adapter: '[undef]',
          lun_hex: '0x0000000000000000',
          marginal_st: 'normal',
        })),
      })),
    });
  });
  const json = JSON.stringify({ major_version: 0, minor_version: 1, maps: jsonMaps }, null, 3).replace(
    /": /g,
    '" : ',
  );
  return { table: table.join('\n'), status: status.join('\n'), json, devices, layout };
}

describe('assembleMultipathMaps, properties', () => {
  it('consistent reads: every map, group and path comes through with its source values', () => {
    fc.assert(
      fc.property(genHost, (host) => {
        const r = render(host);
        const { maps, diagnostics } = assembleMultipathMaps({
          tableLines: parseDmsetupLines(r.table, 't'),
          statusLines: parseDmsetupLines(r.status, 's'),
          multipathd: parseMultipathdJson(r.json),
          devices: r.devices,
        });
        expect(diagnostics).toEqual([]);
        expect(maps.map((m) => m.name)).toEqual(host.map((_, i) => `mpath${i}`).sort());
        for (const m of maps) {
          const i = Number(m.name.slice(5));
          const g = host[i] as GenMap;
          const current = g.current > g.groups.length ? 0 : g.current;
          expect(m.wwid).toBe(`wwid${i}`);
          expect(m.queueIfNoPath).toBe(g.queue);
          expect(m.activeGroup).toBe(current || undefined);
          expect(m.groups.map((x) => x.paths.map((p) => p.devT))).toEqual(r.layout[i]);
          m.groups.forEach((x, gi) => {
            expect(x.priority).toBe(7);
            expect(x.state).toBe(gi + 1 === current ? 'active' : 'enabled');
            x.paths.forEach((p, pi) => {
              const want = g.groups[gi]?.[pi] as GenPath;
              expect(p.dev).toBe(`sd${i}x${gi}x${pi}`);
              expect(p.dmState).toBe(want.active ? 'active' : 'failed');
              expect(p.failCount).toBe(want.failCount);
              expect(p.checkerState).toBe(want.checker);
              expect(p.priority).toBe(want.pri >= 0 ? want.pri : undefined);
            });
          });
        }
      }),
    );
  });

  it('a map reloaded between the table and status reads is left out, alone', () => {
    fc.assert(
      fc.property(genHost, fc.nat(), (host, pick) => {
        const victim = pick % host.length;
        const r = render(host);
        // The status of the victim shows one path more in its first group: another layout.
        const status = r.status
          .split('\n')
          .map((line) => {
            if (!line.startsWith(`mpath${victim}: `)) return line;
            const t = r.layout[victim]?.[0] ?? [];
            const n = t.length;
            return line.replace(` 0 ${n} 2 ${t[0]} `, ` 0 ${n + 1} 2 9:999 A 0 0 1 ${t[0]} `);
          })
          .join('\n');
        const { maps, diagnostics } = assembleMultipathMaps({
          tableLines: parseDmsetupLines(r.table, 't'),
          statusLines: parseDmsetupLines(status, 's'),
          devices: r.devices,
          pathNames: new Map(r.layout.flat(2).map((d) => [d, `x${d}`])),
        });
        expect(maps.map((m) => m.name)).not.toContain(`mpath${victim}`);
        expect(maps).toHaveLength(host.length - 1);
        expect(diagnostics).toEqual([
          expect.objectContaining({
            subject: `map mpath${victim}`,
            code: 'VMPATH_E_DM_STATE_CHANGED',
            level: 'info',
          }),
        ]);
      }),
    );
  });
});
