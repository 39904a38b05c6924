/**
 * The agent's control loop: a worker draining the WorkQueue into reconciles, with periodic polling,
 * a periodic rebalance, requeue-after from plans and exponential backoff after failures.
 * Event sources (uevents, hooks, API, CLI) call `enqueue(key)`.
 */
import { EventEmitter } from 'node:events';
import { WorkQueue, realTimers } from './work-queue';
import type { Timers } from './work-queue';
import { reconcileOnce } from './reconciler';
import type { ReconcileDeps, ReconcileResult } from './reconciler';

export interface ControllerOptions {
  /** Poll even without events (multipathd state, VM starts). Default 10 s. */
  readonly pollIntervalMs?: number;
  /** Rebalance key this often. Default 5 min. */
  readonly rebalanceIntervalMs?: number;
  /** Backoff after a failed reconcile: base and cap. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly timers?: Timers;
}

/**
 * `multipathd reconfigure` (run when vmpath's failback file changes) reloads every map and resets
 * group choices made earlier in the same plan (seen in the lab): reconcile again once it settled.
 */
const RECONFIGURE_SETTLE_MS = 1_000;

function reconfigured(r: ReconcileResult): boolean {
  const failbacks = new Set(
    (r.plan?.actions ?? [])
      .filter(
        (a) =>
          a.kind === 'set-failback-manual' ||
          a.kind === 'set-no-path-retry' ||
          a.kind === 'set-path-selector' ||
          a.kind === 'set-path-grouping',
      )
      .map((a) => a.id),
  );
  return r.results.some((x) => x.outcome === 'applied' && failbacks.has(x.actionId));
}

export interface ControllerEvents {
  reconciled: [ReconcileResult];
}

export class Controller extends EventEmitter {
  readonly queue: WorkQueue;
  private running = false;
  private failures = 0;
  private readonly timers: Timers;
  private handles: unknown[] = [];
  private loopDone: Promise<void> = Promise.resolve();
  lastResult?: ReconcileResult;

  constructor(
    private readonly deps: ReconcileDeps,
    private readonly options: ControllerOptions = {},
  ) {
    super();
    this.timers = options.timers ?? realTimers;
    this.queue = new WorkQueue(this.timers);
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule('poll', this.options.pollIntervalMs ?? 10_000);
    this.schedule('rebalance', this.options.rebalanceIntervalMs ?? 300_000);
    this.enqueue('startup');
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const h of this.handles) this.timers.clearTimeout(h);
    this.handles = [];
    this.queue.close();
    await this.loopDone;
  }

  private schedule(key: string, everyMs: number): void {
    const tick = () => {
      if (!this.running) return;
      this.enqueue(key);
      this.handles.push(this.timers.setTimeout(tick, everyMs));
    };
    this.handles.push(this.timers.setTimeout(tick, everyMs));
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const keys = await this.queue.takeAll();
      if (!this.running || keys.length === 0) break;
      const result = await reconcileOnce(this.deps, keys);
      this.lastResult = result;
      if (result.error) {
        this.failures++;
        const base = this.options.backoffBaseMs ?? 1_000;
        const delay = Math.min(
          this.options.backoffMaxMs ?? 60_000,
          base * 2 ** Math.min(this.failures - 1, 16),
        );
        this.queue.addAfter('retry', delay);
      } else {
        this.failures = 0;
        if (result.plan?.requeueAfterMs !== undefined)
          this.queue.addAfter('requeue', result.plan.requeueAfterMs);
        if (reconfigured(result)) this.queue.addAfter('reconfigured', RECONFIGURE_SETTLE_MS);
      }
      this.emit('reconciled', result);
    }
  }
}
