/**
 * Journal records (one JSON object per line, `v: 1`) and the fold that turns a sequence of them
 * into state: AgentMemory, the ledger of changes vmpath has made (with the step that undoes
 * each), and intents that never completed.
 *
 *   intent      before a change: the action, its undo info, `releaseOf` for release steps
 *   done/failed after it (same `op`)
 *   memory      a partial AgentMemory the loop wants kept (allPathsDownSince, assignments, ...)
 *   forget      a ledger entry release could not restore (previous state unknown) is dropped
 *   checkpoint  the whole folded state; the first record of a rotated file
 */
import type { AgentMemory, PausedRecord } from '../model/memory';
import { EMPTY_MEMORY } from '../model/memory';
import type { ActAction, UndoInfo } from './types';

export type JournalRecord =
  | {
      readonly v: 1;
      readonly type: 'intent';
      readonly op: string;
      readonly at: number;
      readonly action: ActAction;
      readonly undo?: UndoInfo;
      /** Set on release steps: the ledger key they restore. */
      readonly releaseOf?: string;
    }
  | {
      readonly v: 1;
      readonly type: 'done';
      readonly op: string;
      readonly at: number;
      readonly message?: string;
      readonly recovered?: boolean;
    }
  | {
      readonly v: 1;
      readonly type: 'failed';
      readonly op: string;
      readonly at: number;
      readonly code: string;
      readonly message: string;
      readonly recovered?: boolean;
    }
  | { readonly v: 1; readonly type: 'memory'; readonly at: number; readonly patch: Partial<AgentMemory> }
  /** Drop a ledger entry that cannot be restored (its previous state was never observed). */
  | {
      readonly v: 1;
      readonly type: 'forget';
      readonly at: number;
      readonly key: string;
      readonly message: string;
    }
  | {
      readonly v: 1;
      readonly type: 'checkpoint';
      readonly at: number;
      readonly memory: AgentMemory;
      readonly ledger: readonly LedgerEntry[];
      readonly pending: readonly IntentRecord[];
    };

export type IntentRecord = Extract<JournalRecord, { type: 'intent' }>;

/** One object vmpath changed: how it was before the first change (the inverse) and since when. */
export interface LedgerEntry extends UndoInfo {
  readonly sinceMs: number;
}

export interface JournalState {
  memory: AgentMemory;
  ledger: Map<string, LedgerEntry>;
  pending: Map<string, IntentRecord>;
}

export function emptyState(): JournalState {
  return { memory: EMPTY_MEMORY, ledger: new Map(), pending: new Map() };
}

function without<T>(obj: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/** Memory consequences of a completed action. */
function applyDone(memory: AgentMemory, intent: IntentRecord, at: number): AgentMemory {
  const a = intent.action;
  switch (a.kind) {
    case 'pause-vm': {
      const rec: PausedRecord = { sinceMs: at, reason: a.reason };
      return { ...memory, pausedByVmpath: { ...memory.pausedByVmpath, [a.vmId]: rec } };
    }
    case 'resume-vm':
      return { ...memory, pausedByVmpath: without(memory.pausedByVmpath, a.vmId) };
    case 'kill-vm':
      return {
        ...memory,
        pausedByVmpath: without(memory.pausedByVmpath, a.vmId),
        migrations: without(memory.migrations, a.vmId),
      };
    case 'migrate-vm':
      return { ...memory, migrations: { ...memory.migrations, [a.vmId]: { target: a.target, sinceMs: at } } };
    default:
      return memory;
  }
}

/** Fold one record into the state (mutates `state`, returns it). */
export function fold(state: JournalState, r: JournalRecord): JournalState {
  switch (r.type) {
    case 'checkpoint':
      state.memory = r.memory;
      state.ledger = new Map(r.ledger.map((e) => [e.key, e]));
      state.pending = new Map(r.pending.map((p) => [p.op, p]));
      break;
    case 'memory':
      state.memory = { ...state.memory, ...r.patch };
      break;
    case 'intent':
      state.pending.set(r.op, r);
      // Recorded before the change: a crash in between still leaves the way back.
      if (r.undo && !r.releaseOf && !state.ledger.has(r.undo.key)) {
        state.ledger.set(r.undo.key, { ...r.undo, sinceMs: r.at });
      }
      break;
    case 'done': {
      const intent = state.pending.get(r.op);
      state.pending.delete(r.op);
      if (!intent) break;
      state.memory = applyDone(state.memory, intent, r.at);
      if (intent.releaseOf) state.ledger.delete(intent.releaseOf);
      if (intent.action.kind === 'resume-vm' || intent.action.kind === 'kill-vm')
        state.ledger.delete(`paused:${intent.action.vmId}`);
      break;
    }
    case 'failed':
      state.pending.delete(r.op);
      break;
    case 'forget':
      state.ledger.delete(r.key);
      break;
  }
  return state;
}
