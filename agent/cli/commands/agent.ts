import type { Command } from '../command';
import { UsageError } from '../../model/errors';
import { runHostAgent } from '../../loop/host-agent';

function seconds(name: string, raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds`);
  return n * 1000;
}

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run the vmpath agent on this host (uevents + polling + rebalance; journaled)',
  usage: 'vmpath agent [--observe-only | --dry-run] [--once] [--root DIR] [--config FILE] [--json] ...',
  description: [
    'The daemon: observes dm-multipath, sysfs and the VMs, decides, and acts, woken by dm-multipath',
    'uevents (udevadm monitor), hook notices on the notify socket, a poll timer and a rebalance timer.',
    'On start it settles actions a crash interrupted (journal). --observe-only never acts; --dry-run',
    'logs what it would do. Logs name the object first; --json logs one JSON object per line.',
    'Runs in the foreground (systemd: Type=simple); SIGTERM/SIGINT stop it after the reconcile in progress.',
  ].join('\n'),
  options: {
    root: { type: 'string', description: 'host root directory (default /)' },
    config: { type: 'string', description: 'host config file (default /etc/vmpath/config.json)' },
    'cluster-config': { type: 'string', description: 'cluster config file (default /etc/pve/vmpath.json)' },
    journal: { type: 'string', description: 'journal file (default /var/lib/vmpath/journal.jsonl)' },
    'observe-only': { type: 'boolean', description: 'observe and decide, never act' },
    'dry-run': { type: 'boolean', description: 'log what would be done, change nothing' },
    once: { type: 'boolean', description: 'one reconcile, then exit' },
    poll: { type: 'string', description: 'poll interval in seconds (default 10)' },
    rebalance: { type: 'string', description: 'rebalance interval in seconds (default 300)' },
    'notify-socket': {
      type: 'string',
      description: 'hook socket (default /run/vmpath/notify.sock; "none" disables)',
    },
    'no-uevents': { type: 'boolean', description: 'do not watch kernel uevents (polling only)' },
  },
  async run(args, io) {
    const v = args.values;
    if (v['observe-only'] && v['dry-run'])
      throw new UsageError('--observe-only and --dry-run exclude each other');
    const root = typeof v.root === 'string' ? v.root : '/';
    const socket = typeof v['notify-socket'] === 'string' ? v['notify-socket'] : '/run/vmpath/notify.sock';
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      return await runHostAgent({
        root,
        mode: v['observe-only'] ? 'observe-only' : v['dry-run'] ? 'dry-run' : 'act',
        ...(typeof v.config === 'string' ? { configPath: v.config } : {}),
        ...(typeof v['cluster-config'] === 'string' ? { clusterPath: v['cluster-config'] } : {}),
        ...(typeof v.journal === 'string' ? { journalPath: v.journal } : {}),
        pollIntervalMs: seconds('poll', v.poll, 10),
        rebalanceIntervalMs: seconds('rebalance', v.rebalance, 300),
        ...(socket !== 'none' ? { notifySocket: socket } : {}),
        uevents: !v['no-uevents'] && root === '/',
        ...(v.once ? { maxReconciles: 1 } : {}),
        signal: abort.signal,
        log: (level, subject, message, extra) => {
          const at = new Date().toISOString();
          if (v.json) io.out(JSON.stringify({ at, level, subject, message, ...(extra ?? {}) }) + '\n');
          else (level === 'error' ? io.err : io.out)(`${at} ${level.padEnd(5)} ${subject}: ${message}\n`);
        },
      });
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
  },
};
