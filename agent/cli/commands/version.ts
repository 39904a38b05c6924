import type { Command } from '../command';
import { VERSION } from '../../version';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the vmpath version (and Node.js version with --json)',
  usage: 'vmpath version [--json]',
  options: {},
  async run(args, io) {
    if (args.values.json) io.out(JSON.stringify({ vmpath: VERSION, node: process.versions.node }) + '\n');
    else io.out(`vmpath ${VERSION} (node ${process.versions.node})\n`);
    return 0;
  },
};
