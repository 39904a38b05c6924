/**
 * One reconcile's worth of wiring for a real host (or any root), shared by `vmpath agent` and
 * `vmpath plan|apply`: the host and cluster config files (a broken one refuses to start),
 * plugins, the act context with the config's VM control backends and the journal, the journal's
 * crash recovery (only when acting), the cluster view source (publishing only when acting), and
 * the AgentRuntime over all of it. The caller owns `ctx.close()`.
 */
import { openHostActContext } from '../act/host-context';
import { recoverJournal, type RecoveryResult } from '../act/recover';
import type { ActContext } from '../act/types';
import type { ParsedConfig } from '../config';
import { ProcessCommandRunner } from '../os/command-runner';
import { createPluginHost, loadPlugins } from '../plugins';
import { openClusterSource, type FileClusterSource } from './cluster-source';
import { HostPolicies } from './host-policies';
import { AgentRuntime, type RuntimeMode } from './runtime';

export interface HostProblem {
  readonly level: 'info' | 'warn' | 'error';
  readonly subject: string;
  readonly code?: string;
  readonly message: string;
}

export interface HostRuntimeOptions {
  readonly root: string;
  readonly mode: RuntimeMode;
  readonly configPath?: string;
  readonly clusterPath?: string;
  readonly journalPath?: string;
  /** Seams for tests and the simulator; default: the real host under `root`. */
  readonly seams?: Parameters<typeof openHostActContext>[0];
  /** Config, metadata, plugin and cluster problems met now or at any later reconcile. */
  readonly onProblem: (p: HostProblem) => void;
  /** Plugin messages (their own log lines). */
  readonly pluginLog?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface HostRuntime {
  readonly ctx: ActContext & { close(): Promise<void> };
  readonly runtime: AgentRuntime;
  readonly files: { host: ParsedConfig; cluster: ParsedConfig };
  readonly plugins: ReturnType<typeof createPluginHost>;
  readonly pluginRecords: Awaited<ReturnType<typeof loadPlugins>>;
  /** Intents a crashed run left open, settled from what the host shows (acting only). */
  readonly recovered: readonly RecoveryResult[];
  readonly clusterSource?: FileClusterSource;
}

export async function openHostRuntime(o: HostRuntimeOptions): Promise<HostRuntime> {
  const acting = o.mode === 'act';
  const runner = o.seams?.runner ?? new ProcessCommandRunner();
  const plugins = createPluginHost(o.pluginLog ? { log: o.pluginLog } : {});
  const policies = new HostPolicies({
    root: o.root,
    ...(o.configPath ? { configPath: o.configPath } : {}),
    ...(o.clusterPath ? { clusterPath: o.clusterPath } : {}),
    plugins,
    runner,
    onProblem: (p) => o.onProblem({ level: 'warn', ...p }),
  });
  const files = await policies.loadFiles(); // a broken config at start is an error: refuse to run
  const pluginRecords = await loadPlugins(plugins, files.host.plugins);
  const ctx = await openHostActContext({
    root: o.root,
    dryRun: !acting,
    control: files.host.control,
    ...(o.journalPath ? { journalPath: o.journalPath } : {}),
    ...(o.seams ?? {}),
    runner,
  });
  try {
    // Settle actions a crashed run left half-done before deciding anew (never when not acting).
    const recovered = acting ? await recoverJournal(ctx) : [];
    const clusterSource = await openClusterSource({
      root: o.root,
      config: files.host.cluster,
      fs: ctx.fs,
      publish: acting,
      onProblem: (d) => o.onProblem({ ...d, level: d.level === 'info' ? 'info' : 'warn' }),
    });
    const runtime = new AgentRuntime({
      fs: ctx.fs,
      runner: ctx.runner,
      vmControl: ctx.vmControl,
      clock: ctx.clock,
      journal: ctx.journal,
      selectors: plugins.selectors,
      policies: (s) => policies.forSnapshot(s),
      engine: files.host.engine,
      mode: o.mode,
      ...(clusterSource ? { clusterSource } : {}),
    });
    return {
      ctx,
      runtime,
      files,
      plugins,
      pluginRecords,
      recovered,
      ...(clusterSource ? { clusterSource } : {}),
    };
  } catch (e) {
    await ctx.close();
    throw e;
  }
}
