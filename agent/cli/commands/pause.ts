import type { Command } from '../command';
import { applyPlan } from '../../act';
import { exitCodeFor, resultLines } from '../../act/results-text';
import { UsageError } from '../../model/errors';
import { validateVmId } from '../../model/names';
import { ACT_OPTIONS, openActContextFromArgs } from '../act-options';

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'pause a VM (journaled: vmpath will resume it, `vmpath release` too)',
  usage: 'vmpath pause VM [--reason TEXT] [--dry-run] [--root DIR] [--journal FILE] [--json]',
  description:
    "Pauses through QMP (Proxmox) or libvirt. The pause is recorded as made by vmpath, so the\nagent resumes it (per the VM's resume policy) and `vmpath release` resumes it.",
  options: {
    reason: { type: 'string', description: 'why (kept in the journal)' },
    ...ACT_OPTIONS,
  },
  async run(args, io) {
    const vmId = args.positionals[0];
    if (!vmId) throw new UsageError('pause: which VM? (vmpath pause VM)');
    validateVmId(vmId);
    const v = args.values;
    const ctx = await openActContextFromArgs(args);
    try {
      const reason = typeof v.reason === 'string' ? v.reason : 'operator request';
      const results = await applyPlan(
        ctx,
        {
          actions: [
            { kind: 'pause-vm', id: `pause-vm:${vmId}`, vmId, reason, origins: [], trigger: 'operator' },
          ],
          decisions: [],
          warnings: [],
        },
        { dryRun: v['dry-run'] === true },
      );
      io.out(v.json ? JSON.stringify({ results }, null, 2) + '\n' : resultLines(results));
      return exitCodeFor(results);
    } finally {
      await ctx.close();
    }
  },
};
