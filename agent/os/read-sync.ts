/**
 * Reading a small file synchronously with as few system calls as possible: open, one read into
 * a reused buffer, close (fs.readFileSync adds an fstat and a second read, and sysfs reports
 * every attribute as 4096 bytes long anyway). A read shorter than the buffer is the whole file:
 * true of regular files, sysfs attributes and cgroupfs/seq_file control files, which are all
 * this is for (see HostFsSync). Longer files are read on to the end.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 64 * 1024;
let scratch: Buffer | undefined;

/** The whole file as UTF-8; errno errors as fs.readFileSync throws them. */
export function readWholeFileSync(realPath: string): string {
  const fd = openSync(realPath, 'r');
  try {
    const buf = (scratch ??= Buffer.allocUnsafe(CHUNK));
    let n = readSync(fd, buf, 0, CHUNK, null);
    if (n < CHUNK) return buf.toString('utf8', 0, n);
    const parts = [Buffer.from(buf.subarray(0, n))];
    while ((n = readSync(fd, buf, 0, CHUNK, null)) > 0) parts.push(Buffer.from(buf.subarray(0, n)));
    return Buffer.concat(parts).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
