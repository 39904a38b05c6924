/**
 * `npm run bench`: every benchmark suite, one table each, and a JSON summary in bench-results/.
 * Suites register in suites.ts. Run one with `npm run bench -- --only NAME`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SUITES } from './suites';

async function main(): Promise<void> {
  const only =
    process.argv.indexOf('--only') >= 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const outDir = path.resolve('bench-results');
  mkdirSync(outDir, { recursive: true });
  const summary: Record<string, unknown> = {
    node: process.versions.node,
    startedAt: new Date().toISOString(),
  };
  let failures = 0;
  for (const suite of SUITES) {
    if (only && suite.name !== only) continue;
    process.stdout.write(`\n## ${suite.name}: ${suite.title}\n`);
    try {
      const result = await suite.run(outDir);
      process.stdout.write(result.text + '\n');
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
