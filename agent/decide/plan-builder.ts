/**
 * PlanBuilder: collects actions (deduplicated by id; ordered by PHASE, emission order kept
 * inside a phase), warnings and the earliest requeue time.
 * Callers add only actions whose desired state differs from the snapshot (idempotence).
 */
import type { Action, Plan, VmDecision, Warning } from '../model/plan';
import type { Origin } from '../model/policy';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ActionDraft = DistributiveOmit<Action, 'id' | 'trigger'> & {
  readonly trigger?: Action['trigger'];
};

/**
 * Execution order of a plan, by phase (stable inside a phase): failback before any group
 * choice; a per-VM map exists (created, or reloaded over its base map's current paths) and
 * mirrors path state before it is steered or an LV moves onto it; LVs move back before their
 * per-VM map is removed; queueing is set before a VM is paused or migrated; limits are in place
 * before a VM is resumed.
 */
export const PHASE: Readonly<Record<Action['kind'], number>> = {
  'set-failback-manual': 1,
  'set-no-path-retry': 1,
  'set-path-selector': 1,
  'set-path-grouping': 1,
  'create-vm-map': 2,
  'reload-vm-map': 2,
  'reinstate-path': 3,
  'fail-path': 3,
  'switch-group': 4,
  'move-lv': 5,
  'remove-vm-map': 6,
  'set-queueing': 7,
  'set-io-limit': 8,
  'set-io-weight': 8,
  'resume-vm': 9,
  'pause-vm': 9,
  'migrate-vm': 9,
  'kill-vm': 9,
};

/** Deterministic id: kind plus the object it changes (one desired state per object). */
export function actionId(a: ActionDraft): string {
  switch (a.kind) {
    case 'set-io-limit':
      return `set-io-limit:${a.vmId}:${a.devT}`;
    case 'set-io-weight':
      return `set-io-weight:${a.vmId}:${a.devT ?? 'default'}`;
    case 'set-failback-manual':
    case 'set-no-path-retry':
    case 'set-path-selector':
    case 'set-path-grouping':
    case 'switch-group':
    case 'set-queueing':
      return `${a.kind}:${a.map}`;
    case 'fail-path':
    case 'reinstate-path':
      return `${a.kind}:${a.map}:${a.dev}`;
    case 'create-vm-map':
    case 'reload-vm-map':
    case 'remove-vm-map':
      return `${a.kind}:${a.name}`;
    case 'move-lv':
      return `move-lv:${a.lv}`;
    case 'migrate-vm':
    case 'pause-vm':
    case 'resume-vm':
    case 'kill-vm':
      return `${a.kind}:${a.vmId}`;
  }
}

export class PlanBuilder {
  private readonly actions = new Map<string, Action>();
  private readonly warnings: Warning[] = [];
  private readonly decisions: VmDecision[] = [];
  private requeueAt: number | undefined;

  constructor(private readonly nowMs: number) {}

  add(draft: ActionDraft): void {
    const id = actionId(draft);
    if (this.actions.has(id)) return;
    this.actions.set(id, Object.freeze({ ...draft, id, trigger: draft.trigger ?? 'automatic' }) as Action);
  }

  has(id: string): boolean {
    return this.actions.has(id);
  }

  warn(subject: string, code: string, message: string): void {
    this.warnings.push(Object.freeze({ subject, code, message }));
  }

  decision(d: VmDecision): void {
    this.decisions.push(d);
  }

  /** Ask for another reconcile at `atMs` (absolute); the earliest request wins. */
  requeueAtMs(atMs: number): void {
    const at = Math.max(atMs, this.nowMs + 1);
    if (this.requeueAt === undefined || at < this.requeueAt) this.requeueAt = at;
  }

  build(): Plan {
    const plan: Plan = {
      actions: [...this.actions.values()].sort((a, b) => PHASE[a.kind] - PHASE[b.kind]),
      decisions: [...this.decisions].sort((a, b) => (a.vmId < b.vmId ? -1 : a.vmId > b.vmId ? 1 : 0)),
      warnings: this.warnings,
      ...(this.requeueAt !== undefined ? { requeueAfterMs: this.requeueAt - this.nowMs } : {}),
    };
    return plan;
  }
}

export function uniqueOrigins(origins: readonly Origin[]): Origin[] {
  const seen = new Set<string>();
  return origins.filter((o) => {
    const k = `${o.kind}\u0000${o.source ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
