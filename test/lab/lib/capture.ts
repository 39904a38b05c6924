/** Saves what the host's tools and sysfs say, as fixtures for the parsers and the simulator. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseContext } from './case';
import { sh } from './sh';

const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  'multipath-ll.txt': ['multipath', '-ll'],
  'dmsetup-table.txt': ['dmsetup', 'table'],
  'dmsetup-status.txt': ['dmsetup', 'status'],
  'dmsetup-ls-tree.txt': ['dmsetup', 'ls', '--tree'],
  'dmsetup-info.txt': ['dmsetup', 'info', '-c', '-o', 'name,uuid,major,minor,attr,open,segments,events'],
  'maps.json': ['multipathd', 'show', 'maps', 'json'],
  'show-paths.txt': ['multipathd', 'show', 'paths'],
  'show-paths-raw.txt': ['multipathd', 'show', 'paths', 'raw', 'format', '%w|%i|%d|%D|%t|%T|%o|%p|%s|%a|%P'],
  'show-maps-raw.txt': ['multipathd', 'show', 'maps', 'raw', 'format', '%n|%w|%d|%N|%Q|%r|%t|%x|%G'],
  'show-topology.txt': ['multipathd', 'show', 'topology'],
  'lsblk.txt': ['lsblk', '-o', 'NAME,KNAME,MAJ:MIN,TYPE,SIZE,RO'],
};

/** Runs every command of COMMANDS and saves its output under dir/ (exit status noted when not 0). */
export function captureState(
  ctx: CaseContext,
  dir: string,
  extra: Record<string, readonly string[]> = {},
): void {
  for (const [file, argv] of Object.entries({ ...COMMANDS, ...extra })) {
    const r = sh(argv, { allowFail: true, timeoutMs: 30_000 });
    const note = r.status === 0 ? '' : `# exit status ${r.status}; stderr: ${r.stderr.trim()}\n`;
    ctx.save(path.join(dir, file), note + r.stdout);
  }
}

/**
 * A listing of /sys/block/DEV: every readable attribute up to two levels down (the `device/`
 * link followed one level), as `relative/path: value` lines; links as `name -> target`.
 */
export function sysfsListing(dev: string): string {
  const root = `/sys/block/${dev}`;
  const lines: string[] = [];
  const walk = (rel: string, depth: number) => {
    const abs = path.join(root, rel);
    let names: string[];
    try {
      names = fs.readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const p = path.join(root, r);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) {
        lines.push(`${r} -> ${fs.readlinkSync(p)}`);
        if (n === 'device' && depth === 0) walk(r, depth + 1);
      } else if (st.isDirectory()) {
        lines.push(`${r}/`);
        if (depth < 1 && !['power', 'trace', 'integrity', 'mq'].includes(n)) walk(r, depth + 1);
      } else if (st.mode & 0o444) {
        let v: string;
        try {
          v = fs.readFileSync(p, 'utf8').trim();
        } catch (e) {
          v = `<${(e as NodeJS.ErrnoException).code ?? 'error'}>`;
        }
        if (v.length > 300 || v.includes('\0')) v = `<${v.length} bytes>`;
        lines.push(`${r}: ${v.replace(/\n/g, '\\n')}`);
      }
    }
  };
  walk('', 0);
  return `${lines.join('\n')}\n`;
}

/** Directories and links a sysfs tree listing never descends into (big, binary or cyclic). */
const TREE_SKIP: ReadonlySet<string> = new Set([
  'power',
  'trace',
  'integrity',
  'mq',
  'queue',
  'subsystem',
  'driver',
  'firmware_node',
  'bdi',
  'hwmon',
]);

/**
 * A listing of sysfs trees by absolute path, so that a test can rebuild them (links and all)
 * under a temp root: `dir/`, `path: value` (backslashes and newlines escaped), `link -> target`
 * (the raw readlink). From each start the walk follows links and directories `maxDepth` levels
 * down, listing each real directory once; `<N bytes>` for long or binary values, `<ECODE>`
 * for an attribute that failed to read.
 */
export function sysfsTreeListing(starts: readonly string[], maxDepth = 2): string {
  const lines = new Map<string, string>();
  const listed = new Set<string>();
  const walkDir = (dir: string, depth: number) => {
    if (listed.has(dir)) return;
    listed.add(dir);
    lines.set(dir, `${dir}/`);
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) visit(path.join(dir, n), depth + 1);
  };
  const visit = (p: string, depth: number) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    const name = path.basename(p);
    if (st.isSymbolicLink()) {
      lines.set(p, `${p} -> ${fs.readlinkSync(p)}`);
      if (depth > maxDepth || TREE_SKIP.has(name)) return;
      let real: string;
      try {
        real = fs.realpathSync(p);
      } catch {
        return;
      }
      if (fs.statSync(real).isDirectory()) walkDir(real, depth);
      else visit(real, depth);
    } else if (st.isDirectory()) {
      if (depth > maxDepth || TREE_SKIP.has(name)) lines.set(p, `${p}/`);
      else walkDir(p, depth);
    } else if (st.mode & 0o444) {
      let v: string;
      try {
        v = fs.readFileSync(p, 'utf8').trim();
      } catch (e) {
        v = `<${(e as NodeJS.ErrnoException).code ?? 'error'}>`;
      }
      if (v.length > 300 || v.includes('\0')) v = `<${v.length} bytes>`;
      lines.set(p, `${p}: ${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    }
  };
  for (const s of starts) visit(s, 0);
  return `${[...lines.keys()]
    .sort()
    .map((k) => lines.get(k))
    .join('\n')}\n`;
}
