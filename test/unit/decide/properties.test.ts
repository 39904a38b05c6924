/** Property-based invariants of decide() over random hosts (arbitraries.ts). */
import fc from 'fast-check';
import { decide, memoryAfter } from '../../../agent/decide';
import type { DecideInput } from '../../../agent/decide';
import { allocate } from '../../../agent/decide/bandwidth';
import { resolvePolicy, layersForVm } from '../../../agent/decide/policy/resolve';
import { buildTopology, physicalPath } from '../../../agent/decide/topology';
import { engineConfig } from '../../../agent/decide';
import type { CgroupIoLimit, Plan } from '../../../agent/model';
import { isPathUsable } from '../../../agent/model';
import { applyPlanToSnapshot } from './apply-plan';
import { arbHost, arbConfig, NOW } from './arbitraries';

const RUNS = { numRuns: 300 };

function validPolicy(input: DecideInput, vmId: string) {
  try {
    return resolvePolicy(layersForVm(input.policies, vmId), vmId);
  } catch {
    return undefined;
  }
}

function usableDevs(input: DecideInput): Set<string> {
  const devices = new Map(input.snapshot.paths.map((d) => [d.dev, d]));
  const out = new Set<string>();
  for (const m of input.snapshot.maps)
    for (const g of m.groups)
      for (const p of g.paths) if (isPathUsable(p, devices.get(p.dev))) out.add(p.dev);
  return out;
}

function limitsAfter(input: DecideInput, plan: Plan): Map<string, Record<string, CgroupIoLimit>> {
  const after = applyPlanToSnapshot(input.snapshot, plan);
  return new Map(after.vms.map((v) => [v.id, { ...(v.cgroupIo?.limits ?? {}) }]));
}

