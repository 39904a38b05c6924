/**
 * The real HostFs: host paths mapped under a root directory (`/` on a real host). Symlinks are
 * resolved inside the root, so a sysfs tree copied into a capture or kept by the simulator
 * behaves like the real one (absolute link targets are re-rooted).
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import * as path from 'node:path';
import type { HostFs } from '../model/seams';

export class RootedHostFs implements HostFs {
  readonly root: string;

  constructor(root = '/') {
    this.root = path.resolve(root);
  }

  /** Map a host path to the real path under the root. */
  resolve(hostPath: string): string {
    const normal = path.posix.normalize('/' + hostPath);
    return this.root === '/' ? normal : path.join(this.root, normal);
  }

  async readFile(p: string): Promise<string> {
    return fsp.readFile(this.resolve(p), 'utf8');
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
    return (await fsp.readdir(this.resolve(p))).sort();
  }

  async readlink(p: string): Promise<string> {
    return fsp.readlink(this.resolve(p));
  }

  async realpath(p: string): Promise<string> {
    if (this.root === '/') return fsp.realpath(p);
    // Resolve link by link so absolute targets stay inside the root.
    const parts = path.posix
      .normalize('/' + p)
      .split('/')
      .filter(Boolean);
    let current = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = path.posix.join(current, parts[i] as string);
      let target: string | undefined;
      try {
        const st = await fsp.lstat(this.resolve(next));
        if (st.isSymbolicLink()) target = await fsp.readlink(this.resolve(next));
      } catch {
        target = undefined;
      }
      if (target === undefined) current = next;
      else {
        const joined = target.startsWith('/') ? target : path.posix.join(current, target);
        return this.realpath(path.posix.join(joined, ...parts.slice(i + 1)));
      }
    }
    return current;
  }

  async exists(p: string): Promise<boolean> {
    try {
      await fsp.access(this.resolve(p));
      return true;
    } catch {
      return false;
    }
  }

  async blockDevT(p: string): Promise<string | undefined> {
    try {
      const st = await fsp.stat(this.resolve(p));
      if (!st.isBlockDevice()) return this.root === '/' ? undefined : this.fakeDevT(p);
      return `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)}`;
    } catch {
      return undefined;
    }
  }

  /**
   * Under a non-/ root (simulator, capture) device nodes cannot be real: a regular file whose
   * content is `block MAJ:MIN` stands for a block device node.
   */
  private async fakeDevT(p: string): Promise<string | undefined> {
    try {
      const text = await fsp.readFile(this.resolve(p), 'utf8');
      const m = /^block (\d+:\d+)\s*$/.exec(text);
      return m ? m[1] : undefined;
    } catch {
      return undefined;
    }
  }
}
