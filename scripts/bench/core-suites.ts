/**
 * Benchmarks of the core (issues 3 and 4): parsing `multipathd show maps json`, a full snapshot of
 * a simulated host, and decide(). Each at 1×, 4× and 16× (the snapshot at ¼×, 1×, 4×: building a
 * 16× simulated host takes minutes), reporting median time, per-unit cost (linear scaling = the
 * same per-unit cost at every size), peak RSS, and the targets met or missed.
 */
import { decide } from '../../agent/decide';
import { benchInput } from '../../agent/decide/bench-input';
import { parseMultipathdJson } from '../../agent/observe/multipath';
import { observeHost } from '../../agent/observe';
import { createSimHost, scaleSpec } from '../../agent/sim';
import { measure, measureAsync, scaling, table, type Measurement } from './harness';
import { multipathdJson } from './gen-multipathd-json';
import type { BenchSuite, SuiteResult, Target } from './suite';

function report(ms: readonly Measurement[], units: readonly number[], unit: string): string {
  const sc = scaling(ms, units);
  return table(
    ['size', 'median ms', 'min ms', 'max ms', `µs per ${unit}`, 'per-unit vs first', 'RSS MiB'],
    ms.map((m, i) => [m.size, m.medianMs, m.minMs, m.maxMs, sc[i]!.perUnitUs, sc[i]!.ratioToFirst, m.rssMiB]),
  );
}

const parseSuite: BenchSuite = {
  name: 'parse',
  title: 'parse `multipathd show maps json` (512 maps × 8 paths = 1×)',
  async run(): Promise<SuiteResult> {
    const sizes = [1, 4, 16];
    const ms = sizes.map((k) => {
      const text = multipathdJson(512 * k, 8);
      return measure(
        `parse`,
        `${k}× (${512 * k} maps, ${(text.length / 1e6).toFixed(1)} MB)`,
        () => parseMultipathdJson(text),
        { runs: k === 16 ? 5 : 15 },
      );
    });
    const units = sizes.map((k) => 512 * k * 8);
    const target: Target = {
      description: 'parse 512×8 under 25 ms',
      measured: `${ms[0]!.medianMs} ms`,
      ok: ms[0]!.medianMs < 25,
    };
    return {
      text: report(ms, units, 'path'),
      json: { measurements: ms, scaling: scaling(ms, units) },
      targets: [target],
    };
  },
};

const snapshotSuite: BenchSuite = {
  name: 'snapshot',
  title: 'full observeHost() of a simulated host (300 VMs, 512 maps, 4,096 paths = 1×)',
  async run(): Promise<SuiteResult> {
    const sizes = [0.25, 1, 4];
    const ms: Measurement[] = [];
    for (const k of sizes) {
      const sim = createSimHost(
        scaleSpec({ vms: Math.round(300 * k), luns: Math.round(512 * k), pathsPerLun: 8 }),
      );
      try {
        const ctx = { fs: sim.fs, runner: sim.runner, clock: sim.clock };
        ms.push(
          await measureAsync('snapshot', `${k}×`, () => observeHost(ctx), {
            runs: k >= 4 ? 3 : 5,
            warmup: 1,
          }),
        );
      } finally {
        sim.dispose();
      }
    }
    const units = sizes.map((k) => 4096 * k);
    const one = ms[1]!;
    const target: Target = {
      description: 'full snapshot (1×) under 250 ms',
      measured: `${one.medianMs} ms`,
      ok: one.medianMs < 250,
    };
    return {
      text: report(ms, units, 'path'),
      json: { measurements: ms, scaling: scaling(ms, units) },
      targets: [target],
    };
  },
};

const decideSuite: BenchSuite = {
  name: 'decide',
  title: 'decide() for 1,000 VMs × 64 maps × 8 paths (= 1×)',
  async run(): Promise<SuiteResult> {
    const sizes = [1, 4, 16];
    const ms = sizes.map((k) => {
      const input = benchInput(k);
      return measure('decide', `${k}× (${1000 * k} VMs)`, () => decide(input), { runs: k === 16 ? 5 : 11 });
    });
    const units = sizes.map((k) => 1000 * k);
    const target: Target = {
      description: 'plan for 1× under 50 ms',
      measured: `${ms[0]!.medianMs} ms`,
      ok: ms[0]!.medianMs < 50,
    };
    return {
      text: report(ms, units, 'VM'),
      json: { measurements: ms, scaling: scaling(ms, units) },
      targets: [target],
    };
  },
};

export const CORE_SUITES: readonly BenchSuite[] = [parseSuite, snapshotSuite, decideSuite];
