/**
 * `vmpath agent`: the daemon on a real host. Level-based loop (loop/controller.ts) woken by
 * dm-multipath uevents, hook notices on the notify socket, a poll timer and a rebalance timer.
 * On start it settles interrupted journal intents (a crash mid-plan) before the first reconcile.
 * It stops on SIGTERM/SIGINT after the reconcile in progress; VMs it paused stay journaled and are
 * resumed by the next agent (or `vmpath release`).
 */
import type { openHostActContext } from '../act/host-context';
import type { Action } from '../model/plan';
import { Controller } from './controller';
import { openHostRuntime } from './host-runtime';
import { NotifyServer, noticeKey } from './notify-server';
import type { ReconcileResult } from './reconciler';
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
  const host = await openHostRuntime({
    root: o.root,
    mode: o.mode,
    ...(o.configPath ? { configPath: o.configPath } : {}),
    ...(o.clusterPath ? { clusterPath: o.clusterPath } : {}),
    ...(o.journalPath ? { journalPath: o.journalPath } : {}),
    ...(o.seams ? { seams: o.seams } : {}),
    onProblem: (p) => o.log(p.level, p.subject, p.code ? `${p.message} [${p.code}]` : p.message),
    pluginLog: (level, m) => o.log(level, 'plugins', m),
  });
  const { ctx, runtime, plugins } = host;
  const cleanups: Array<() => Promise<void> | void> = [() => ctx.close()];
  try {
    for (const r of host.recovered)
      o.log('warn', `${r.kind} ${r.actionId}`, `interrupted by a crash: ${r.settled} — ${r.message}`);
    for (const rec of host.pluginRecords)
      o.log(
        rec.state === 'active' ? 'info' : 'error',
        `plugin ${rec.id}`,
        rec.state === 'active' ? 'active' : `failed: ${rec.error?.message ?? ''}`,
      );
    if (host.clusterSource)
      o.log(
        'info',
        'cluster',
        `path health exchanged through ${host.clusterSource.dir}${o.mode === 'act' ? '' : ' (read only)'}`,
      );
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
