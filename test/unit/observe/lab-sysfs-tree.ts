/**
 * Test helper: rebuilds a sysfs tree captured in the lab (`sysfs.txt` of test/fixtures/lab/nvme-*,
 * written by test/lab/lib/capture.ts sysfsTreeListing) inside a HostTree, links as the kernel
 * made them (relative), so RootedHostFs reads it the way observe reads /sys.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplayCommandRunner } from '../../../agent/os/replay-runner';
import { HostTree } from './host-tree';

export const LAB_FIXTURES = path.resolve(__dirname, '../../fixtures/lab');

function unescape(v: string): string {
  return v.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** A HostTree holding the listing of test/fixtures/lab/DIR/sysfs.txt. */
export function labSysfsTree(dir: string): HostTree {
  const file = path.join(LAB_FIXTURES, dir, 'sysfs.txt');
  if (!fs.existsSync(file)) throw new Error(`lab fixture missing: ${file} (scripts/lab run nvme)`);
  const t = new HostTree();
  const real = (p: string) => path.join(t.root, p);
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^(\/\S*) -> (\S+)$/.exec(line))) {
      const [, p = '', target = ''] = m;
      fs.mkdirSync(path.dirname(real(p)), { recursive: true });
      fs.symlinkSync(target.startsWith('/') ? path.relative(path.dirname(p), target) : target, real(p));
    } else if ((m = /^(\/\S*): ?(.*)$/.exec(line))) {
      const [, p = '', value = ''] = m;
      if (/^<[A-Z0-9]+>$|^<\d+ bytes>$/.test(value)) continue; // unreadable or not kept
      t.file(p, `${unescape(value)}\n`);
    } else if ((m = /^(\/\S*)\/$/.exec(line))) {
      fs.mkdirSync(real(m[1] ?? ''), { recursive: true });
    } else if (line.trim()) {
      throw new Error(`${file}: cannot read line ${JSON.stringify(line)}`);
    }
  }
  return t;
}

/** The commands observe runs, answered as in the lab's NVMe run (no multipathd, no dm maps). */
export function noMultipathRunner(): ReplayCommandRunner {
  const none = { exitCode: 0, stdout: 'No devices found\n', stderr: '' };
  return new ReplayCommandRunner({
    'multipathd show maps json': { exitCode: 1, stdout: '', stderr: '' },
    'dmsetup table --target multipath': none,
    'dmsetup status --target multipath': none,
    'dmsetup table': none,
    'multipath -h': { exitCode: 1, stdout: '', stderr: 'multipath-tools v0.9.4 (12/19, 2022)\nUsage:\n' },
  });
}
