/** Human-readable lines for ApplyResults (CLI), one per action, object first. */
import type { ApplyResult } from './execute';

const MARK: Readonly<Record<string, string>> = { applied: '+', unchanged: '=', skipped: '-', failed: '!' };

export function resultLines(results: readonly ApplyResult[]): string {
  if (results.length === 0) return 'nothing to do\n';
  return results
    .map((r) => {
      const verb = r.dryRun && r.outcome === 'applied' ? 'would apply' : r.outcome;
      const head = `${MARK[r.outcome] ?? '?'} ${r.actionId}: ${verb}${r.message ? ` — ${r.message}` : ''}${r.code ? ` [${r.code}]` : ''}`;
      return [head, ...(r.effects ?? []).map((e) => `    ${e}`)].join('\n');
    })
    .join('\n')
    .concat('\n');
}

/** CLI exit code: 0 all fine, 1 if anything failed. */
export const exitCodeFor = (results: readonly ApplyResult[]): number =>
  results.some((r) => r.outcome === 'failed') ? 1 : 0;
