/**
 * `vmpath plan`: observe this host, decide, and show the actions with what each would run
 * (argv, file writes, VM calls) — a dry run of `vmpath apply`, nothing is changed.
 * Policies come from the same sources as the agent's (loop/host-policies.ts): host config file
 * (`--config`, default /etc/vmpath/config.json under the root), cluster file, Proxmox tags,
 * plugins, libvirt metadata, the cluster view. Shared with apply.ts: `decideHost()` builds the
 * same runtime the agent uses (loop/host-runtime.ts).
 */
import type { Command } from '../command';
import type { RecoveryResult } from '../../act/recover';
import { exitCodeFor, resultLines } from '../../act/results-text';
import type { PolicyProblem } from '../../config';
import { openHostRuntime } from '../../loop/host-runtime';
import type { ActionResult, Plan } from '../../model/plan';
import type { HostSnapshot } from '../../model/snapshot';
import type { ParsedArgs } from '../command';
import { ACT_OPTIONS } from '../act-options';

export const PLAN_OPTIONS = ACT_OPTIONS;

export interface HostDecision {
  readonly snapshot: HostSnapshot;
  readonly plan: Plan;
  readonly results: readonly ActionResult[];
  /** Intents a crashed run left open, settled from what the host shows (apply only). */
  readonly recovered: readonly RecoveryResult[];
}

/** observe → decide → apply (dry run or for real) once, as one agent reconcile would. */
export async function decideHost(args: ParsedArgs, dryRun: boolean): Promise<HostDecision> {
  const v = args.values;
  const problems: PolicyProblem[] = [];
  const { ctx, runtime, recovered } = await openHostRuntime({
    root: typeof v.root === 'string' ? v.root : '/',
    mode: dryRun ? 'dry-run' : 'act',
    ...(typeof v.config === 'string' ? { configPath: v.config } : {}),
    ...(typeof v.journal === 'string' ? { journalPath: v.journal } : {}),
    onProblem: (p) => problems.push({ subject: p.subject, code: p.code ?? 'cluster', message: p.message }),
  });
  try {
    const snapshot = await runtime.observe();
    const plan = runtime.decide(snapshot, runtime.memory(), ctx.clock.nowMs());
    const results = await runtime.apply(plan, snapshot);
    const warnings = [
      ...plan.warnings,
      ...problems.map((p) => ({ subject: p.subject, code: p.code, message: p.message })),
    ];
    return { snapshot, plan: { ...plan, warnings }, results, recovered };
  } finally {
    await ctx.close();
  }
}

export function printDecision(d: HostDecision, json: boolean): string {
  if (json)
    return JSON.stringify({ recovered: d.recovered, plan: d.plan, results: d.results }, null, 2) + '\n';
  const recovered = d.recovered
    .map((r) => `recovered ${r.kind} ${r.actionId} (interrupted by a crash): ${r.settled} — ${r.message}\n`)
    .join('');
  const warnings = d.plan.warnings.map((w) => `warning ${w.subject}: ${w.message} [${w.code}]\n`).join('');
  const reasons = new Map(d.plan.actions.map((a) => [a.id, a.reason]));
  const withReasons = d.results.map((r) => ({
    ...r,
    message: [reasons.get(r.actionId), r.message].filter(Boolean).join(' — '),
  }));
  return recovered + warnings + resultLines(withReasons);
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'show what vmpath would do on this host now (dry run: nothing is changed)',
  usage: 'vmpath plan [--config FILE] [--root DIR] [--journal FILE] [--json]',
  options: PLAN_OPTIONS,
  async run(args, io) {
    const d = await decideHost(args, true);
    io.out(printDecision(d, args.values.json === true));
    return exitCodeFor(d.results);
  },
};
