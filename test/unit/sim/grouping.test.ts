/**
 * The simulated multipathd regroups a map by a vmpath.conf `group_by_prio` + `prio weightedpath`
 * entry as multipath-tools 0.9.4 did in the lab (test/fixtures/lab/grouping-*): with detect_prio at
 * its default the ALUA prioritizer wins and the map splits by ALUA state; with `detect_prio no`
 * the chosen paths form the first group (same topology text as the capture); without the entry
 * the map is one group again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSimHost, fixtureSpec, type SimHost, type SimHostSpec } from '../../../agent/sim';
import { renderVmpathConf, VMPATH_CONF_PATH } from '../../../agent/model/vmpath-conf';

const LAB = path.join(__dirname, '../../fixtures/lab');
const WWID = '1Linux_scsi_debug_2000';
const spec = (): SimHostSpec => {
  const base = fixtureSpec('multibus');
  const third = {
    ...(base.paths[1] as SimHostSpec['paths'][number]),
    id: 'host2',
    fabric: 'host2',
    adapter: 'host2',
    priority: 1,
  };
  return { ...base, paths: [...base.paths, third] };
};
const conf = renderVmpathConf(
  new Map([
    [
      WWID,
      {
        grouping: {
          paths: [
            { hbtl: '0:0:0:0', prio: 50 },
            { hbtl: '1:0:0:0', prio: 50 },
            { hbtl: '2:0:0:0', prio: 10 },
          ],
        },
      },
    ],
  ]),
);

let host: SimHost;
afterEach(() => host?.dispose());
const run = (cmd: string): string => host.runner.runSync(cmd.split(' ')).stdout;
const groups = (): string[][] =>
  (
    JSON.parse(run('multipathd show maps json')).maps[0].path_groups as {
      pri: number;
      paths: { dev: string; pri: number }[];
    }[]
  ).map((g) => [String(g.pri), ...g.paths.map((p) => `${p.dev}:${p.pri}`)]);
/**
 * The lab's mpatha (paths sda, sdc, sde: two LUNs there) with the simulator's one-LUN names. Group
 * `status=` is masked: in the lab udev's probe after the reload read the map (group 1 active); the
 * simulator issues no I/O of its own, so its groups stay `enabled` until a VM reads.
 */
const maskStatus = (s: string): string => s.replace(/status=\w+/g, 'status=S');
const labTopology = (dir: string): string =>
  (fs.readFileSync(path.join(LAB, dir, 'show-topology.txt'), 'utf8').split(/\n(?=mpathb )/)[0] ?? '')
    .replace(/sdc 8:32/g, 'sdb 8:16')
    .replace(/sde 8:64/g, 'sdc 8:32')
    .trimEnd() + '\n';
const topology = (): string => maskStatus(run('multipathd show topology'));

describe('simulated multipathd: per-WWID group_by_prio + weightedpath', () => {
  beforeEach(() => {
    host = createSimHost(spec());
    host.tick(500);
  });

  test('detect_prio default: prio alua autodetected wins, the map splits by ALUA state (as measured)', async () => {
    expect(groups()).toEqual([['20', 'sda:50', 'sdb:10', 'sdc:1']]);
    await host.fs.writeFile(VMPATH_CONF_PATH, conf);
    expect(run('multipathd reconfigure')).toBe('ok\n');
    expect(groups()).toEqual([
      ['50', 'sda:50'],
      ['10', 'sdb:10'],
      ['1', 'sdc:1'],
    ]);
  });

  test('detect_prio no: the chosen paths first (topology as captured), then one group again without the entry', async () => {
    const mpconf = await host.fs.readFile('/etc/multipath.conf');
    await host.fs.writeFile(
      '/etc/multipath.conf',
      (mpconf ?? '').replace('defaults {\n', 'defaults {\n    detect_prio no\n'),
    );
    await host.fs.writeFile(VMPATH_CONF_PATH, conf);
    expect(run('multipathd reconfigure')).toBe('ok\n');
    expect(groups()).toEqual([
      ['50', 'sda:50', 'sdb:50'],
      ['10', 'sdc:10'],
    ]);
    expect(run('dmsetup table mpatha')).toBe(
      '0 131072 multipath 0 1 alua 2 1 service-time 0 2 2 8:0 1 1 8:16 1 1 service-time 0 1 2 8:32 1 1 \n',
    );
    expect(topology()).toBe(maskStatus(labTopology('grouping-weightedpath')));
    await host.fs.writeFile(VMPATH_CONF_PATH, 'multipaths {\n}\n');
    expect(run('multipathd reconfigure')).toBe('ok\n');
    expect(groups()).toEqual([['1', 'sda:1', 'sdb:1', 'sdc:1']]); // prio const, as captured
    expect(topology()).toBe(maskStatus(labTopology('grouping-removed')));
  });
});
