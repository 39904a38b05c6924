/**
 * The agent runtime: wires observe → decide → act into ReconcileDeps for the Controller, the same
 * way for a real host (`vmpath agent`) and the simulated one (`vmpath demo`). It owns the one
 * piece of state the loop carries between reconciles — AgentMemory — and keeps it durable:
 * what act did (pauses, migrations) comes from the journal; what decide remembers (path history,
 * assignments, all-paths-down times) is updated with memoryAfter() and journaled when it changes.
 */
import { applyPlan } from '../act';
import type { Journal } from '../act';
import { decide } from '../decide';
import { memoryAfter } from '../decide/memory-after';
import type { SelectorRegistry } from '../decide/selector';
import type { ClusterView, EngineConfig } from '../decide/types';
import type { AgentMemory } from '../model/memory';
import type { ActionResult, Plan } from '../model/plan';
import type { PolicySet } from '../model/policy';
import type { Clock, CommandRunner, HostFs, VmControl } from '../model/seams';
import type { HostSnapshot, Vm } from '../model/snapshot';
import { observeHost } from '../observe';
import type { ClusterSource } from './cluster-source';
import type { ReconcileDeps } from './reconciler';

export type RuntimeMode = 'act' | 'dry-run' | 'observe-only';

export interface RuntimeParts {
  readonly fs: HostFs;
  readonly runner: CommandRunner;
  readonly vmControl: VmControl;
  readonly clock: Clock;
  readonly journal: Journal;
  readonly selectors: SelectorRegistry;
  /** Loaded at every reconcile (config files and VM metadata may change). */
  readonly policies: (snapshot: HostSnapshot) => Promise<PolicySet>;
  readonly engine?: Partial<EngineConfig>;
  /** A fixed view (tests, the simulator); wins over clusterSource. */
  readonly cluster?: () => ClusterView | undefined;
  /** Publishes this node's path health and reads the other nodes' after each observe. */
  readonly clusterSource?: ClusterSource;
  readonly mode: RuntimeMode;
}

export class AgentRuntime implements ReconcileDeps {
  private policySet: PolicySet = { allVms: [], byVm: {} };
  private decided: AgentMemory;
  private lastPersisted = '';
  private clusterView: ClusterView | undefined;

  constructor(private readonly parts: RuntimeParts) {
    this.decided = parts.journal.memory();
  }

  nowMs(): number {
    return this.parts.clock.nowMs();
  }

  memory(): AgentMemory {
    const durable = this.parts.journal.memory();
    return { ...this.decided, pausedByVmpath: durable.pausedByVmpath, migrations: durable.migrations };
  }

  async observe(): Promise<HostSnapshot> {
    const raw = await observeHost({ fs: this.parts.fs, runner: this.parts.runner, clock: this.parts.clock });
    const snapshot = await this.withRunStates(raw);
    this.policySet = await this.parts.policies(snapshot);
    if (this.parts.clusterSource) {
      // never fails the reconcile: problems are the source's diagnostics; keep deciding without a view
      this.clusterView = await this.parts.clusterSource
        .exchange(snapshot, this.parts.clock.nowMs())
        .catch(() => undefined);
    }
    return snapshot;
  }

  decide(snapshot: HostSnapshot, memory: AgentMemory, nowMs: number): Plan {
    const cluster = this.parts.cluster?.() ?? this.clusterView;
    return decide({
      snapshot,
      policies: this.policySet,
      memory,
      nowMs,
      selectors: this.parts.selectors,
      ...(this.parts.engine ? { config: this.parts.engine } : {}),
      ...(cluster ? { cluster } : {}),
    });
  }

  async apply(plan: Plan, snapshot: HostSnapshot): Promise<readonly ActionResult[]> {
    if (this.parts.mode === 'observe-only')
      return plan.actions.map((a) => ({ actionId: a.id, outcome: 'skipped', message: 'observe-only mode' }));
    const p = this.parts;
    return applyPlan(
      { fs: p.fs, runner: p.runner, vmControl: p.vmControl, journal: p.journal, clock: p.clock, snapshot },
      plan,
      {
        dryRun: p.mode === 'dry-run',
      },
    );
  }

  remember(snapshot: HostSnapshot, plan: Plan, results: readonly ActionResult[], nowMs: number): void {
    // Only what was applied (or needed no change) counts as done; failed pauses are retried next time.
    const ok = new Set(
      results.filter((r) => r.outcome === 'applied' || r.outcome === 'unchanged').map((r) => r.actionId),
    );
    const effective: Plan = { ...plan, actions: plan.actions.filter((a) => ok.has(a.id)) };
    const next = memoryAfter(this.memory(), snapshot, effective, nowMs);
    this.decided = next;
    const patch = {
      paths: next.paths,
      assignments: next.assignments,
      allPathsDownSince: next.allPathsDownSince,
    };
    const text = JSON.stringify(patch);
    if (text !== this.lastPersisted && this.parts.mode === 'act') {
      this.lastPersisted = text;
      void this.parts.journal.remember(patch).catch(() => undefined);
    }
  }

  /**
   * observe/ cannot see whether a VM is paused (that takes QMP/libvirt). Ask VM control only for the
   * VMs it matters for — those vmpath paused — so QMP's one client slot is not taken every reconcile.
   */
  private async withRunStates(snapshot: HostSnapshot): Promise<HostSnapshot> {
    const paused = this.parts.journal.memory().pausedByVmpath;
    if (Object.keys(paused).length === 0) return snapshot;
    const vms: Vm[] = await Promise.all(
      snapshot.vms.map(async (vm) => {
        if (!(vm.id in paused) || vm.runState !== 'unknown') return vm;
        try {
          const runState = await this.parts.vmControl.status({
            id: vm.id,
            kind: vm.kind,
            name: vm.name,
            pid: vm.pid,
            ...(vm.qmpSocket ? { qmpSocket: vm.qmpSocket } : {}),
          });
          return { ...vm, runState };
        } catch {
          return vm;
        }
      }),
    );
    return Object.freeze({ ...snapshot, vms: Object.freeze(vms) });
  }
}
