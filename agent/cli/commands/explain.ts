/**
 * `vmpath explain VM [--snapshot FILE.json] [--config FILE] [--cluster-config FILE]
 * [--memory FILE.json] [--root DIR] [--json]`: decide for the whole host (dry: nothing changes)
 * and show, for one VM, every decision with the inputs that drove it, the actions and warnings
 * about it, and where each policy value came from (origin kind and source, e.g. file:line).
 * Without --snapshot the host is observed (as `vmpath plan` does) and memory comes from the
 * journal; with --snapshot, memory comes from --memory or is empty.
 */
import { readFileSync } from 'node:fs';
import { openHostActContext } from '../../act/host-context';
import type { ParsedConfig } from '../../config/config-file';
import { EMPTY_CONFIG } from '../../config/config-file';
import { buildPolicySet } from '../../config/collect';
import {
  CLUSTER_CONFIG_PATH,
  HOST_CONFIG_PATH,
  loadConfigFile,
  loadOptionalConfigFile,
} from '../../config/load';
import { decide } from '../../decide';
import { layersForVm, resolvePolicy } from '../../decide/policy/resolve';
import { ConfigInvalidError, UsageError, VmNotFoundError } from '../../model/errors';
import type { AgentMemory } from '../../model/memory';
import { EMPTY_MEMORY } from '../../model/memory';
import type { Action, Plan, VmDecision } from '../../model/plan';
import type { Origin, VmPolicy } from '../../model/policy';
import type { HostSnapshot, Vm } from '../../model/snapshot';
import { observeHost } from '../../observe';
import { createPluginHost, loadPlugins } from '../../plugins';
import type { Command } from '../command';

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new ConfigInvalidError(
      `${file}: cannot read ${what}: ${err instanceof Error ? err.message : String(err)}`,
      { file },
      err,
    );
  }
}

const originText = (o: Origin): string => (o.source ? `${o.kind} (${o.source})` : o.kind);
const valueText = (v: unknown): string =>
  v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v);

function actionTarget(a: Action): string {
  if ('map' in a)
    return `map ${a.map}${a.kind === 'switch-group' ? ` → group ${a.group}` : ''}${'dev' in a ? ` path ${a.dev}` : ''}`;
  if (a.kind === 'set-io-limit') return `dev ${a.devT} ${a.limit ? JSON.stringify(a.limit) : 'no limit'}`;
  if (a.kind === 'set-io-weight') return `weight ${a.weight}`;
  if (a.kind === 'create-vm-map' || a.kind === 'remove-vm-map') return a.name;
  if (a.kind === 'reload-vm-map') return `${a.name} over ${a.baseMap}'s paths now: ${a.table}`;
  if (a.kind === 'move-lv') return `${a.lv}: ${a.table}`;
  if (a.kind === 'migrate-vm') return `to ${a.target}`;
  return '';
}

export interface Explanation {
  readonly vm: {
    readonly id: string;
    readonly name: string;
    readonly kind: string;
    readonly runState: string;
  };
  readonly policy: VmPolicy | { readonly error: string };
  readonly decision?: VmDecision;
  readonly actions: readonly Action[];
  readonly warnings: Plan['warnings'];
}

/** The explanation of one VM in a plan (pure; the command gathers the inputs). */
export function explainVm(vm: Vm, plan: Plan, policy: VmPolicy | { error: string }): Explanation {
  const mine = (a: Action): boolean =>
    ('vmId' in a && a.vmId === vm.id) ||
    ('map' in a && vm.disks.some((d) => d.maps.includes(a.map) || a.map.endsWith(`-vm${vm.id}`)));
  return {
    vm: { id: vm.id, name: vm.name, kind: vm.kind, runState: vm.runState },
    policy,
    decision: plan.decisions.find((d) => d.vmId === vm.id),
    actions: plan.actions.filter(mine),
    warnings: plan.warnings.filter((w) => w.subject === `vm ${vm.id}` || w.message.includes(`vm ${vm.id}`)),
  };
}

export function explanationText(e: Explanation): string {
  const out: string[] = [
    `vm ${e.vm.id} (${e.vm.name}, ${e.vm.kind}, ${e.vm.runState}): state ${e.decision?.state ?? 'unknown'}`,
  ];
  out.push('policy (value ← origin):');
  if ('error' in e.policy) out.push(`  invalid: ${e.policy.error}`);
  else
    for (const [key, s] of Object.entries(e.policy) as [string, { value: unknown; origin: Origin }][])
      out.push(`  ${key.padEnd(15)} ${valueText(s.value).padEnd(40)} ← ${originText(s.origin)}`);
  const d = e.decision;
  if (d) {
    out.push('maps:');
    for (const [map, mech] of Object.entries(d.mechanism)) {
      const info = (d.inputs['maps'] as Record<string, Record<string, unknown>> | undefined)?.[map] ?? {};
      out.push(
        `  ${map}: ${mech}; paths ${(d.paths[map] ?? []).join(',') || '(none)'}` +
          (d.chosen?.[map] ? `; chosen ${d.chosen[map]?.join(',')}` : '') +
          `; usable ${valueText(info['usablePaths'])}; VMs on it ${valueText(info['users'])}` +
          (info['selector'] ? `; selector ${valueText(info['selector'])}` : ''),
      );
    }
    const limits = d.inputs['limits'];
    if (limits && Object.keys(limits).length) out.push(`limits: ${JSON.stringify(limits)}`);
    if (d.inputs['reservation']) out.push(`reservation: ${JSON.stringify(d.inputs['reservation'])}`);
    out.push('why:');
    for (const r of d.reasons) out.push(`  - ${r}`);
  }
  out.push(e.actions.length ? 'actions:' : 'actions: none (everything is as desired)');
  for (const a of e.actions)
    out.push(
      `  - ${a.kind} ${actionTarget(a)}\n      because ${a.reason}\n      from ${a.origins.map(originText).join(', ') || '-'}`,
    );
  for (const w of e.warnings) out.push(`warning: ${w.message} [${w.code}]`);
  return out.join('\n') + '\n';
}

