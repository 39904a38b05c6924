/**
 * Run a scenario under several policies and the ideal, and express every VM's throughput also
 * as a ratio to its ideal share (1.0 = the best possible allocation).
 */
import { idealForScenario } from './ideal';
import type { IdealResult } from './ideal';
import type { PolicyName, RunResult } from './results';
import { POLICIES } from './results';
import { runScenario } from './run';
import type { Scenario } from './scenario';

export interface PolicyRun {
  readonly result: RunResult;
  /** VM id → throughput / ideal (undefined when the ideal is 0). */
  readonly ratio: Readonly<Record<string, number | undefined>>;
  readonly totalRatio: number;
  /** Wall-clock time of the run, ms. */
  readonly wallMs: number;
}

export interface Comparison {
  readonly scenario: Scenario;
  readonly ideal: IdealResult;
  readonly runs: readonly PolicyRun[];
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function ratios(result: RunResult, ideal: IdealResult): Pick<PolicyRun, 'ratio' | 'totalRatio'> {
  const ratio: Record<string, number | undefined> = {};
  for (const v of result.vms) {
    const i = ideal.perVm[v.id] ?? 0;
    ratio[v.id] = i > 0 ? r3(v.throughputMBps / i) : undefined;
  }
  return { ratio, totalRatio: ideal.totalMBps > 0 ? r3(result.totals.throughputMBps / ideal.totalMBps) : 0 };
}

export function compare(
  scenario: Scenario,
  policies: readonly PolicyName[] = POLICIES,
  clock: () => number = () => Date.now(),
): Comparison {
  const ideal = idealForScenario(scenario);
  const runs = policies.map((p): PolicyRun => {
    const t0 = clock();
    const result = runScenario(scenario, p);
    const wallMs = clock() - t0;
    return { result, ...ratios(result, ideal), wallMs };
  });
  return { scenario, ideal, runs };
}
