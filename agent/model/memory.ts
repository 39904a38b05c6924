/**
 * AgentMemory: what vmpath itself did and saw before, rebuilt from the journal. decide/ takes
 * it as an input (with the current time) so that hysteresis, hold-down, queue deadlines and
 * "resume only what we paused" stay pure functions of their inputs.
 */
export interface PausedRecord {
  readonly sinceMs: number;
  readonly reason: string;
}

export interface PathHistory {
  /** Last observed usable state and when it last changed. */
  readonly usable: boolean;
  readonly lastChangeMs: number;
  /** Timestamps (ms) of recent usable<->unusable transitions, newest last. */
  readonly transitionsMs: readonly number[];
}

export interface AgentMemory {
  /** VMs vmpath paused and has not resumed yet. Nobody else's pauses are ever here. */
  readonly pausedByVmpath: Readonly<Record<string, PausedRecord>>;
  /** Maps with all paths down: since when (ms), for queue deadlines. */
  readonly allPathsDownSince: Readonly<Record<string, number>>;
  /** Per path device. */
  readonly paths: Readonly<Record<string, PathHistory>>;
  /** Last path choice per VM per map (stability: move only when the gain beats a threshold). */
  readonly assignments: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** VMs vmpath started migrating: target and when. */
  readonly migrations: Readonly<Record<string, { readonly target: string; readonly sinceMs: number }>>;
}

export const EMPTY_MEMORY: AgentMemory = Object.freeze({
  pausedByVmpath: Object.freeze({}),
  allPathsDownSince: Object.freeze({}),
  paths: Object.freeze({}),
  assignments: Object.freeze({}),
  migrations: Object.freeze({}),
});