async function observed(root: string): Promise<{ snapshot: HostSnapshot; memory: AgentMemory }> {
  const ctx = await openHostActContext({ root, dryRun: true });
  try {
    return { snapshot: await observeHost(ctx), memory: ctx.journal.memory() };
  } finally {
    await ctx.close();
  }
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'why a VM is on its paths and limits: every decision, its inputs and policy origins',
  usage:
    'vmpath explain VM [--snapshot FILE.json] [--config FILE] [--cluster-config FILE] [--memory FILE.json] [--json]',
  options: {
    snapshot: {
      type: 'string',
      description: 'decide on this HostSnapshot JSON instead of observing the host',
    },
    config: { type: 'string', description: `host config file (default ${HOST_CONFIG_PATH} when it exists)` },
    'cluster-config': {
      type: 'string',
      description: `cluster policy file (default ${CLUSTER_CONFIG_PATH} when it exists)`,
    },
    memory: {
      type: 'string',
      description: 'AgentMemory JSON (default: the journal, or empty with --snapshot)',
    },
    root: { type: 'string', description: 'host root for observing (default /)' },
  },
  description:
    'Decides for the whole host without changing anything, then prints for VM (id or name): its policy with the\n' +
    'origin of every value, per map the mechanism and paths, the reasons, the actions vmpath would take and warnings.',
  async run(args, io) {
    const v = args.values;
    const wanted = args.positionals[0];
    if (!wanted) throw new UsageError('explain: which VM? (vmpath explain VM)');
    const host: ParsedConfig =
      typeof v.config === 'string'
        ? loadConfigFile(v.config)
        : v.snapshot
          ? EMPTY_CONFIG
          : loadOptionalConfigFile(HOST_CONFIG_PATH);
    const cluster: ParsedConfig =
      typeof v['cluster-config'] === 'string'
        ? loadConfigFile(v['cluster-config'], 'cluster')
        : v.snapshot
          ? EMPTY_CONFIG
          : loadOptionalConfigFile(CLUSTER_CONFIG_PATH, 'cluster');
    const { snapshot, memory } =
      typeof v.snapshot === 'string'
        ? { snapshot: readJson<HostSnapshot>(v.snapshot, 'snapshot'), memory: EMPTY_MEMORY }
        : await observed(typeof v.root === 'string' ? v.root : '/');
    const mem =
      typeof v.memory === 'string'
        ? { ...EMPTY_MEMORY, ...readJson<AgentMemory>(v.memory, 'memory') }
        : memory;
    const vm = snapshot.vms.find((x) => x.id === wanted) ?? snapshot.vms.find((x) => x.name === wanted);
    if (!vm) throw new VmNotFoundError(`no VM ${JSON.stringify(wanted)} on this host`, { vm: wanted });
    const plugins = createPluginHost();
    await loadPlugins(plugins, host.plugins);
    const { policies, problems } = buildPolicySet({
      host,
      cluster,
      vms: snapshot.vms,
      plugin: (x) => plugins.policyLayersFor(x),
    });
    const plan = decide({
      snapshot,
      policies,
      memory: mem,
      nowMs: Date.now(),
      config: { ...cluster.engine, ...host.engine },
      selectors: plugins.selectors,
    });
    let policy: VmPolicy | { error: string };
    try {
      policy = resolvePolicy(layersForVm(policies, vm.id), vm.id);
    } catch (err) {
      policy = { error: err instanceof Error ? err.message : String(err) };
    }
    const e = explainVm(vm, plan, policy);
    const extra = problems
      .filter((p) => p.subject === `vm ${vm.id}`)
      .map((p) => ({ subject: p.subject, code: p.code, message: p.message }));
    const failed = plugins
      .records()
      .filter((r) => r.state === 'failed')
      .map((r) => ({
        subject: `plugin ${r.id}`,
        code: r.error?.code ?? 'failed',
        message: r.error?.message ?? 'failed',
      }));
    const full = { ...e, warnings: [...e.warnings, ...extra, ...failed] };
    io.out(v.json ? JSON.stringify(full, null, 2) + '\n' : explanationText(full));
    return 0;
  },
};
