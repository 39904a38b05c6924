// Reads jest --json results. `TIER FILE`: fail unless the tier ran at least one test and none failed.
// `--summary DIR`: print the totals over all tiers as the closing "tests: N passed, N failed" line.
const fs = require('node:fs');
const path = require('node:path');

function load(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

if (process.argv[2] === '--summary') {
  const dir = process.argv[3];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const r = load(path.join(dir, f));
    if (!r) continue;
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 && skipped === 0 ? 0 : 1);
}

const [tier, file] = process.argv.slice(2);
const r = load(file);
if (!r) {
  console.error(`FATAL: tier ${tier} produced no results (${file}): it did not run`);
  process.exit(1);
}
const skipped = r.numPendingTests + r.numTodoTests;
console.log(
  `tier ${tier}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped, ${r.numRuntimeErrorTestSuites} suites crashed`,
);
if (r.numTotalTests === 0) {
  console.error(`FATAL: tier ${tier} ran no tests`);
  process.exit(1);
}
if (skipped > 0) {
  console.error(`FATAL: tier ${tier} skipped ${skipped} tests; CI runs every test`);
  process.exit(1);
}
process.exit(r.success && r.numFailedTests === 0 && r.numRuntimeErrorTestSuites === 0 ? 0 : 1);
