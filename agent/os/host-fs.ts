/**
 * The real HostFs: host paths mapped under a root directory (`/` on a real host). Symlinks are
 * resolved inside the root, so a sysfs tree copied into a capture or kept by the simulator
 * behaves like the real one (absolute link targets are re-rooted).
 *
 * It offers the synchronous reads of HostFsSync (`.sync`); which paths may use them is the
 * caller's choice (see HostFsSync).
 */
import * as fs from 'node:fs';
import { promises as fsp, constants as fsc } from 'node:fs';
import { promisify } from 'node:util';
import * as path from 'node:path';
import type { HostFs, HostFsSync } from '../model/seams';
import { readWholeFile } from './read-async';
import { readWholeFileSync } from './read-sync';

// The callback API wrapped once: fs.promises.readFile goes through a FileHandle and costs about
// twice as much per call, which shows on the thousands of reads of a large host's /proc.
const readFileCb = promisify(fs.readFile);
const readdirCb = promisify(fs.readdir);
const readlinkCb = promisify(fs.readlink);
const accessCb = promisify(fs.access);
const statCb = promisify(fs.stat);

export class RootedHostFs implements HostFs {
  readonly root: string;
  readonly sync: HostFsSync = {
    readFile: (p) => this.readFileSync(p),
    readdir: (p) => this.readdirSync(p),
    readlink: (p) => this.readlinkSync(p),
    realpath: (p) => this.realpathSync(p),
    exists: (p) => this.existsSync(p),
  };

  constructor(root = '/') {
    this.root = path.resolve(root);
  }

  /** See HostFs.directRoot: the tree is plain files under `root`. */
  get directRoot(): string | undefined {
    return this.root;
  }

  /** Map a host path to the real path under the root. */
  resolve(hostPath: string): string {
    // Already normal (absolute, no `//`, `.` or `..` segment): no normalize/join per call.
    if (hostPath.startsWith('/') && !hostPath.includes('//') && !hostPath.includes('/.')) {
      return this.root === '/' ? hostPath : this.root + hostPath;
    }
    const normal = path.posix.normalize('/' + hostPath);
    return this.root === '/' ? normal : path.join(this.root, normal);
  }

  async readFile(p: string): Promise<string> {
    return readWholeFile(this.resolve(p));
  }

  async writeFile(p: string, data: string): Promise<void> {
    // O_WRONLY without O_CREAT|O_TRUNC, like `echo > file` on cgroupfs/sysfs, when the file exists.
    const real = this.resolve(p);
    const handle = await fsp.open(real, fsc.O_WRONLY | (this.root === '/' ? 0 : fsc.O_CREAT | fsc.O_TRUNC));
    try {
      await handle.write(data);
    } finally {
      await handle.close();
    }
  }

  async readdir(p: string): Promise<string[]> {
    return (await readdirCb(this.resolve(p))).sort();
  }

  async readlink(p: string): Promise<string> {
    return readlinkCb(this.resolve(p));
  }

  async realpath(p: string): Promise<string> {
    if (this.root === '/') return fsp.realpath(p);
    // A non-/ root is a local directory (simulator, extracted capture): nothing there can block.
    return this.realpathSync(p);
  }

  async exists(p: string): Promise<boolean> {
    try {
      await accessCb(this.resolve(p));
      return true;
    } catch {
      return false;
    }
  }

  async blockDevT(p: string): Promise<string | undefined> {
    try {
      const st = await statCb(this.resolve(p));
      if (!st.isBlockDevice()) return this.root === '/' ? undefined : this.fakeDevT(p);
      return `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)}`;
    } catch {
      return undefined;
    }
  }

  readFileSync(p: string): string {
    return readWholeFileSync(this.resolve(p));
  }

  readdirSync(p: string): string[] {
    return fs.readdirSync(this.resolve(p)).sort();
  }

  readlinkSync(p: string): string {
    return fs.readlinkSync(this.resolve(p));
  }

  /** Resolves link by link under a non-/ root, so absolute targets stay inside the root. */
  realpathSync(p: string): string {
    if (this.root === '/') return fs.realpathSync(p);
    const parts = path.posix
      .normalize('/' + p)
      .split('/')
      .filter(Boolean);
    let current = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = path.posix.join(current, parts[i] as string);
      let target: string | undefined;
      try {
        const st = fs.lstatSync(this.resolve(next));
        if (st.isSymbolicLink()) target = fs.readlinkSync(this.resolve(next));
      } catch {
        target = undefined;
      }
      if (target === undefined) current = next;
      else {
        const joined = target.startsWith('/') ? target : path.posix.join(current, target);
        return this.realpathSync(path.posix.join(joined, ...parts.slice(i + 1)));
      }
    }
    return current;
  }

  existsSync(p: string): boolean {
    try {
      fs.accessSync(this.resolve(p));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Under a non-/ root (simulator, capture) device nodes cannot be real: a regular file whose
   * content is `block MAJ:MIN` stands for a block device node.
   */
  private async fakeDevT(p: string): Promise<string | undefined> {
    try {
      const text = await readFileCb(this.resolve(p), 'utf8');
      const m = /^block (\d+:\d+)\s*$/.exec(text);
      return m ? m[1] : undefined;
    } catch {
      return undefined;
    }
  }
}
