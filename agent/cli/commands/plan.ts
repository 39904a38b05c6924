/**
 * `vmpath plan`: observe this host, decide, and show the actions with what each would run
 * (argv, file writes, VM calls) — a dry run of `vmpath apply`, nothing is changed.
 * Policies come from the same sources as the agent's (loop/host-policies.ts): host config file
 * (`--config`, default /etc/vmpath/config.json under the root), cluster file, Proxmox tags,
 * plugins. Shared with apply.ts: `decideHost()` builds the same runtime the agent uses.
 */
import type { Command } from '../command';
import { openHostActContext } from '../../act/host-context';
import { recoverJournal, type RecoveryResult } from '../../act/recover';
import { exitCodeFor, resultLines } from '../../act/results-text';
import { virshMetadataReader } from '../../config';
import type { LibvirtMetadataReader, PolicyProblem } from '../../config';
import { openClusterSource } from '../../loop/cluster-source';
import { HostPolicies } from '../../loop/host-policies';
import { createPluginHost, loadPlugins } from '../../plugins';
import { AgentRuntime } from '../../loop/runtime';
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
  const root = typeof v.root === 'string' ? v.root : '/';
  const plugins = createPluginHost();
  const problems: PolicyProblem[] = [];
  const late: { libvirtMetadata?: LibvirtMetadataReader } = {}; // needs the context's runner
  const policies = new HostPolicies({
    libvirtMetadata: (vms) => late.libvirtMetadata?.(vms) ?? Promise.resolve({ xml: {}, problems: [] }),
    root,
    ...(typeof v.config === 'string' ? { configPath: v.config } : {}),
    plugins,
    onProblem: (p) => problems.push(p),
  });
  const files = await policies.loadFiles();
  await loadPlugins(plugins, files.host.plugins);
  const ctx = await openHostActContext({
    root,
    ...(typeof v.journal === 'string' ? { journalPath: v.journal } : {}),
    dryRun,
    control: files.host.control,
  });
  late.libvirtMetadata = virshMetadataReader({
    runner: ctx.runner,
    ...(files.host.control.libvirtUri ? { uri: files.host.control.libvirtUri } : {}),
  });
  try {
    // Settle actions a crashed agent left half-done before deciding anew (never in a dry run).
    const recovered = dryRun ? [] : await recoverJournal(ctx);
    // The cluster's path health (docs/cluster.md): read for migration targets; apply, which acts,
    // also publishes this node's record, as the agent does.
    const clusterSource = await openClusterSource({
      root,
      config: files.host.cluster,
      fs: ctx.fs,
      publish: !dryRun,
      onProblem: (d) => problems.push({ subject: d.subject, code: d.code ?? 'cluster', message: d.message }),
    });
    const runtime = new AgentRuntime({
      fs: ctx.fs,
      runner: ctx.runner,
      vmControl: ctx.vmControl,
      clock: ctx.clock,
      journal: ctx.journal,
      selectors: plugins.selectors,
      policies: (snapshot) => policies.forSnapshot(snapshot),
      engine: files.host.engine,
      mode: dryRun ? 'dry-run' : 'act',
      ...(clusterSource ? { clusterSource } : {}),
    });
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
