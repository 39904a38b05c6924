/**
 * Regular configuration files act/ owns (today: /etc/multipath/conf.d/vmpath.conf). Unlike
 * cgroupfs/sysfs attributes (HostFs.writeFile: open O_WRONLY, one write), these are replaced
 * atomically — write `<file>.vmpath-tmp`, fsync, rename, fsync the directory — so multipathd never
 * reads half a file, and they can be removed again by `vmpath release`.
 * Paths are host paths mapped under the same root as the HostFs.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export interface ConfigFiles {
  /** Content, or `null` when the file does not exist. */
  read(hostPath: string): Promise<string | null>;
  write(hostPath: string, data: string): Promise<void>;
  remove(hostPath: string): Promise<void>;
}

export class RootedConfigFiles implements ConfigFiles {
  constructor(private readonly root: string) {}

  private resolve(hostPath: string): string {
    const normal = path.posix.normalize('/' + hostPath);
    return this.root === '/' ? normal : path.join(this.root, normal);
  }

  async read(hostPath: string): Promise<string | null> {
    try {
      return await fsp.readFile(this.resolve(hostPath), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async write(hostPath: string, data: string): Promise<void> {
    const real = this.resolve(hostPath);
    const dir = path.dirname(real);
    await fsp.mkdir(dir, { recursive: true });
    const tmp = `${real}.vmpath-tmp`;
    const handle = await fsp.open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, real);
    await syncDir(dir);
  }

  async remove(hostPath: string): Promise<void> {
    const real = this.resolve(hostPath);
    await fsp.rm(real, { force: true });
    await syncDir(path.dirname(real)).catch(() => undefined);
  }
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
