/**
 * `npm run bench`: every benchmark suite, one table each, and a JSON summary in bench-results/.
 * Suites register in suites.ts. Run one with `npm run bench -- --only NAME`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { recordOutcome } from './sim-suite';
import { SUITES } from './suites';
import type { BenchSuite, SuiteResult } from './suite';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs `suite` in a child process of this script (it prints its own table); its result comes back in a file. */
function runIsolated(suite: BenchSuite, outDir: string): SuiteResult {
  const file = path.join(outDir, `.${suite.name}.result.json`);
  rmSync(file, { force: true });
  const r = spawnSync(process.execPath, [__filename, '--only', suite.name, '--result-file', file], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResult;
  } catch {
    throw new Error(`${suite.name}: the child process left no result (exit ${r.status ?? r.signal})`);
  } finally {
    rmSync(file, { force: true });
  }
}

/** `--only` takes names, comma-separated, each maybe ending in `*` (`sim-*`). */
function selected(only: string | undefined, name: string): boolean {
  if (only === undefined) return true;
  return only.split(',').some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

async function main(): Promise<void> {
  const only = argValue('--only');
  const resultFile = argValue('--result-file');
  if (resultFile) {
    // Child of runIsolated: print the table, hand the result back, nothing else.
    const suite = SUITES.find((s) => s.name === only);
    if (!suite) throw new Error(`no suite ${String(only)}`);
    const result = await suite.run(path.dirname(resultFile));
    process.stdout.write(result.text + '\n');
    writeFileSync(resultFile, JSON.stringify(result));
    return;
  }
  const outDir = path.resolve('bench-results');
  mkdirSync(outDir, { recursive: true });
  const summary: Record<string, unknown> = {
    node: process.versions.node,
    startedAt: new Date().toISOString(),
  };
  let failures = 0;
  // Suites marked isolated run in a child process when they are not the only one.
  const several = SUITES.filter((s) => selected(only, s.name)).length > 1;
  for (const suite of SUITES) {
    if (!selected(only, suite.name)) continue;
    process.stdout.write(`\n## ${suite.name}: ${suite.title}\n`);
    try {
      const isolated = several && suite.isolated === true;
      const result = isolated ? runIsolated(suite, outDir) : await suite.run(outDir);
      if (isolated && result.outcome) recordOutcome(result.outcome);
      if (!isolated) process.stdout.write(result.text + '\n');
      summary[suite.name] = result.json;
      for (const t of result.targets ?? []) {
        process.stdout.write(`  target ${t.ok ? 'met' : 'MISSED'}: ${t.description} (${t.measured})\n`);
        if (!t.ok) failures++;
      }
    } catch (e) {
      failures++;
      process.stdout.write(`  FAILED: ${(e as Error).stack ?? String(e)}\n`);
      summary[suite.name] = { error: String(e) };
    }
  }
  writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(
    `\nsummary written to ${path.join(outDir, 'summary.json')}; targets missed: ${failures}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
