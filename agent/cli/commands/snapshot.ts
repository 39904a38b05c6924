/**
 * `vmpath snapshot [--from CAPTURE] [--root DIR] [--json]`: observe this host (or a host tree
 * under --root, or a capture made by `vmpath capture`) and print the snapshot.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from '../command';
import { UsageError } from '../../model/errors';
import { observeHost } from '../../observe';
import { openCapture } from '../../observe/capture';
import { snapshotText } from '../../observe/snapshot-text';
import { RootedHostFs } from '../../os/host-fs';
import { ProcessCommandRunner } from '../../os/command-runner';
import type { HostSnapshot } from '../../model/snapshot';

async function fromCapture(file: string): Promise<HostSnapshot> {
  const opened = await openCapture(await readFile(file));
  try {
    return await observeHost({ fs: opened.fs, runner: opened.runner, clock: opened.clock });
  } finally {
    await opened.dispose();
  }
}

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'observe the host (or a capture) and print maps, paths, VMs and diagnostics',
  usage: 'vmpath snapshot [--from CAPTURE] [--root DIR] [--json]',
  description: [
    'Reads sysfs, procfs, cgroupfs and the multipath tools exactly as the agent does (docs/observe.md).',
    'Nothing is changed. Exit code 0 even with diagnostics: they are part of the output.',
    '',
    'Examples:',
    '  vmpath snapshot',
    '  vmpath snapshot --from vmpath-capture-pve1.json.gz --json',
  ].join('\n'),
  options: {
    from: { type: 'string', description: 'replay a capture archive made by `vmpath capture`' },
    root: { type: 'string', description: 'read host files under DIR instead of / (commands still run here)' },
  },
  async run(args, io) {
    const from = args.values.from;
    const root = args.values.root;
    if (from !== undefined && root !== undefined)
      throw new UsageError('snapshot: --from and --root exclude each other');
    const snapshot =
      typeof from === 'string'
        ? await fromCapture(from)
        : await observeHost({
            fs: new RootedHostFs(typeof root === 'string' ? root : '/'),
            runner: new ProcessCommandRunner(),
            clock: { nowMs: () => Date.now() },
          });
    io.out(args.values.json ? JSON.stringify(snapshot, null, 2) + '\n' : snapshotText(snapshot));
    return 0;
  },
};
