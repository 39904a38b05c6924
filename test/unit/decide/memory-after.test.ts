import { decide, memoryAfter } from '../../../agent/decide';
import type { Plan } from '../../../agent/model';
import { buildHost, builtinRegistry, memory, policies } from './host';

const NOW = 1_700_000_000_000;
const EMPTY_PLAN: Plan = { actions: [], decisions: [], warnings: [] };
const spec = (failed: string[], runState: 'running' | 'paused' = 'running') => ({
  paths: { sda: {}, sdb: {} },
  maps: { mpatha: { groups: [['sda'], ['sdb']], failed } },
  vms: { '101': { maps: ['mpatha'], raw: true, runState } },
});

describe('memoryAfter', () => {
  it('records path transitions (first sight has no transition) and all-paths-down since', () => {
    const m1 = memoryAfter(memory(), buildHost(spec([])), EMPTY_PLAN, NOW);
    expect(m1.paths['sda']).toEqual({ usable: true, lastChangeMs: 0, transitionsMs: [] });
    const m2 = memoryAfter(m1, buildHost(spec(['sda', 'sdb'])), EMPTY_PLAN, NOW + 1000);
    expect(m2.paths['sda']).toEqual({ usable: false, lastChangeMs: NOW + 1000, transitionsMs: [NOW + 1000] });
    expect(m2.allPathsDownSince).toEqual({ mpatha: NOW + 1000 });
    const m3 = memoryAfter(m2, buildHost(spec(['sda', 'sdb'])), EMPTY_PLAN, NOW + 5000);
    expect(m3.allPathsDownSince).toEqual({ mpatha: NOW + 1000 });
    const m4 = memoryAfter(m3, buildHost(spec(['sda'])), EMPTY_PLAN, NOW + 9000);
    expect(m4.allPathsDownSince).toEqual({});
    expect(m4.paths['sdb']?.transitionsMs).toEqual([NOW + 1000, NOW + 9000]);
  });

  it('remembers pauses it planned, forgets them on resume, and when someone else resumed the VM', () => {
    const snap = buildHost(spec(['sda', 'sdb']));
    const input = {
      snapshot: snap,
      policies: policies({ '101': { onAllPathsDown: { action: 'pause' } } }),
      memory: memory(),
      nowMs: NOW,
      selectors: builtinRegistry(),
    };
    const plan = decide(input);
    expect(plan.actions.map((a) => a.kind)).toEqual(['set-queueing', 'pause-vm']);
    const m1 = memoryAfter(input.memory, snap, plan, NOW);
    expect(m1.pausedByVmpath['101']?.sinceMs).toBe(NOW);
    // still paused, still down: kept
    expect(
      memoryAfter(m1, buildHost(spec(['sda', 'sdb'], 'paused')), EMPTY_PLAN, NOW + 1).pausedByVmpath['101'],
    ).toBeDefined();
    // someone resumed it: forgotten
    expect(
      memoryAfter(m1, buildHost(spec(['sda', 'sdb'], 'running')), EMPTY_PLAN, NOW + 1).pausedByVmpath,
    ).toEqual({});
    // paths back: decide resumes, memory forgets
    const back = buildHost(spec([], 'paused'));
    const plan2 = decide({ ...input, snapshot: back, memory: m1 });
    expect(plan2.actions.map((a) => a.kind)).toEqual(['resume-vm']);
    expect(memoryAfter(m1, back, plan2, NOW + 2).pausedByVmpath).toEqual({});
  });

  it('keeps the selector choice per VM and map, and migrations while the VM is here', () => {
    const snap = buildHost(spec([]));
    const plan = decide({
      snapshot: snap,
      policies: policies({}),
      memory: memory(),
      nowMs: NOW,
      selectors: builtinRegistry(),
    });
    const m = memoryAfter(memory({ migrations: { '999': { target: 'x', sinceMs: 1 } } }), snap, plan, NOW);
    expect(m.assignments).toEqual({ '101': { mpatha: ['sda'] } });
    expect(m.migrations).toEqual({});
  });
});
