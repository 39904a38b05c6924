/** Options and context shared by the commands that act on a host (release, pause, resume, apply, plan). */
import { openHostActContext } from '../act/host-context';
import { HOST_CONFIG_PATH, readConfigUnder } from '../config';
import type { OptionSpec, ParsedArgs } from './command';

export const ACT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  root: { type: 'string', description: 'host root directory (default /)' },
  journal: { type: 'string', description: 'journal file (default /var/lib/vmpath/journal.jsonl)' },
  'dry-run': { type: 'boolean', description: 'show what would run, change nothing' },
  config: { type: 'string', description: 'config file (default /etc/vmpath/config.json under the root)' },
};

/**
 * The ActContext that --root, --journal and --dry-run describe; VM control follows the host
 * config file's `control` section (`--config`, default /etc/vmpath/config.json under the root).
 */
export async function openActContextFromArgs(args: ParsedArgs): ReturnType<typeof openHostActContext> {
  const v = args.values;
  const root = typeof v.root === 'string' ? v.root : '/';
  const config = await readConfigUnder(root, typeof v.config === 'string' ? v.config : HOST_CONFIG_PATH);
  return openHostActContext({
    root,
    ...(typeof v.journal === 'string' ? { journalPath: v.journal } : {}),
    dryRun: v['dry-run'] === true,
    control: config.control,
  });
}
