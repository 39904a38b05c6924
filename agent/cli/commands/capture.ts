/**
 * `vmpath capture [-o FILE] [--root DIR]`: record what observe reads on this host (sysfs, procfs
 * and cgroupfs files, command outputs, versions) into one gzipped JSON archive for bug reports.
 * Secrets are left out (docs/observe.md, "Privacy"). Replay with `vmpath snapshot --from FILE`.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from '../command';
import { captureHost, encodeCapture } from '../../observe/capture';
import { RootedHostFs } from '../../os/host-fs';
import { ProcessCommandRunner } from '../../os/command-runner';

function defaultName(hostname: string, ms: number): string {
  const stamp = new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `vmpath-capture-${hostname.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.json.gz`;
}

export const captureCommand: Command = {
  name: 'capture',
  summary: 'record what observe reads (files, command outputs) into one archive, without secrets',
  usage: 'vmpath capture [-o FILE] [--root DIR] [--json]',
  description: [
    'Runs one observation through recording seams and writes a gzipped JSON archive of exactly what',
    'it read. Never read: /etc/pve/priv, process environments. Secrets in QEMU command lines',
    '(password=, secret objects, URL passwords) are redacted. Replay: vmpath snapshot --from FILE.',
  ].join('\n'),
  options: {
    output: {
      type: 'string',
      short: 'o',
      description: 'archive file (default vmpath-capture-HOST-TIME.json.gz)',
    },
    root: { type: 'string', description: 'read host files under DIR instead of / (commands still run here)' },
  },
  async run(args, io) {
    const root = typeof args.values.root === 'string' ? args.values.root : '/';
    const { archive, snapshot } = await captureHost({
      fs: new RootedHostFs(root),
      runner: new ProcessCommandRunner(),
      clock: { nowMs: () => Date.now() },
    });
    const file =
      typeof args.values.output === 'string'
        ? args.values.output
        : defaultName(snapshot.host.hostname, archive.createdAtMs);
    const data = encodeCapture(archive);
    await writeFile(file, data, { mode: 0o600 });
    const summary = {
      file,
      bytes: data.length,
      files: Object.keys(archive.files).length,
      commands: Object.keys(archive.commands).length,
      maps: snapshot.maps.length,
      paths: snapshot.paths.length,
      vms: snapshot.vms.length,
      diagnostics: snapshot.diagnostics.length,
    };
    if (args.values.json) io.out(JSON.stringify(summary) + '\n');
    else
      io.out(
        `wrote ${file} (${summary.bytes} bytes: ${summary.files} files, ${summary.commands} commands; ` +
          `${summary.maps} maps, ${summary.paths} paths, ${summary.vms} VMs, ${summary.diagnostics} diagnostics)\n`,
      );
    return 0;
  },
};
