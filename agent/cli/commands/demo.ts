import type { Command } from '../command';
import { UsageError } from '../../model/errors';
import { runDemo } from '../demo/run-demo';

function positive(name: string, raw: unknown, fallback?: number): number | undefined {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run vmpath on its embedded simulated host, with faults injected on a schedule (live view)',
  usage: 'vmpath demo [--duration S] [--speed X] [--seed N] [--plain] [--no-colour] [--json]',
  description: [
    'Starts the real agent loop (observe → decide → act, journaled) against a simulated host with',
    'paths over two fabrics, VM-owned LUNs and a shared LVM LUN, five Proxmox-style VMs, and a',
    'fault schedule (fabric A fails at 10 s, the shared LUN loses every path at 40 s, a path flaps at',
    '65 s; the schedule loops every 90 s). On a terminal it redraws a live view; otherwise (or with',
    '--plain) it prints one line per fault, uevent and action. --json prints a summary at the end.',
    '',
    'Examples:',
    '  vmpath demo                         # live, until Ctrl-C',
    '  vmpath demo --duration 90 --speed 10 --plain',
  ].join('\n'),
  options: {
    duration: {
      type: 'string',
      description: 'simulated seconds to run (default: until Ctrl-C; 90 when not a terminal)',
    },
    speed: { type: 'string', description: 'simulated seconds per real second (default 1)' },
    seed: { type: 'string', description: 'random seed of the simulated workloads' },
    plain: { type: 'boolean', description: 'print log lines instead of redrawing the screen' },
    'no-colour': { type: 'boolean', description: 'no ANSI colours' },
  },
  async run(args, io) {
    const live = io.isTty && !args.values.plain && !args.values.json;
    const durationS = positive('duration', args.values.duration, live ? undefined : 90);
    const speed = positive('speed', args.values.speed, 1) as number;
    const seed = positive('seed', args.values.seed);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const summary = await runDemo(
        {
          ...(durationS !== undefined ? { durationS } : {}),
          ...(seed !== undefined ? { seed } : {}),
          speed,
          live,
          colour: live && !args.values['no-colour'],
          signal: abort.signal,
        },
        args.values.json ? { ...io, out: () => undefined } : io,
      );
      if (args.values.json) io.out(JSON.stringify(summary, null, 2) + '\n');
      else
        io.out(
          `\ndemo finished: ${summary.simulatedS.toFixed(0)} s simulated, ${summary.reconciles} reconciles, ${summary.faults} faults, ` +
            `actions ${JSON.stringify(summary.actions)}, ${summary.failedActions} failed\n`,
        );
      return summary.failedActions > 0 ? 1 : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
