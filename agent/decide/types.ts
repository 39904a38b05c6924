/**
 * The decide/ contract: DecideInput in, Plan out (agent/model/plan.ts). Pure: everything the
 * engine needs, including the time, is in the input; same input → same plan.
 */
import type { AgentMemory } from '../model/memory';
import type { PolicySet } from '../model/policy';
import type { HostSnapshot } from '../model/snapshot';
import type { SelectorRegistry } from './selector';

/** Thresholds of the engine. Every field has a default (DEFAULT_ENGINE_CONFIG); units in names. */
export interface EngineConfig {
  /**
   * A path that became usable less than this long ago is not used for new assignments. Default 0,
   * like Linux bonding's `updelay`: a path multipathd reinstated is used at once (a flapping one
   * is kept out by flap damping); set it where a fabric announces links before they forward.
   */
  readonly holdDownSeconds: number;
  /** Window and count for flap detection: more than maxFlaps transitions in the window = flapping. */
  readonly flapWindowSeconds: number;
  readonly maxFlaps: number;
  /** A VM keeps its previous paths unless the new choice lowers its path load by this fraction. */
  readonly rebalanceGainThreshold: number;
  /** Largest relative change of an existing io limit per reconcile (0.5 = ±50 %); Infinity = unbounded. */
  readonly limitStepFraction: number;
  /** Capacity assumed for a path whose PathDevice has no capacityMBps / capacityIops. */
  readonly defaultPathCapacityMBps: number;
  readonly defaultPathCapacityIops: number;
  /** Fraction of a path's capacity that reservations may take (the rest stays for everyone). */
  readonly reservableFraction: number;
  /** Smallest io limit ever written (a VM squeezed by others' reservations still gets this much). */
  readonly minLimitMBps: number;
  readonly minLimitIops: number;
  /**
   * Shared LUNs: build a per-VM map (DESIGN §3.2) when the VM has a pin (`'pinned'`), when it
   * has a pin, a limit or a reservation (`'pinned-or-limited'`: such maps use `queue_mode bio`
   * so per-path io.max works, and get per-path limits), never, or for every VM whose disks are
   * LVs directly on a shared map (`'steer'`: each VM's per-VM map uses every path it may, and
   * paths a VM confined by its own map depends on are left to it by shares — steer.ts; a pinned
   * VM that owns a one-group map of LVs also gets one, to enforce its pin).
   */
  readonly perVmMaps: 'never' | 'pinned' | 'pinned-or-limited' | 'steer';
  /**
   * Kernel path selector for a multipathd map used by exactly one VM with more than one usable
   * path in the group it uses: `'keep'` leaves multipathd's; `'historical-service-time'` writes
   * `path_selector "historical-service-time 0"` for its WWID into vmpath.conf (a lone VM has no one
   * to be fair to; the selector that learns each path's service time serves it best). Never
   * for shared maps (there it worsened shares in the simulator).
   */
  readonly ownedMapSelector: 'keep' | 'historical-service-time';
  /**
   * A multipathd map one VM owns with one path group over all paths (multibus), when vmpath
   * chose fewer of its paths (perVmMaps `steer` leaves paths to confined VMs, or a pin):
   * `'keep'` leaves multipathd's grouping; `'by-choice'` writes `path_grouping_policy
   * group_by_prio`, `prio weightedpath`, `prio_args "hbtl …"` (and `failback immediate`) for its
   * WWID into vmpath.conf, so multipathd puts the chosen paths in the first group and the rest in
   * a second one (owned-grouping.ts). Needs multipathd not to autodetect the prioritizer for that
   * LUN (`detect_prio no`, or no ALUA): measured in the lab, docs/policy.md.
   */
  readonly ownedMapGrouping: 'keep' | 'by-choice';
  /** Selector used when a VM's selector is unknown or fails. */
  readonly fallbackSelector: string;
  /** Reconcile period while a limit is converging in steps. */
  readonly stepRequeueMs: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = Object.freeze({
  holdDownSeconds: 0,
  flapWindowSeconds: 300,
  maxFlaps: 4,
  rebalanceGainThreshold: 0.25,
  limitStepFraction: 0.5,
  defaultPathCapacityMBps: 1000,
  defaultPathCapacityIops: 100000,
  reservableFraction: 0.9,
  minLimitMBps: 1,
  minLimitIops: 50,
  perVmMaps: 'pinned',
  ownedMapSelector: 'keep',
  ownedMapGrouping: 'keep',
  fallbackSelector: 'affinity',
  stepRequeueMs: 5000,
});

/** What other cluster nodes see: per node, healthy (usable) path count per LUN WWID. */
export interface ClusterNodeView {
  readonly node: string;
  /** False when the node is down/fenced or not accepting migrations. */
  readonly online: boolean;
  readonly healthyPathsByWwid: Readonly<Record<string, number>>;
}

export interface ClusterView {
  readonly nodes: readonly ClusterNodeView[];
}

export interface DecideInput {
  readonly snapshot: HostSnapshot;
  readonly policies: PolicySet;
  readonly memory: AgentMemory;
  /** The current time (ms since epoch); decide/ never reads a clock. */
  readonly nowMs: number;
  readonly config?: Partial<EngineConfig>;
  readonly selectors: SelectorRegistry;
  readonly cluster?: ClusterView;
}
