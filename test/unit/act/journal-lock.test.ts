/** One writer per journal: a live holder refuses a second writer; a dead one's lock is taken over; readers never lock or write. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Journal } from '../../../agent/act';
import { openHostActContext } from '../../../agent/act/host-context';
import { clock, tmpRoot } from './helpers';

const JOURNAL = '/var/lib/vmpath/journal.jsonl';

function liveNode(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  return new Promise((res) => child.once('spawn', () => res(child)));
}

describe('journal lock', () => {
  it('a second writer while another live process holds the journal: JournalBusyError naming it', async () => {
    const root = tmpRoot();
    const file = path.join(root, JOURNAL);
    const first = await Journal.open(root, JOURNAL, { clock });
    await first.close();
    const holder = await liveNode();
    try {
      writeFileSync(`${file}.lock`, `${holder.pid}\n`);
      await expect(Journal.open(root, JOURNAL, { clock })).rejects.toMatchObject({
        code: 'VMPATH_E_JOURNAL_BUSY',
        message: expect.stringContaining(`pid ${holder.pid}`),
      });
      // a dry run only reads: it works beside the live writer and leaves its lock alone
      const ctx = await openHostActContext({ root, dryRun: true, vmControl: {} as never });
      await ctx.close();
      expect(readFileSync(`${file}.lock`, 'utf8').trim()).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
      await new Promise((res) => holder.once('exit', res));
    }
    // the holder died without releasing (kill -9): its lock is stale and taken over
    const next = await Journal.open(root, JOURNAL, { clock });
    expect(readFileSync(`${file}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await next.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a lock with garbage or a reused non-node pid is stale', async () => {
    const root = tmpRoot();
    const file = path.join(root, JOURNAL);
    await (await Journal.open(root, JOURNAL, { clock })).close();
    for (const junk of ['not a pid\n', '1\n']) {
      writeFileSync(`${file}.lock`, junk);
      const j = await Journal.open(root, JOURNAL, { clock });
      await j.close();
    }
  });

  it('the same process may open it twice; only the creator removes the lock', async () => {
    const root = tmpRoot();
    const file = path.join(root, JOURNAL);
    const a = await Journal.open(root, JOURNAL, { clock });
    const b = await Journal.open(root, JOURNAL, { clock });
    await b.close();
    expect(existsSync(`${file}.lock`)).toBe(true);
    await a.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a reader keeps a torn last line as it is (the writer repairs it) and cannot append', async () => {
    const root = tmpRoot();
    const file = path.join(root, JOURNAL);
    await (await Journal.open(root, JOURNAL, { clock })).close();
    writeFileSync(file, '{"v":1,"t":"x"'); // torn: no newline
    const r = await Journal.open(root, JOURNAL, { clock, readOnly: true });
    expect(readFileSync(file, 'utf8')).toBe('{"v":1,"t":"x"');
    expect(existsSync(`${file}.lock`)).toBe(false);
    await expect(r.rotate()).rejects.toMatchObject({ code: 'VMPATH_E_JOURNAL' });
    await r.close();
  });

  it('a damaged journal refuses to open and does not leave its lock behind', async () => {
    const root = tmpRoot();
    const file = path.join(root, JOURNAL);
    await (await Journal.open(root, JOURNAL, { clock })).close();
    writeFileSync(file, 'garbage\n');
    await expect(Journal.open(root, JOURNAL, { clock })).rejects.toMatchObject({ code: 'VMPATH_E_JOURNAL' });
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
