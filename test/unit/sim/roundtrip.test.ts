/**
 * Round trip: whatever state the simulated host is driven into (random faults, operator
 * commands, per-VM maps), what it prints parses with observe/multipath's parsers into exactly
 * the state it holds, and observeHost reads it without error diagnostics.
 */
import fc from 'fast-check';
import { observeHost } from '../../../agent/observe';
import { parseDmMultipathStatus } from '../../../agent/observe/multipath/dm-status';
import { parseDmMultipathTable } from '../../../agent/observe/multipath/dm-table';
import { parseDmsetupLines } from '../../../agent/observe/multipath/dmsetup-lines';
import { parseMultipathdJson } from '../../../agent/observe/multipath/multipathd-json';
import { createSimHost, demoSpec, type SimHost } from '../../../agent/sim';

type Step =
  | { kind: 'fault'; verb: 'fail' | 'restore'; target: string }
  | { kind: 'switch'; map: string; group: number }
  | { kind: 'cli'; verb: 'fail' | 'reinstate'; dev: string }
  | { kind: 'queue'; map: string; on: boolean }
  | { kind: 'tick'; ms: number };

const MAPS = ['mpatha', 'mpathb', 'mpathc', 'mpathd', 'mpathe', 'mpathf'];
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('fault' as const),
    verb: fc.constantFrom('fail' as const, 'restore' as const),
    target: fc.constantFrom('A', 'B', 'a0', 'b1', 'sdc', 'mpathf', 'all'),
  }),
  fc.record({
    kind: fc.constant('switch' as const),
    map: fc.constantFrom(...MAPS),
    group: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('cli' as const),
    verb: fc.constantFrom('fail' as const, 'reinstate' as const),
    dev: fc.constantFrom('sda', 'sdg', 'sdm', 'sdf'),
  }),
  fc.record({ kind: fc.constant('queue' as const), map: fc.constantFrom(...MAPS), on: fc.boolean() }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 50, max: 4000 }) }),
);

function apply(h: SimHost, s: Step): void {
  const run = (...argv: string[]) => h.runner.runSync(argv);
  if (s.kind === 'fault') h.inject({ [s.verb]: s.target });
  else if (s.kind === 'switch') run('multipathd', 'switchgroup', 'map', s.map, 'group', String(s.group));
  else if (s.kind === 'cli') run('multipathd', s.verb, 'path', s.dev);
  else if (s.kind === 'queue')
    run('dmsetup', 'message', s.map, '0', s.on ? 'queue_if_no_path' : 'fail_if_no_path');
  else h.tick(s.ms);
}

/** Parse everything the host prints and compare with what it holds. */
function check(h: SimHost): void {
  const m = h.metrics();
  const table = h.runner.runSync(['dmsetup', 'table', '--target', 'multipath']).stdout;
  const status = h.runner.runSync(['dmsetup', 'status', '--target', 'multipath']).stdout;
  const json = parseMultipathdJson(h.runner.runSync(['multipathd', 'show', 'maps', 'json']).stdout);
  const tables = new Map(
    parseDmsetupLines(table, 'table').map((l) => [l.name, parseDmMultipathTable(l.params, 't')]),
  );
  for (const line of parseDmsetupLines(status, 'status')) {
    const st = parseDmMultipathStatus(line.params, 'status');
    const mm = m.maps.find((x) => x.name === line.name);
    expect(mm).toBeDefined();
    const t = tables.get(line.name);
    expect(t?.groups.length).toBe(st.groups.length);
    expect(t?.features.includes('queue_if_no_path')).toBe(mm?.queueIfNoPath);
    const active = st.groups.findIndex((g) => g.flag === 'A') + 1;
    expect(active).toBe(mm?.activeGroup);
    if (mm?.nextGroup) expect(st.nextGroup).toBe(mm.nextGroup);
    const valid = st.groups.reduce((n, g) => n + g.paths.filter((p) => p.active).length, 0);
    expect(valid).toBe(mm?.validPaths);
    const mp = json.maps.find((x) => x.name === line.name);
    if (mm?.owner === 'multipathd') {
      expect(mp).toBeDefined();
      for (const g of st.groups)
        for (const p of g.paths) {
          const sim = m.paths.find((x) => x.devT === p.devT);
          expect(p.active).toBe(sim?.dmState === 'active');
          const jp = mp?.groups.flatMap((x) => x.paths).find((x) => x.devT === p.devT);
          expect(jp?.dmState).toBe(p.active ? 'active' : 'failed');
          expect(jp?.checkerState).toBe(sim?.checker);
        }
    } else expect(mp).toBeUndefined();
  }
}

test('random fault and command sequences print what the host holds', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
      const h = createSimHost({ ...demoSpec(), events: [] });
      try {
        h.runner.runSync([
          'dmsetup',
          'create',
          'mpathf-vm103',
          '--uuid',
          'vmpath-103-3600a098038314b6d4a2b4f3f35',
          '--table',
          '0 536870912 multipath 0 0 2 1 service-time 0 2 2 8:80 1 1 65:16 1 1 service-time 0 2 2 8:176 1 1 65:112 1 1',
        ]);
        for (const s of steps) {
          apply(h, s);
          check(h);
        }
      } finally {
        h.dispose();
      }
    }),
    { numRuns: 12, seed: 20261125 },
  );
}, 120_000);

test('observeHost reads a faulted host without error diagnostics', async () => {
  const h = createSimHost({ ...demoSpec(), events: [] });
  try {
    h.tick(500);
    h.inject({ fail: 'A' });
    h.runner.runSync(['multipathd', 'switchgroup', 'map', 'mpathd', 'group', '2']);
    h.tick(3000);
    const snap = await observeHost({ fs: h.fs, runner: h.runner, clock: h.clock });
    expect(snap.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const sda = snap.paths.find((p) => p.dev === 'sda');
    expect(sda?.deviceState).toBe('transport-offline');
    expect(sda?.transport.state).toBe('Blocked');
    const mpatha = snap.maps.find((x) => x.name === 'mpatha');
    expect(mpatha?.groups[0]?.paths[0]?.dmState).toBe('failed');
    expect(mpatha?.groups[0]?.paths[0]?.checkerState).toBe('faulty');
    expect(snap.maps.find((x) => x.name === 'mpathd')?.nextGroup).toBe(2);
  } finally {
    h.dispose();
  }
}, 60_000);
