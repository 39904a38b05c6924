/** The lint rule that keeps decide/ pure must really reject I/O there (and only there). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '../../..');

/** Lints snippets as if they were files at the given paths, in one ESLint run (eslint needs Node >= 20: use PATH's node). */
function lintAll(cases: ReadonlyArray<readonly [code: string, filePath: string]>): string[] {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [code, filePath] of cases) {
        const [r] = await eslint.lintText(code, { filePath });
        out.push(r.messages.map((m) => m.ruleId + ': ' + m.message).join('\\n'));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const r = spawnSync('node', ['-e', script], { cwd: root, input: JSON.stringify(cases), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`eslint run failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

const bad: ReadonlyArray<readonly [string, string]> = [
  ["import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no-restricted-imports'],
  ["import { spawn } from 'child_process';\nexport const f = spawn;\n", 'no-restricted-imports'],
  ["import { observeHost } from '../observe';\nexport const f = observeHost;\n", 'no-restricted-imports'],
  ["import { applyPlan } from '../act/apply';\nexport const f = applyPlan;\n", 'no-restricted-imports'],
  ['export const now = (): number => Date.now();\n', 'no-restricted-properties'],
  ['export const r = (): number => Math.random();\n', 'no-restricted-properties'],
  ['export const e = (): string | undefined => process.env.HOME;\n', 'no-restricted-globals'],
];

describe('decide/ purity lint rule', () => {
  it('rejects I/O, clocks and randomness in agent/decide/, allows model imports there and I/O elsewhere', () => {
    const results = lintAll([
      ...bad.map(([code]) => [code, 'agent/decide/probe.ts'] as const),
      ["import type { Plan } from '../model/plan';\nexport type P = Plan;\n", 'agent/decide/probe.ts'],
      ["import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'agent/observe/probe.ts'],
    ]);
    bad.forEach(([, rule], i) => expect(results[i]).toContain(rule));
    expect(results[bad.length]).toBe('');
    expect(results[bad.length + 1]).toBe('');
  }, 60_000);
});
