import type { Command } from '../command';
import { ACT_OPTIONS, openActContextFromArgs } from '../act-options';
import { recoverJournal } from '../../act/recover';
import { releaseChanges } from '../../act/release';
import { exitCodeFor, resultLines } from '../../act/results-text';

export const releaseCommand: Command = {
  name: 'release',
  summary: 'revert every change vmpath made (limits, per-VM maps, groups, failback file, its pauses)',
  usage: 'vmpath release (--all | --vm ID) [--dry-run] [--root DIR] [--journal FILE] [--json]',
  description: [
    'Walks the journal ledger and puts each object back as vmpath found it: LVs onto their shared',
    'maps first, then per-VM maps removed, groups, paths, queueing, vmpath.conf (+ multipathd',
    "reconfigure), cgroup limits and weights; VMs vmpath paused are resumed (never anyone else's).",
    "Interrupted actions from a crash are settled first. --vm releases only that VM's changes.",
  ].join('\n'),
  options: {
    all: { type: 'boolean', description: 'release everything, host-level changes included' },
    vm: { type: 'string', description: "release only this VM's changes" },
    ...ACT_OPTIONS,
  },
  async run(args, io) {
    const v = args.values;
    const ctx = await openActContextFromArgs(args);
    try {
      const dryRun = v['dry-run'] === true;
      const recovered = dryRun ? [] : await recoverJournal(ctx);
      const results = await releaseChanges(ctx, {
        ...(v.all === true ? { all: true } : {}),
        ...(typeof v.vm === 'string' ? { vmId: v.vm } : {}),
        dryRun,
      });
      if (v.json) io.out(JSON.stringify({ recovered, results }, null, 2) + '\n');
      else {
        for (const r of recovered)
          io.out(`recovered ${r.actionId} (${r.kind}): ${r.settled} — ${r.message}\n`);
        io.out(resultLines(results));
      }
      return exitCodeFor(results);
    } finally {
      await ctx.close();
    }
  },
};
