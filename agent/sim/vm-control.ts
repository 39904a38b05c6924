/**
 * VmControl for simulated VMs: pause/resume (a paused VM issues no I/O), migrate (the VM leaves
 * the host after a delay: its process, cgroup and run files disappear), kill. VMs are found by
 * id; a VM that is not (or no longer) on the host is VmNotFoundError, as with a real host.
 */
import { VmNotFoundError } from '../model/errors';
import type { VmControl, VmRef } from '../model/seams';
import type { SimState } from './build';
import type { SimVm } from './state';

export interface VmControlHooks {
  nowMs(): number;
  changed(vm: SimVm): void;
}

/** Simulated time a live migration takes before the VM has left the host. */
export const DEFAULT_MIGRATE_MS = 8000;

export class SimVmControl implements VmControl {
  /** Every call made, for tests and the live view. */
  readonly calls: { op: string; vm: string; target?: string; timeMs: number }[] = [];

  constructor(
    private readonly state: SimState,
    private readonly hooks: VmControlHooks,
    private readonly migrateMs = DEFAULT_MIGRATE_MS,
  ) {}

  private find(ref: VmRef): SimVm {
    const vm = this.state.vms.find((v) => v.id === ref.id && v.runState !== 'gone');
    if (!vm) throw new VmNotFoundError(`vm ${ref.id}: not running on this host`, { vm: ref.id });
    return vm;
  }

  private log(op: string, vm: SimVm, target?: string): void {
    this.calls.push({ op, vm: vm.id, ...(target ? { target } : {}), timeMs: this.hooks.nowMs() });
  }

  async status(ref: VmRef): Promise<'running' | 'paused' | 'unknown'> {
    const vm = this.state.vms.find((v) => v.id === ref.id);
    if (!vm || vm.runState === 'gone')
      throw new VmNotFoundError(`vm ${ref.id}: not running on this host`, { vm: ref.id });
    return vm.runState;
  }

  async pause(ref: VmRef): Promise<void> {
    const vm = this.find(ref);
    this.log('pause', vm);
    vm.runState = 'paused';
    this.hooks.changed(vm);
  }

  async resume(ref: VmRef): Promise<void> {
    const vm = this.find(ref);
    this.log('resume', vm);
    vm.runState = 'running';
    this.hooks.changed(vm);
  }

  async migrate(ref: VmRef, target: string): Promise<void> {
    const vm = this.find(ref);
    this.log('migrate', vm, target);
    if (vm.migrateAtMs === undefined) {
      vm.migrateAtMs = this.hooks.nowMs() + this.migrateMs;
      vm.migrateTarget = target;
    }
  }

  async kill(ref: VmRef): Promise<void> {
    const vm = this.find(ref);
    this.log('kill', vm);
    vm.runState = 'gone';
    this.hooks.changed(vm);
  }

  /** Finish migrations due by `now`. */
  step(now: number): void {
    for (const vm of this.state.vms) {
      if (vm.migrateAtMs !== undefined && vm.migrateAtMs <= now && vm.runState !== 'gone') {
        vm.runState = 'gone';
        vm.migrateAtMs = undefined;
        this.hooks.changed(vm);
      }
    }
  }
}
