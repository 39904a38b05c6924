/**
 * Reading a small file asynchronously with as few thread-pool round trips as possible: open, one
 * read, and a close nobody waits for. `fs.readFile` makes four or five (open, fstat, read, a
 * read to see the end, close), and each needs a turn of this process's event loop to start the
 * next: while a large host's snapshot keeps the loop busy with synchronous sysfs work, that is
 * what makes /proc reads of VMs slow. Same contract as read-sync.ts: a read shorter than the
 * buffer is the whole file (true of procfs, sysfs and regular files); longer files are read on.
 */
import { close, open, read } from 'node:fs';

const CHUNK = 64 * 1024;

const openP = (p: string): Promise<number> =>
  new Promise((resolve, reject) => open(p, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));

const readP = (fd: number, buf: Buffer): Promise<number> =>
  new Promise((resolve, reject) =>
    read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n))),
  );

/** The whole file as UTF-8; errno errors as fs.readFile rejects with them. */
export async function readWholeFile(realPath: string): Promise<string> {
  const fd = await openP(realPath);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let n = await readP(fd, buf);
    if (n < CHUNK) return buf.toString('utf8', 0, n);
    const parts = [Buffer.from(buf.subarray(0, n))];
    while ((n = await readP(fd, buf)) > 0) parts.push(Buffer.from(buf.subarray(0, n)));
    return Buffer.concat(parts).toString('utf8');
  } finally {
    close(fd, () => undefined);
  }
}
