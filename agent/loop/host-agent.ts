/**
 * `vmpath agent`: the daemon on a real host. Level-based loop (loop/controller.ts) woken by
 * dm-multipath uevents, hook notices on the notify socket, a poll timer and a rebalance timer.
 * On start it settles interrupted journal intents (a crash mid-plan) before the first reconcile.
 * It stops on SIGTERM/SIGINT after the reconcile in progress; VMs it paused stay journaled and are
 * resumed by the next agent (or `vmpath release`).
 */
import { openHostActContext } from '../act/host-context';
import { HOST_CONFIG_PATH, readConfigUnder, virshMetadataReader } from '../config';
import { recoverJournal } from '../act/recover';
import type { Action } from '../model/plan';
import { createPluginHost, loadPlugins } from '../plugins';
import { openClusterSource } from './cluster-source';
import { Controller } from './controller';
import { HostPolicies } from './host-policies';
import { NotifyServer, noticeKey } from './notify-server';
import type { ReconcileResult } from './reconciler';
import { AgentRuntime } from './runtime';
import type { RuntimeMode } from './runtime';
import { UeventMonitor, ueventKey } from './uevent-monitor';

export interface HostAgentOptions {
  readonly root: string;
  readonly mode: RuntimeMode;
  readonly configPath?: string;
  readonly clusterPath?: string;
  readonly journalPath?: string;
  readonly pollIntervalMs: number;
  readonly rebalanceIntervalMs: number;
  /** Notify socket for hooks; undefined = none. */
  readonly notifySocket?: string;
  /** Watch kernel uevents (udevadm monitor). */
  readonly uevents: boolean;
  /** Stop after this many reconciles (tests, `--once`). */
  readonly maxReconciles?: number;
  readonly log: (
    level: 'info' | 'warn' | 'error',
    subject: string,
    message: string,
    extra?: Record<string, unknown>,
  ) => void;
  readonly signal: AbortSignal;
  /** Seams for tests and the simulator; default: the real host under `root`. */
  readonly seams?: Parameters<typeof openHostActContext>[0];
}

function subjectOf(a: Action): string {
  return 'map' in a ? `map ${a.map}` : `vm ${a.vmId}`;
}

export async function runHostAgent(o: HostAgentOptions): Promise<number> {
  // The host config's `control` section chooses the VM control backends (a broken file: refuse to run).
  const startConfig = await readConfigUnder(o.root, o.configPath ?? HOST_CONFIG_PATH);
  const ctx = await openHostActContext({
    control: startConfig.control,
    root: o.root,
    dryRun: o.mode !== 'act',
    ...(o.journalPath ? { journalPath: o.journalPath } : {}),
    ...(o.seams ?? {}),
  });
  const cleanups: Array<() => Promise<void> | void> = [() => ctx.close()];
  try {
    if (o.mode === 'act') {
      for (const r of await recoverJournal(ctx))
        o.log('warn', `${r.kind} ${r.actionId}`, `interrupted by a crash: ${r.settled} — ${r.message}`);
    }
    const plugins = createPluginHost({ log: (level, m) => o.log(level, 'plugins', m) });
    const policies = new HostPolicies({
      root: o.root,
      ...(o.configPath ? { configPath: o.configPath } : {}),
      ...(o.clusterPath ? { clusterPath: o.clusterPath } : {}),
      plugins,
      libvirtMetadata: virshMetadataReader({
        runner: ctx.runner,
        ...(startConfig.control.libvirtUri ? { uri: startConfig.control.libvirtUri } : {}),
      }),
      onProblem: (p) => o.log('warn', p.subject, `${p.message} [${p.code}]`),
    });
    const files = await policies.loadFiles(); // a broken config at start is an error: refuse to run
    for (const rec of await loadPlugins(plugins, files.host.plugins))
      o.log(
        rec.state === 'active' ? 'info' : 'error',
        `plugin ${rec.id}`,
        rec.state === 'active' ? 'active' : `failed: ${rec.error?.message ?? ''}`,
      );

    const clusterSource = await openClusterSource({
      root: o.root,
      config: files.host.cluster,
      fs: ctx.fs,
      publish: o.mode === 'act',
      onProblem: (d) =>
        o.log(
          d.level === 'info' ? 'info' : 'warn',
          d.subject,
          d.code ? `${d.message} [${d.code}]` : d.message,
        ),
    });
    if (clusterSource)
      o.log(
        'info',
        'cluster',
        `path health exchanged through ${clusterSource.dir}${o.mode === 'act' ? '' : ' (read only)'}`,
      );
    const runtime = new AgentRuntime({
      fs: ctx.fs,
      runner: ctx.runner,
      vmControl: ctx.vmControl,
      clock: ctx.clock,
      journal: ctx.journal,
      selectors: plugins.selectors,
      policies: (s) => policies.forSnapshot(s),
      engine: files.host.engine,
      ...(clusterSource ? { clusterSource } : {}),
      mode: o.mode,
    });
    const controller = new Controller(runtime, {
      pollIntervalMs: o.pollIntervalMs,
      rebalanceIntervalMs: o.rebalanceIntervalMs,
    });
    let reconciles = 0;
    let failed = 0;
    const finished = new Promise<void>((resolve) => {
      controller.on('reconciled', (r: ReconcileResult) => {
        reconciles++;
        if (r.error) o.log('error', 'reconcile', `${r.error.message} [${r.error.code}]`, { keys: r.keys });
        const byId = new Map((r.plan?.actions ?? []).map((a) => [a.id, a]));
        for (const res of r.results) {
          const a = byId.get(res.actionId);
          if (!a || res.outcome === 'unchanged') continue;
          if (res.outcome === 'failed') failed++;
          o.log(
            res.outcome === 'failed' ? 'error' : 'info',
            subjectOf(a),
            `${a.kind} (${a.trigger}) ${res.outcome}: ${a.reason}${res.message ? ` — ${res.message}` : ''}`,
            {
              code: res.code,
            },
          );
        }
        for (const w of r.plan?.warnings ?? []) o.log('warn', w.subject, `${w.message} [${w.code}]`);
        for (const rec of plugins.noteFailures(r.plan ?? { actions: [], decisions: [], warnings: [] }))
          o.log('error', `plugin ${rec.id}`, `failed: ${rec.error?.message ?? ''}`);
        if (o.maxReconciles !== undefined && reconciles >= o.maxReconciles) resolve();
      });
      o.signal.addEventListener('abort', () => resolve(), { once: true });
    });

    if (o.uevents) {
      const monitor = new UeventMonitor();
      monitor.on('uevent', (ev) => {
        const key = ueventKey(ev);
        if (key) controller.enqueue(key);
      });
      monitor.on('error', (e: Error) =>
        o.log('warn', 'uevents', `udevadm monitor: ${e.message}; relying on polling`),
      );
      monitor.start();
      cleanups.push(() => monitor.stop());
    }
    if (o.notifySocket) {
      const server = new NotifyServer(o.notifySocket, (n) => controller.enqueue(noticeKey(n)));
      await server.listen();
      cleanups.push(() => server.close());
    }
    o.log('info', 'agent', `started (${o.mode}) on root ${o.root}`);
    controller.start();
    cleanups.push(() => controller.stop());
    await finished;
    o.log('info', 'agent', `stopping after ${reconciles} reconciles`);
    return failed > 0 ? 1 : 0;
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}