describe('decide: properties', () => {
  it('never routes a VM to an unusable path', () => {
    fc.assert(
      fc.property(arbHost(), ({ input }) => {
        const plan = decide(input);
        const usable = usableDevs(input);
        for (const d of plan.decisions)
          for (const devs of Object.values(d.paths))
            for (const dev of devs) expect(usable.has(dev)).toBe(true);
      }),
      RUNS,
    );
  });

  it('never allocates above a VM limit, nor above the capacity of the paths of a disk', () => {
    fc.assert(
      fc.property(arbHost(), ({ input }) => {
        const plan = decide(input);
        const cfg = engineConfig(input.config);
        const after = limitsAfter(input, plan);
        const devices = new Map(input.snapshot.paths.map((d) => [d.dev, d]));
        for (const vm of input.snapshot.vms) {
          const policy = validPolicy(input, vm.id);
          const decision = plan.decisions.find((d) => d.vmId === vm.id);
          if (!policy || !decision) continue;
          const limits = after.get(vm.id) ?? {};
          const limit = policy.limit.value;
          // the VM's own devices (per-path limits on sdX come on top of these, never instead)
          const total = (k: keyof CgroupIoLimit) =>
            vm.disks.reduce((s, d) => s + (limits[d.devT]?.[k] ?? 0), 0);
          for (const p of input.snapshot.paths) {
            const l = limits[p.devT];
            if (l?.rbps !== undefined)
              expect(l.rbps).toBeLessThanOrEqual((p.capacityMBps ?? cfg.defaultPathCapacityMBps) * 1e6);
          }
          if (limit?.readMBps !== undefined) expect(total('rbps')).toBeLessThanOrEqual(limit.readMBps * 1e6);
          if (limit?.writeMBps !== undefined)
            expect(total('wbps')).toBeLessThanOrEqual(limit.writeMBps * 1e6);
          if (limit?.readIops !== undefined) expect(total('riops')).toBeLessThanOrEqual(limit.readIops);
          if (limit?.writeIops !== undefined) expect(total('wiops')).toBeLessThanOrEqual(limit.writeIops);
          if (limit?.readMBps === undefined) continue;
          for (const disk of vm.disks) {
            const paths = [...new Set(disk.maps.flatMap((m) => decision.paths[m] ?? []))];
            const rbps = limits[disk.devT]?.rbps;
            if (!paths.length || rbps === undefined) continue;
            const cap = paths.reduce(
              (s, p) => s + (devices.get(p)?.capacityMBps ?? cfg.defaultPathCapacityMBps),
              0,
            );
            expect(rbps).toBeLessThanOrEqual(cap * 1e6);
          }
        }
      }),
      RUNS,
    );
  });

  it('reservations never exceed a path capacity, and are all met when feasible', () => {
    fc.assert(
      fc.property(arbHost(), ({ input }) => {
        const plan = decide(input);
        const cfg = engineConfig(input.config);
        const topo = buildTopology(input.snapshot);
        const allocs = plan.decisions.flatMap((d) => {
          const vm = topo.vms.get(d.vmId);
          const policy = validPolicy(input, d.vmId);
          if (!vm || !policy) return [];
          const disks = vm.disks.map((disk) => ({
            devT: disk.devT,
            paths: disk.maps.flatMap((m) => d.paths[m] ?? []),
          }));
          return [{ vm, policy, disks }];
        });
        allocs.sort(
          (a, b) => b.policy.priority.value - a.policy.priority.value || (a.vm.id < b.vm.id ? -1 : 1),
        );
        const bw = allocate(allocs, topo, cfg);
        for (const [key, ledger] of bw.reserved) {
          const dev = input.snapshot.paths.find((p) => physicalPath(topo, p.dev) === key);
          const cap = dev?.capacityMBps ?? cfg.defaultPathCapacityMBps;
          const used = [...ledger.MBps.values()].reduce((s, x) => s + x, 0);
          expect(used).toBeLessThanOrEqual(cap * cfg.reservableFraction + 1e-6);
        }
        // feasibility: every disk has a path and all reservations fit on the smallest path
        const demand = allocs.reduce((s, a) => s + (a.policy.reservation.value?.readMBps ?? 0), 0);
        const minCap = Math.min(
          ...input.snapshot.paths.map((p) => p.capacityMBps ?? cfg.defaultPathCapacityMBps),
        );
        const allRouted = allocs.every((a) => a.disks.every((d) => d.paths.length > 0));
        if (allRouted && demand <= minCap * cfg.reservableFraction)
          expect(
            plan.warnings.filter((w) => w.code.startsWith('reservation-') && !w.message.includes('Iops')),
          ).toEqual([]);
      }),
      RUNS,
    );
  });

  it('a VM pinned to a path stays on it while it is up (and not damped)', () => {
    fc.assert(
      fc.property(arbHost(), ({ input }) => {
        const plain = { ...input, memory: { ...input.memory, paths: {} } };
        const plan = decide(plain);
        const usable = usableDevs(plain);
        for (const d of plan.decisions) {
          const policy = validPolicy(plain, d.vmId);
          const pin = policy?.pin.value[0];
          if (!pin || pin.kind !== 'path' || !usable.has(pin.dev)) continue;
          for (const [map, mech] of Object.entries(d.mechanism)) {
            const onMap = plain.snapshot.maps
              .find((m) => m.name === map)
              ?.groups.some((g) => g.paths.some((p) => p.dev === pin.dev));
            if (onMap && (mech === 'switch-group' || mech === 'vm-map'))
              expect(d.paths[map]).toContain(pin.dev);
          }
        }
      }),
      RUNS,
    );
  });

  it('every VM vmpath paused is resumed once its paths are back (resume auto); others never', () => {
    fc.assert(
      fc.property(arbHost(), ({ input }) => {
        const plan = decide(input);
        const resumed = new Set(
          plan.actions.filter((a) => a.kind === 'resume-vm').map((a) => (a as { vmId: string }).vmId),
        );
        for (const vm of input.snapshot.vms) {
          const mine = input.memory.pausedByVmpath[vm.id] !== undefined;
          if (!mine) expect(resumed.has(vm.id)).toBe(false);
          const policy = validPolicy(input, vm.id);
          const d = plan.decisions.find((x) => x.vmId === vm.id);
          const allUp = d && Object.values(d.paths).every((p) => p.length > 0);
          if (mine && vm.runState === 'paused' && policy?.resume.value.mode === 'auto' && allUp)
            expect(resumed.has(vm.id)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic, also when the snapshot lists VMs and maps in another order', () => {
    fc.assert(
      fc.property(arbHost(), ({ input }) => {
        const plan = decide(input);
        expect(decide(input)).toEqual(plan);
        const snapshot = {
          ...input.snapshot,
          vms: [...input.snapshot.vms].reverse(),
          maps: [...input.snapshot.maps].reverse(),
        };
        expect(decide({ ...input, snapshot })).toEqual(plan);
      }),
      RUNS,
    );
  });

  it('idempotence: apply the plan, decide again → empty plan', () => {
    fc.assert(
      fc.property(arbHost(arbConfig.map((c) => ({ ...c, limitStepFraction: Infinity }))), ({ input }) => {
        const plan = decide(input);
        fc.pre(!plan.actions.some((a) => a.kind === 'kill-vm'));
        const snapshot = applyPlanToSnapshot(input.snapshot, plan);
        const memory = memoryAfter(input.memory, input.snapshot, plan, NOW);
        const again = decide({ ...input, snapshot, memory });
        expect(again.actions).toEqual([]);
      }),
      RUNS,
    );
  });

  it('with stepped limits, repeated reconciles converge to an empty plan', () => {
    fc.assert(
      fc.property(arbHost(), ({ input }) => {
        let cur = input;
        for (let round = 0; round < 30; round++) {
          const plan = decide(cur);
          if (plan.actions.length === 0) return;
          fc.pre(!plan.actions.some((a) => a.kind === 'kill-vm'));
          cur = {
            ...cur,
            snapshot: applyPlanToSnapshot(cur.snapshot, plan),
            memory: memoryAfter(cur.memory, cur.snapshot, plan, NOW),
          };
        }
        throw new Error('did not converge in 30 rounds');
      }),
      { numRuns: 100 },
    );
  });
});
