import type { Command } from '../command';
import { exitCodeFor } from '../../act/results-text';
import { PLAN_OPTIONS, decideHost, printDecision } from './plan';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'observe, decide and act once on this host (journaled); --dry-run = vmpath plan',
  usage: 'vmpath apply [--dry-run] [--config FILE] [--root DIR] [--journal FILE] [--json]',
  description:
    'One reconcile of the agent loop, run by hand: every change is journaled first and can be\nreverted with `vmpath release`. Exit 1 if any action failed.',
  options: PLAN_OPTIONS,
  async run(args, io) {
    const d = await decideHost(args, args.values['dry-run'] === true);
    io.out(printDecision(d, args.values.json === true));
    return exitCodeFor(d.results);
  },
};
