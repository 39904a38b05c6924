/**
 * Shared types of act/: the context every actuator gets, the internal action union (plan
 * actions plus the one restore step only `release` emits), and the two-phase actuator contract.
 */
import type { Action } from '../model/plan';
import type { HostSnapshot } from '../model/snapshot';
import type { Clock, CommandRunner, HostFs, VmControl, VmRef } from '../model/seams';
import type { CgroupMounts } from './cgroup-mounts';
import type { ConfigFiles } from './config-files';
import type { Journal } from './journal';

export interface ActContext {
  readonly fs: HostFs;
  readonly runner: CommandRunner;
  readonly vmControl: VmControl;
  readonly journal: Journal;
  readonly clock: Clock;
  /** The snapshot the plan was decided from: observed values for desired-vs-observed checks. */
  readonly snapshot?: HostSnapshot;
  /** Regular config files (vmpath.conf); default: RootedConfigFiles at fs.root. */
  readonly files?: ConfigFiles;
  /** cgroup mount points; default: read from /proc/mounts once per applyPlan. */
  readonly mounts?: CgroupMounts;
  /** How to address a VM the snapshot does not list (CLI without observe). */
  readonly resolveVm?: (vmId: string) => Promise<VmRef>;
}

/** Restores vmpath.conf to what it was before vmpath wrote it (`null` = remove the file). */
export interface RestoreFailbackConfAction {
  readonly kind: 'restore-failback-conf';
  readonly id: string;
  readonly reason: string;
  readonly origins: readonly [];
  readonly trigger: 'operator';
  readonly content: string | null;
}

export type ActAction = Action | RestoreFailbackConfAction;

/** What a change needs to be undone: the ledger key (one per object) and the inverse step. */
export interface UndoInfo {
  /** One per changed object, e.g. `io-limit:v1:/qemu.slice/101.scope:7:0`. */
  readonly key: string;
  readonly vmId?: string;
  /** The step that puts the object back as vmpath found it (absent: nothing to restore). */
  readonly inverse?: ActAction;
}

/**
 * Phase one of an action: observe and compare. `unchanged` ends it; otherwise `undo` is
 * journaled as intent and `run()` makes the change (phase two), returning a short message.
 */
export type Prepared =
  | { readonly unchanged: true; readonly message?: string }
  /** Deliberately not done (e.g. resuming a VM vmpath did not pause); reported as `skipped`. */
  | { readonly unchanged: 'skip'; readonly message: string }
  | {
      readonly unchanged: false;
      readonly undo?: UndoInfo;
      readonly describe: string;
      run(): Promise<string | void>;
    };

/** Everything an actuator may use: the context plus derived, resolved helpers. */
export interface ActEnv extends ActContext {
  readonly files: ConfigFiles;
  readonly mounts: CgroupMounts;
  vmRef(vmId: string): Promise<VmRef>;
}
