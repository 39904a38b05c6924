/**
 * One VmControl for the whole host: routes each call by the VM's kind. Proxmox VMs use the
 * Proxmox API when configured (it is also the only way to migrate them), else QMP; libvirt
 * domains use libvirt. A kind with no backend gets VmControlUnsupportedError.
 */
import { VmControlUnsupportedError } from '../../model/errors';
import type { VmControl, VmRef } from '../../model/seams';

export interface VmBackends {
  /** QMP for Proxmox / plain QEMU VMs. */
  readonly qmp?: VmControl;
  /** Proxmox API; preferred over QMP for migrate, and for everything when `preferApi`. */
  readonly proxmoxApi?: VmControl;
  readonly libvirt?: VmControl;
  readonly preferApi?: boolean;
}

export class RoutingVmControl implements VmControl {
  constructor(private readonly backends: VmBackends) {}

  private pick(vm: VmRef, op: string): VmControl {
    const b = this.backends;
    const chosen =
      vm.kind === 'libvirt'
        ? b.libvirt
        : vm.kind === 'qemu' // plain QEMU: not a Proxmox VM, QMP only
          ? b.qmp
          : op === 'migrate' || b.preferApi
            ? (b.proxmoxApi ?? (op === 'migrate' ? undefined : b.qmp))
            : (b.qmp ?? b.proxmoxApi);
    if (!chosen)
      throw new VmControlUnsupportedError(`vm ${vm.id} (${vm.kind}): no backend configured for ${op}`, {
        vmId: vm.id,
        op,
      });
    return chosen;
  }

  async status(vm: VmRef) {
    return this.pick(vm, 'status').status(vm);
  }
  async pause(vm: VmRef) {
    return this.pick(vm, 'pause').pause(vm);
  }
  async resume(vm: VmRef) {
    return this.pick(vm, 'resume').resume(vm);
  }
  async migrate(vm: VmRef, target: string) {
    return this.pick(vm, 'migrate').migrate(vm, target);
  }
  async kill(vm: VmRef) {
    return this.pick(vm, 'kill').kill(vm);
  }
}
