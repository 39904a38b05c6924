/** Options and context shared by the commands that act on a host (release, pause, resume, apply, plan). */
import { openHostActContext } from '../act/host-context';
import type { OptionSpec, ParsedArgs } from './command';

export const ACT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  root: { type: 'string', description: 'host root directory (default /)' },
  journal: { type: 'string', description: 'journal file (default /var/lib/vmpath/journal.jsonl)' },
  'dry-run': { type: 'boolean', description: 'show what would run, change nothing' },
};

/** The ActContext that --root, --journal and --dry-run describe. */
export function openActContextFromArgs(args: ParsedArgs): ReturnType<typeof openHostActContext> {
  const v = args.values;
  return openHostActContext({
    ...(typeof v.root === 'string' ? { root: v.root } : {}),
    ...(typeof v.journal === 'string' ? { journalPath: v.journal } : {}),
    dryRun: v['dry-run'] === true,
  });
}
