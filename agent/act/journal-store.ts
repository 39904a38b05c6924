/**
 * Where journal lines live. FileJournalStore: an append-only JSON-lines file, every append
 * fsync'd (fdatasync) before it returns — an intent is on disk before the change it announces.
 * Rotation writes the replacement next to it, fsyncs, renames over, fsyncs the directory: a crash
 * at any point leaves either the old or the new file, whole.
 * MemoryJournalStore: the same contract in memory (tests, dry run).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { JournalError } from '../model/errors';
import { syncDir } from './config-files';
import { lockJournal, type JournalLock } from './journal-lock';

export interface JournalStore {
  /** All complete lines; a torn last line (crash mid-append) is dropped and reported. */
  load(): Promise<{ lines: string[]; tornBytes: number }>;
  append(line: string): Promise<void>;
  /** Atomically replace the whole content. */
  replace(lines: readonly string[]): Promise<void>;
  size(): number;
  close(): Promise<void>;
}

export class MemoryJournalStore implements JournalStore {
  readonly lines: string[] = [];
  async load() {
    return { lines: [...this.lines], tornBytes: 0 };
  }
  async append(line: string) {
    this.lines.push(line);
  }
  async replace(lines: readonly string[]) {
    this.lines.splice(0, this.lines.length, ...lines);
  }
  size() {
    return this.lines.reduce((n, l) => n + l.length + 1, 0);
  }
  async close() {}
}

export class FileJournalStore implements JournalStore {
  private handle: fsp.FileHandle | undefined;
  private bytes = 0;
  private lock: JournalLock | undefined;

  /**
   * `file` is a real path (already mapped under the root). A writer takes the journal's lock
   * (journal-lock.ts) and repairs a torn last line; a reader (`readOnly`, dry run) only reads:
   * it never locks, truncates or appends, so it is safe beside a running agent.
   */
  constructor(
    readonly file: string,
    private readonly readOnly = false,
  ) {}

  async load(): Promise<{ lines: string[]; tornBytes: number }> {
    if (!this.readOnly) {
      await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 }).catch(() => undefined);
      this.lock = await lockJournal(this.file);
    }
    try {
      let text = '';
      try {
        text = await fsp.readFile(this.file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const end = text.lastIndexOf('\n') + 1;
      const whole = text.slice(0, end);
      const tornBytes = Buffer.byteLength(text.slice(end));
      if (!this.readOnly) {
        // The last append never completed (no newline, never fsync-acknowledged): cut it off
        // so the next record starts on a fresh line. A reader leaves that to the writer.
        if (tornBytes > 0) await fsp.truncate(this.file, Buffer.byteLength(whole));
        this.handle = await fsp.open(this.file, 'a', 0o600);
      }
      this.bytes = Buffer.byteLength(whole);
      return { lines: whole.split('\n').filter((l) => l.length > 0), tornBytes };
    } catch (e) {
      await this.lock?.release();
      this.lock = undefined;
      throw new JournalError(
        `journal ${this.file}: cannot open: ${(e as Error).message}`,
        { file: this.file },
        e,
      );
    }
  }

  async append(line: string): Promise<void> {
    if (this.readOnly) throw new JournalError(`journal ${this.file}: opened read-only (dry run)`);
    if (!this.handle) throw new JournalError(`journal ${this.file}: not open`);
    const data = line + '\n';
    try {
      await this.handle.write(data);
      await this.handle.datasync();
      this.bytes += Buffer.byteLength(data);
    } catch (e) {
      throw new JournalError(
        `journal ${this.file}: append failed: ${(e as Error).message}`,
        { file: this.file },
        e,
      );
    }
  }

  async replace(lines: readonly string[]): Promise<void> {
    if (this.readOnly) throw new JournalError(`journal ${this.file}: opened read-only (dry run)`);
    const tmp = `${this.file}.rotate`;
    const data = lines.map((l) => l + '\n').join('');
    try {
      const h = await fsp.open(tmp, 'w', 0o600);
      try {
        await h.writeFile(data, 'utf8');
        await h.sync();
      } finally {
        await h.close();
      }
      await fsp.rename(tmp, this.file);
      await syncDir(path.dirname(this.file));
      this.bytes = Buffer.byteLength(data);
    } catch (e) {
      throw new JournalError(
        `journal ${this.file}: rotation failed: ${(e as Error).message}`,
        { file: this.file },
        e,
      );
    } finally {
      // Append to whatever file now has the name (the new one, or the old one if rename failed).
      await this.handle?.close().catch(() => undefined);
      this.handle = await fsp.open(this.file, 'a', 0o600);
    }
  }

  size(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    await this.lock?.release();
    this.lock = undefined;
  }
}
