/**
 * Plan and Action: decisions as values. decide/ returns a Plan; act/ executes each action,
 * first comparing desired with observed, and reports `unchanged | applied | failed`.
 * Every action says why (reason), from which inputs (origins), and whether an operator asked
 * for it. Actions are plain data: the same plan serialises to JSON for `vmpath plan --json`,
 * the journal and the API.
 */
import type { DevT, CgroupRef } from './snapshot';
import type { Origin } from './policy';
import type { PathGrouping } from './path-grouping';

/** cgroup I/O limit in kernel units (bytes/s, IO/s). `undefined` = unlimited (`max`). */
export interface CgroupIoLimit {
  readonly rbps?: number;
  readonly wbps?: number;
  readonly riops?: number;
  readonly wiops?: number;
}

interface ActionBase {
  /** Deterministic key: same decision, same id (journal and idempotence rely on it). */
  readonly id: string;
  readonly reason: string;
  readonly origins: readonly Origin[];
  readonly trigger: 'automatic' | 'operator';
}

export type Action =
  | (ActionBase & {
      readonly kind: 'set-io-limit';
      readonly vmId: string;
      readonly cgroup: CgroupRef;
      readonly devT: DevT;
      readonly limit: CgroupIoLimit | null;
    })
  | (ActionBase & {
      readonly kind: 'set-io-weight';
      readonly vmId: string;
      readonly cgroup: CgroupRef;
      readonly devT?: DevT;
      readonly weight: number;
    })
  | (ActionBase & { readonly kind: 'set-failback-manual'; readonly map: string })
  /** multipathd's own `no_path_retry` for the map (vmpath.conf), so queueing survives its checker. */
  | (ActionBase & { readonly kind: 'set-no-path-retry'; readonly map: string; readonly value: 'queue' })
  /**
   * multipathd's own `path_selector` for a map one VM owns (vmpath.conf, EngineConfig
   * ownedMapSelector): the dm table is rebuilt with it on reconfigure. `null` removes it (the
   * map goes back to multipathd's own selector), e.g. when the kernel cannot load it.
   */
  | (ActionBase & {
      readonly kind: 'set-path-selector';
      readonly map: string;
      readonly value: 'historical-service-time 0' | null;
    })
  /**
   * multipathd's own grouping of a multibus map one VM owns (vmpath.conf, EngineConfig
   * ownedMapGrouping): group_by_prio + weightedpath by H:C:T:L, so the VM's chosen paths form
   * the first group; `null` removes it (the map goes back to multipathd's own grouping).
   */
  | (ActionBase & {
      readonly kind: 'set-path-grouping';
      readonly map: string;
      readonly grouping: PathGrouping | null;
    })
  | (ActionBase & { readonly kind: 'switch-group'; readonly map: string; readonly group: number })
  | (ActionBase & { readonly kind: 'set-queueing'; readonly map: string; readonly queue: boolean })
  | (ActionBase & {
      readonly kind: 'fail-path' | 'reinstate-path';
      readonly map: string;
      readonly dev: string;
    })
  | (ActionBase & {
      readonly kind: 'create-vm-map';
      readonly vmId: string;
      readonly baseMap: string;
      readonly name: string;
      readonly uuid: string;
      /** Full dm table line, `0 <sectors> multipath ...`. */
      readonly table: string;
    })
  /**
   * Reload an existing per-VM map's table (load, suspend noflush, resume) when its base map's
   * path devices changed (a path added or removed by multipathd). A fresh table starts with
   * every path active: `failPaths` (MAJ:MIN) are failed right after, as on the base map.
   */
  | (ActionBase & {
      readonly kind: 'reload-vm-map';
      readonly vmId: string;
      readonly baseMap: string;
      readonly name: string;
      /** Full dm table line, `0 <sectors> multipath ...`, over the base map's current paths. */
      readonly table: string;
      readonly failPaths: readonly DevT[];
    })
  | (ActionBase & { readonly kind: 'remove-vm-map'; readonly vmId: string; readonly name: string })
  | (ActionBase & {
      readonly kind: 'move-lv';
      readonly vmId: string;
      /** dm name of the LV (e.g. `vg-vm--101--disk--0`). */
      readonly lv: string;
      /** The table to load, e.g. `0 2097152 linear 253:3 2048`. */
      readonly table: string;
    })
  | (ActionBase & { readonly kind: 'pause-vm' | 'resume-vm'; readonly vmId: string })
  | (ActionBase & { readonly kind: 'migrate-vm'; readonly vmId: string; readonly target: string })
  | (ActionBase & { readonly kind: 'kill-vm'; readonly vmId: string });

export type ActionKind = Action['kind'];

export type ActionOutcome = 'unchanged' | 'applied' | 'failed' | 'skipped';

export interface ActionResult {
  readonly actionId: string;
  readonly outcome: ActionOutcome;
  readonly message?: string;
  /** VMPATH_E_* when failed. */
  readonly code?: string;
}

/** Per-VM explanation: what was chosen and the inputs that drove it. */
export interface VmDecision {
  readonly vmId: string;
  /** Path devices the VM is steered to, per map. */
  readonly paths: Readonly<Record<string, readonly string[]>>;
  /**
   * The selector's ordered choice per map (before the mechanism widens it, e.g. to a whole
   * path group). memory.assignments keeps this, for stability. Optional (added by decide/).
   */
  readonly chosen?: Readonly<Record<string, readonly string[]>>;
  readonly mechanism: Readonly<Record<string, 'switch-group' | 'vm-map' | 'limits-only' | 'none'>>;
  readonly state: 'normal' | 'degraded' | 'all-paths-down' | 'paused' | 'migrating';
  readonly reasons: readonly string[];
  readonly inputs: Readonly<Record<string, unknown>>;
}

export interface Warning {
  readonly subject: string;
  readonly code: string;
  readonly message: string;
}

export interface Plan {
  readonly actions: readonly Action[];
  readonly decisions: readonly VmDecision[];
  readonly warnings: readonly Warning[];
  /** Reconcile again after this long even if no event comes (deadlines, hold-downs). */
  readonly requeueAfterMs?: number;
}
