/**
 * Path selectors and their registry. A selector is a pure function from one (VM, map) request
 * to an ordered list of preferred path devices. Built-ins and plugin selectors are registered
 * the same way (`register` → Disposable). The shapes here are mirrored, for plugin authors, by
 * agent/plugins/api.d.ts (a type test keeps them compatible).
 */
import type { PinTarget } from '../model/policy';

/** One usable path of the map, with what a selector may weigh. */
export interface PathCandidate {
  readonly dev: string;
  readonly devT: string;
  /** 1-based group index in the base map (multipathd's numbering). */
  readonly group: number;
  readonly adapter?: string;
  readonly fabric?: string;
  readonly targetPort?: string;
  /** Requests in flight on the device now (sysfs inflight, read + write). */
  readonly inflight: number;
  readonly capacityMBps: number;
  /** Sum of the shares of VMs the engine already steered to this path in this plan. */
  readonly assignedShares: number;
  /** Number of VMs already steered to this path in this plan. */
  readonly assignedVms: number;
  readonly priority?: number;
}

export interface SelectRequest {
  readonly vmId: string;
  readonly map: string;
  readonly wwid: string;
  /** Usable, eligible paths, sorted by device name. Never empty. */
  readonly candidates: readonly PathCandidate[];
  /** How many paths the VM should use (>= 1, <= candidates.length). */
  readonly want: number;
  readonly pins: readonly PinTarget[];
  readonly priority: number;
  readonly shares: number;
  /** Paths chosen for this VM on this map last time (may include paths no longer usable). */
  readonly previous: readonly string[];
  /** Position of this VM among the VMs of the map in this plan (0-based, deterministic). */
  readonly ordinal: number;
}

export interface PathSelector {
  /** Unique id, e.g. `affinity` or `acme.latency-aware`. */
  readonly id: string;
  readonly description?: string;
  /** Ordered preferred devices (names from candidates). Must be pure and deterministic. */
  select(request: SelectRequest): readonly string[];
}

export interface Disposable {
  dispose(): void;
}

export interface RegisteredSelector {
  readonly selector: PathSelector;
  /** Who registered it: `builtin` or a plugin id. */
  readonly owner: string;
}

export class SelectorRegistry {
  private readonly entries = new Map<string, RegisteredSelector>();

  /** Register a selector; a second registration of the same id throws. */
  register(selector: PathSelector, owner: string): Disposable {
    if (this.entries.has(selector.id))
      throw new Error(
        `path selector ${selector.id} is already registered by ${this.entries.get(selector.id)?.owner}`,
      );
    const entry = Object.freeze({ selector, owner });
    this.entries.set(selector.id, entry);
    return {
      dispose: () => {
        if (this.entries.get(selector.id) === entry) this.entries.delete(selector.id);
      },
    };
  }

  get(id: string): RegisteredSelector | undefined {
    return this.entries.get(id);
  }

  /** Registered selectors sorted by id. */
  list(): readonly RegisteredSelector[] {
    return [...this.entries.values()].sort((a, b) => (a.selector.id < b.selector.id ? -1 : 1));
  }
}
