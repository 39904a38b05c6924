/**
 * The action journal: every change act/ makes is announced (`intent`, with how to undo it)
 * before it is made and settled (`done`/`failed`) after. Reading it back rebuilds AgentMemory,
 * the ledger `vmpath release` walks, and the intents a crash left open (see recover.ts).
 *
 * Default file: /var/lib/vmpath/journal.jsonl under the host root. Rotation (automatic past
 * `maxBytes`, or `rotate()`) replaces the file with one checkpoint record holding the folded
 * state, so the journal stays small however long the agent runs.
 */
import * as path from 'node:path';
import { JournalError } from '../model/errors';
import type { AgentMemory } from '../model/memory';
import type { Clock } from '../model/seams';
import { FileJournalStore, MemoryJournalStore, type JournalStore } from './journal-store';
import {
  emptyState,
  fold,
  type IntentRecord,
  type JournalRecord,
  type JournalState,
  type LedgerEntry,
} from './journal-records';
import type { ActAction, UndoInfo } from './types';

export const DEFAULT_JOURNAL_PATH = '/var/lib/vmpath/journal.jsonl';
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

export interface JournalOptions {
  readonly clock: Clock;
  /** Rotate when the file grows past this (default 4 MiB). */
  readonly maxBytes?: number;
  /** Read it back only (dry run): no lock, no writes, safe beside a running agent. */
  readonly readOnly?: boolean;
}

export interface OpenReport {
  /** Bytes of a torn last line that was dropped (crash mid-append). */
  readonly tornBytes: number;
  readonly records: number;
}

export class Journal {
  private state: JournalState = emptyState();
  private seq = 0;
  private lastOpen: OpenReport = { tornBytes: 0, records: 0 };

  private constructor(
    private readonly store: JournalStore,
    private readonly options: JournalOptions,
  ) {}

  /** Open (creating if needed) the journal file `hostPath` under `root` and read it back. */
  static async open(root: string, hostPath: string, options: JournalOptions): Promise<Journal> {
    const normal = path.posix.normalize('/' + hostPath);
    const real = root === '/' ? normal : path.join(root, normal);
    return Journal.withStore(new FileJournalStore(real, options.readOnly === true), options);
  }

  /** A journal kept in memory (tests, dry run): same semantics, nothing on disk. */
  static inMemory(options: JournalOptions): Promise<Journal> {
    return Journal.withStore(new MemoryJournalStore(), options);
  }

  static async withStore(store: JournalStore, options: JournalOptions): Promise<Journal> {
    const j = new Journal(store, options);
    try {
      await j.load();
    } catch (e) {
      await store.close().catch(() => undefined); // releases the writer's lock
      throw e;
    }
    return j;
  }

  private async load(): Promise<void> {
    const { lines, tornBytes } = await this.store.load();
    const state = emptyState();
    lines.forEach((line, i) => {
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch (e) {
        throw new JournalError(
          `journal line ${i + 1} is not JSON: refusing to act on a damaged journal`,
          { line: i + 1 },
          e,
        );
      }
      if (record?.v !== 1)
        throw new JournalError(`journal line ${i + 1}: unsupported record version`, { line: i + 1 });
      fold(state, record);
    });
    this.state = state;
    this.lastOpen = { tornBytes, records: lines.length };
  }

  openReport(): OpenReport {
    return this.lastOpen;
  }

  /** AgentMemory as of the last record (synchronous: the loop reads it every reconcile). */
  memory(): AgentMemory {
    return this.state.memory;
  }

  /** Every object vmpath changed and has not released, oldest first. */
  ledger(): readonly LedgerEntry[] {
    return [...this.state.ledger.values()].sort((a, b) => a.sinceMs - b.sinceMs);
  }

  /** Intents without done/failed: a crash interrupted them (recover.ts settles them). */
  pending(): readonly IntentRecord[] {
    return [...this.state.pending.values()];
  }

  private async write(record: JournalRecord): Promise<void> {
    await this.store.append(JSON.stringify(record));
    fold(this.state, record);
    if (this.store.size() > (this.options.maxBytes ?? DEFAULT_MAX_BYTES)) await this.rotate();
  }

  /** Announce a change; returns the op id to settle it with. Throws JournalError: do not act then. */
  async intent(action: ActAction, undo?: UndoInfo, releaseOf?: string): Promise<string> {
    const at = this.options.clock.nowMs();
    const op = `${at.toString(36)}-${(this.seq++).toString(36)}-${process.pid.toString(36)}`;
    await this.write({
      v: 1,
      type: 'intent',
      op,
      at,
      action,
      ...(undo ? { undo } : {}),
      ...(releaseOf ? { releaseOf } : {}),
    });
    return op;
  }

  async done(op: string, message?: string, recovered?: boolean): Promise<void> {
    await this.write({
      v: 1,
      type: 'done',
      op,
      at: this.options.clock.nowMs(),
      ...(message ? { message } : {}),
      ...(recovered ? { recovered } : {}),
    });
  }

  async failed(op: string, code: string, message: string, recovered?: boolean): Promise<void> {
    await this.write({
      v: 1,
      type: 'failed',
      op,
      at: this.options.clock.nowMs(),
      code,
      message,
      ...(recovered ? { recovered } : {}),
    });
  }

  /** Keep part of AgentMemory the loop derives itself (allPathsDownSince, paths, assignments). */
  async remember(patch: Partial<AgentMemory>): Promise<void> {
    await this.write({ v: 1, type: 'memory', at: this.options.clock.nowMs(), patch });
  }

  /** Drop a ledger entry (release found nothing it could restore). */
  async forget(key: string, message: string): Promise<void> {
    await this.write({ v: 1, type: 'forget', at: this.options.clock.nowMs(), key, message });
  }

  /** Replace the file with one checkpoint of the current state (atomic). */
  async rotate(): Promise<void> {
    const checkpoint: JournalRecord = {
      v: 1,
      type: 'checkpoint',
      at: this.options.clock.nowMs(),
      memory: this.state.memory,
      ledger: this.ledger(),
      pending: this.pending(),
    };
    await this.store.replace([JSON.stringify(checkpoint)]);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
