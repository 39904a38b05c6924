import { components } from '../../../agent/sim/des/components';
import { runScenario } from '../../../agent/sim/des/run';
import { parseScenario } from '../../../agent/sim/des/scenario';
import { Scheduler } from '../../../agent/sim/des/scheduler';
import { path, twoPathScenario } from './fixtures';

interface Ev {
  key: number;
  seq: number;
  readonly name: string;
  readonly comp: number;
  /** When dispatched, schedule a global event this many ms later (a uevent's reaction). */
  readonly react?: number;
}

/** Two LUNs on disjoint paths, one closed-loop VM each: two independent halves of a host. */
function halves(extra: Record<string, unknown> = {}): ReturnType<typeof parseScenario> {
  const vm = (id: string, lun: string): Record<string, unknown> => ({
    id,
    disks: [lun],
    workload: { type: 'closed', outstanding: 4, ioKiB: 64, readPct: 100 },
  });
  return parseScenario(
    twoPathScenario({
      durationS: 1,
      paths: [path('a1', 'A'), path('b1', 'B'), path('a2', 'A'), path('b2', 'B'), path('spare', 'A')],
      luns: [
        { wwid: 'lun0', paths: ['a1', 'b1'] },
        { wwid: 'lun1', paths: ['a2', 'b2'] },
      ],
      vms: [vm('101', 'lun0'), vm('102', 'lun1')],
      ...extra,
    }),
  );
}

describe('independent components and the windowed scheduler', () => {
  it('splits a host into the parts that share no path, map or VM', () => {
    const c = components(halves());
    expect(c.count).toBe(3); // two halves and the path no LUN reaches
    expect([...c.lun]).toEqual([0, 1]);
    expect([...c.vm]).toEqual([0, 1]);
    expect([...c.path]).toEqual([0, 0, 1, 1, 2]);
    expect([...c.vmLocal]).toEqual([0, 0]);
    // a VM with a disk on each LUN joins them
    const joined = halves({
      vms: [{ id: '101', disks: ['lun0', 'lun1'], workload: { type: 'open', rateMBps: 0, ioKiB: 4 } }],
    });
    expect(components(joined).count).toBe(2);
    expect(components(halves(), true).count).toBe(1);
  });

  it('runs each component in time order and every global event after exactly the earlier local ones', () => {
    const s = new Scheduler<Ev>(2);
    const log: { t: number; name: string; comp: number }[] = [];
    const local = [0.5, 3, 3, 7, 12, 12.5, 20, 31];
    local.forEach((t, i) => s.push(i % 2, { key: 0, seq: 0, name: `l${i}`, comp: i % 2 }, t));
    // l2 (t=3, component 0) triggers a reaction 10 ms later
    s.push(0, { key: 0, seq: 0, name: 'trigger', comp: 0, react: 10 }, 4);
    s.push(-1, { key: 0, seq: 0, name: 'g10', comp: -1 }, 10);
    let now = 0;
    s.run(
      30,
      () => 10,
      (t) => (now = t),
      (e) => {
        log.push({ t: now, name: e.name, comp: e.comp });
        if (e.react) s.push(-1, { key: 0, seq: 0, name: 'reaction', comp: -1 }, now + e.react);
      },
    );
    expect(log.map((e) => e.name)).not.toContain('l7'); // t=31 is past the end
    for (const comp of [0, 1]) {
      const ts = log.filter((e) => e.comp === comp).map((e) => e.t);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    for (const g of log.filter((e) => e.comp === -1)) {
      const at = log.indexOf(g);
      expect(log.slice(0, at).every((e) => e.t <= g.t)).toBe(true);
      expect(log.slice(at + 1).every((e) => e.t >= g.t)).toBe(true);
    }
    expect(log.find((e) => e.name === 'reaction')?.t).toBe(14);
  });

  it('simulates independent halves alike and deterministically', () => {
    const a = runScenario(halves(), 'vmpath');
    const b = runScenario(halves(), 'vmpath');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const [x, y] = a.vms.map((v) => v.throughputMBps);
    expect(Math.abs((x as number) / (y as number) - 1)).toBeLessThan(0.03);
  });
});
