/**
 * Benchmarks of the core (issues 3 and 4): parsing `multipathd show maps json` and decide(), each
 * at 1×, 4× and 16×, reporting median wall and CPU time, per-unit cost (linear scaling = the same
 * per-unit cost at every size), RSS and peak RSS, and the targets met or missed. The snapshot of a
 * simulated host is snapshot-suite.ts.
 */
import { decide } from '../../agent/decide';
import { benchInput } from '../../agent/decide/bench-input';
import { parseMultipathdJson } from '../../agent/observe/multipath';
import { measure, measureBatched, scaling, type Measurement } from './harness';
import { multipathdJson } from './gen-multipathd-json';
import { linearTarget, loadAverage, report } from './report';
import { snapshotSuite } from './snapshot-suite';
import type { BenchSuite, SuiteResult, Target } from './suite';

const parseSuite: BenchSuite = {
  name: 'parse',
  isolated: true,
  title: 'parse `multipathd show maps json` (512 maps × 8 paths = 1×)',
  async run(): Promise<SuiteResult> {
    const sizes = [1, 4, 16];
    const label = (k: number, text: string) =>
      `${k}× (${512 * k} maps, ${(text.length / 1e6).toFixed(1)} MB)`;
    const single: Measurement[] = [];
    const steady: Measurement[] = [];
    for (const k of sizes) {
      const text = multipathdJson(512 * k, 8);
      // One parse on its own, its result dropped at once: the latency of a single parse.
      single.push(
        measure('parse, single call', label(k, text), () => parseMultipathdJson(text), {
          runs: k === 16 ? 7 : 15,
        }),
      );
      // Steady state (measureBatched): 16 parses of 1×, 4 of 4×, 1 of 16× per sample, results
      // kept. A dropped 1× result dies in the young generation before any collection looks at
      // it, which a 4× or 16× parse cannot do: per-call medians of dropped results compare
      // that, not the parser (docs/benchmarks.md, session 6).
      steady.push(
        measureBatched('parse', label(k, text), () => parseMultipathdJson(text), {
          batch: 16 / k,
          runs: 7,
          warmup: 5,
        }),
      );
    }
    const units = sizes.map((k) => 512 * k * 8);
    const targets: Target[] = [
      {
        description: 'parse 512×8 under 25 ms (steady state, per call)',
        measured: `${steady[0]!.medianMs} ms (a single call on an idle heap: ${single[0]!.medianMs} ms)`,
        ok: steady[0]!.medianMs < 25,
      },
      linearTarget(steady, units, 'path', 'cpu'),
    ];
    return {
      text:
        `load average ${loadAverage()}\n` +
        `steady state (equal work and equal results kept per sample; the targets):\n${report(steady, units, 'path')}\n` +
        `single call, result dropped (latency on an idle heap):\n${report(single, units, 'path')}`,
      json: {
        measurements: steady,
        scaling: scaling(steady, units),
        singleCall: { measurements: single, scaling: scaling(single, units) },
      },
      targets,
    };
  },
};

const decideSuite: BenchSuite = {
  name: 'decide',
  isolated: true,
  title: 'decide() for 1,000 VMs × 64 maps × 8 paths (= 1×)',
  async run(): Promise<SuiteResult> {
    const sizes = [1, 4, 16];
    const start = loadAverage();
    // Warm-up until the JIT has settled (the 1× number is the one with a target, and the base of
    // the per-VM comparison); every size plans a fresh input built before timing.
    const ms = sizes.map((k) => {
      const input = benchInput(k);
      return measure('decide', `${k}× (${1000 * k} VMs)`, () => decide(input), {
        runs: k === 16 ? 5 : k === 4 ? 11 : 21,
        warmup: k === 16 ? 1 : k === 4 ? 3 : 10,
      });
    });
    const units = sizes.map((k) => 1000 * k);
    // perVmMaps 'steer' (not the default; the simulator's vmpath runs with it): the first plan
    // also builds a per-VM map for every VM on a shared LUN, i.e. about twice the actions.
    const one = benchInput(1);
    const steer = { ...one, config: { ...one.config, perVmMaps: 'steer' as const } };
    const st = measure(
      'decide',
      `1× perVmMaps steer (${decide(steer).actions.length} actions)`,
      () => decide(steer),
      {
        runs: 11,
        warmup: 3,
      },
    );
    const targets: Target[] = [
      { description: 'plan for 1× under 50 ms', measured: `${ms[0]!.medianMs} ms`, ok: ms[0]!.medianMs < 50 },
      linearTarget(ms, units, 'VM'),
    ];
    return {
      text:
        `load average ${start} at the start, ${loadAverage()} at the end\n${report(ms, units, 'VM')}\n` +
        `not the default, no target: ${st.size} median ${st.medianMs} ms, min ${st.minMs} ms ` +
        `(default config: ${decide(one).actions.length} actions)`,
      json: { measurements: ms, scaling: scaling(ms, units), steer: st },
      targets,
    };
  },
};

export const CORE_SUITES: readonly BenchSuite[] = [parseSuite, snapshotSuite, decideSuite];
