/**
 * The in-guest test runner: `node lab/test/lab/main.js SUITE...` runs each suite's cases in
 * order, prints TAP lines and a closing `N passed, N failed`, and writes /results/results.json
 * (jest --json compatible totals, read by scripts/jest-tier-check.js), /results/facts.json and
 * /results/files/. Exit status 0 only if every case passed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseContext } from './lib/case';
import { teardown } from './lib/rig';
import { suites as registry } from './registry';

const RESULTS = process.env.VMPATH_LAB_RESULTS ?? '/results';

interface Outcome {
  suite: string;
  name: string;
  status: 'passed' | 'failed';
  seconds: number;
  error?: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function main(): Promise<number> {
  const suites = process.argv.slice(2);
  const outcomes: Outcome[] = [];
  const facts: Record<string, Record<string, unknown>> = {};
  fs.mkdirSync(path.join(RESULTS, 'files'), { recursive: true });
  let n = 0;
  const t0 = Date.now();
  for (const suite of suites) {
    const cases = registry[suite];
    if (!cases) {
      outcomes.push({ suite, name: '(unknown suite)', status: 'failed', seconds: 0 });
      console.log(`not ok ${++n} - ${suite}: no such suite in test/lab/registry.ts`);
      continue;
    }
    for (const c of cases) {
      const key = `${suite}: ${c.name}`;
      const ctx: CaseContext = {
        fact: (k, v) => {
          (facts[key] ??= {})[k] = v;
          console.log(`#   ${k} = ${JSON.stringify(v)}`);
        },
        save: (rel, content) => {
          const f = path.join(RESULTS, 'files', rel);
          fs.mkdirSync(path.dirname(f), { recursive: true });
          fs.writeFileSync(f, content);
        },
        log: (m) => console.log(`#   ${m}`),
      };
      console.log(`# ${key}`);
      const start = Date.now();
      try {
        await withTimeout(c.run(ctx), c.timeoutMs ?? 120_000, key);
        const seconds = (Date.now() - start) / 1000;
        outcomes.push({ suite, name: c.name, status: 'passed', seconds });
        console.log(`ok ${++n} - ${key} (${seconds.toFixed(1)} s)`);
      } catch (e) {
        const seconds = (Date.now() - start) / 1000;
        const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
        outcomes.push({ suite, name: c.name, status: 'failed', seconds, error });
        console.log(`not ok ${++n} - ${key} (${seconds.toFixed(1)} s)`);
        for (const line of error.split('\n')) console.log(`#   ${line}`);
      }
      fs.writeFileSync(path.join(RESULTS, 'facts.json'), `${JSON.stringify(facts, null, 2)}\n`);
    }
  }
  try {
    teardown();
  } catch {
    // the guest powers off anyway
  }
  const passed = outcomes.filter((o) => o.status === 'passed').length;
  const failed = outcomes.length - passed;
  const results = {
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: 0,
    numTodoTests: 0,
    numTotalTests: outcomes.length,
    numRuntimeErrorTestSuites: 0,
    success: failed === 0 && outcomes.length > 0,
    seconds: (Date.now() - t0) / 1000,
    testResults: outcomes,
  };
  fs.writeFileSync(path.join(RESULTS, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS, 'facts.json'), `${JSON.stringify(facts, null, 2)}\n`);
  console.log(`1..${n}`);
  console.log(`${passed} passed, ${failed} failed`);
  return results.success ? 0 : 1;
}

main().then(
  (rc) => process.exit(rc),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
