import type { Command } from '../command';
import { applyPlan } from '../../act';
import { exitCodeFor, resultLines } from '../../act/results-text';
import { UsageError } from '../../model/errors';
import { validateVmId } from '../../model/names';
import { ACT_OPTIONS, openActContextFromArgs } from '../act-options';

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'resume a VM vmpath paused (--force: also one paused by someone else)',
  usage: 'vmpath resume VM [--force] [--dry-run] [--root DIR] [--journal FILE] [--json]',
  description:
    'Without --force vmpath resumes only VMs it paused itself (the journal says which); a VM paused\nby an operator, HA or QEMU (io-error) is left alone.',
  options: {
    force: { type: 'boolean', description: 'resume even if vmpath did not pause it' },
    ...ACT_OPTIONS,
  },
  async run(args, io) {
    const vmId = args.positionals[0];
    if (!vmId) throw new UsageError('resume: which VM? (vmpath resume VM)');
    validateVmId(vmId);
    const v = args.values;
    const ctx = await openActContextFromArgs(args);
    try {
      const results = await applyPlan(
        ctx,
        {
          actions: [
            {
              kind: 'resume-vm',
              id: `resume-vm:${vmId}`,
              vmId,
              reason: 'operator request',
              origins: [],
              trigger: 'operator',
            },
          ],
          decisions: [],
          warnings: [],
        },
        { dryRun: v['dry-run'] === true, ...(v.force === true ? { forceResume: true } : {}) },
      );
      io.out(v.json ? JSON.stringify({ results }, null, 2) + '\n' : resultLines(results));
      return exitCodeFor(results);
    } finally {
      await ctx.close();
    }
  },
};
