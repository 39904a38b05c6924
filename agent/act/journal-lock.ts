/**
 * One writer per journal: `<journal>.lock` holds the writer's pid, created with O_EXCL. A lock
 * whose pid is gone (or is no longer a node/vmpath process: pid reuse after a `kill -9`) is
 * stale and taken over; a live one → JournalBusyError naming the pid. The same process may open
 * the journal again (it already holds it); only the opener that created the lock removes it.
 * Readers (dry run) never lock and never write.
 */
import { promises as fsp } from 'node:fs';
import { JournalBusyError, JournalError } from '../model/errors';

export interface JournalLock {
  release(): Promise<void>;
}

async function holderAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) [ZX] /s.test(stat)) return false;
    const cmdline = (await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
    return /node|vmpath/.test(cmdline);
  } catch {
    return false;
  }
}

async function create(lockFile: string): Promise<boolean> {
  try {
    const h = await fsp.open(lockFile, 'wx', 0o600);
    try {
      await h.writeFile(`${process.pid}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new JournalError(`journal lock ${lockFile}: ${(e as Error).message}`, { file: lockFile }, e);
  }
}

export async function lockJournal(journalFile: string): Promise<JournalLock> {
  const lockFile = `${journalFile}.lock`;
  const mine: JournalLock = { release: () => fsp.rm(lockFile, { force: true }) };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await create(lockFile)) return mine;
    const holder = Number((await fsp.readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (holder === process.pid) return { release: async () => undefined };
    if (await holderAlive(holder)) {
      throw new JournalBusyError(
        `journal ${journalFile} is in use by pid ${holder} (the vmpath agent?): one writer at a time — stop it, or use --dry-run`,
        { file: journalFile, pid: holder },
      );
    }
    // Stale (the holder died without releasing, e.g. kill -9): remove and race for it again.
    await fsp.rm(lockFile, { force: true });
  }
  throw new JournalBusyError(`journal ${journalFile}: lock contended, try again`, { file: journalFile });
}
