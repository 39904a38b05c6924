/**
 * VmControl through the Proxmox VE API (works for VMs on any node of the cluster, and is the only
 * way to migrate): status/current, status/suspend, status/resume, status/stop, migrate.
 * `node` is this host's PVE node name. migrate resolves with the task UPID once PVE started it.
 */
import { validateVmId } from '../../model/names';
import { InvalidNameError } from '../../model/errors';
import type { VmControl, VmRef } from '../../model/seams';
import type { ProxmoxApiClient } from './proxmox-api';

const NODE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;

function validateNode(node: string): string {
  if (!NODE.test(node)) throw new InvalidNameError(`invalid Proxmox node name: ${JSON.stringify(node)}`);
  return node;
}

export class ProxmoxApiVmControl implements VmControl {
  private readonly node: string;

  constructor(
    private readonly api: ProxmoxApiClient,
    node: string,
  ) {
    this.node = validateNode(node);
  }

  private base(vm: VmRef): string {
    const id = validateVmId(vm.id);
    if (!/^\d{1,9}$/.test(id)) throw new InvalidNameError(`not a Proxmox vmid: ${JSON.stringify(id)}`);
    return `/nodes/${this.node}/qemu/${id}`;
  }

  async status(vm: VmRef): Promise<'running' | 'paused' | 'unknown'> {
    const data = await this.api.get<{ status?: string; qmpstatus?: string }>(
      `${this.base(vm)}/status/current`,
    );
    const s = data?.qmpstatus ?? data?.status;
    if (s === 'running') return 'running';
    if (s === 'paused' || s === 'io-error' || s === 'suspended') return 'paused';
    return 'unknown';
  }

  async pause(vm: VmRef): Promise<void> {
    await this.api.post(`${this.base(vm)}/status/suspend`);
  }

  async resume(vm: VmRef): Promise<void> {
    await this.api.post(`${this.base(vm)}/status/resume`);
  }

  /** Returns the UPID of the migration task. */
  async migrateTask(vm: VmRef, target: string): Promise<string> {
    return this.api.post<string>(`${this.base(vm)}/migrate`, { target: validateNode(target), online: 1 });
  }

  async migrate(vm: VmRef, target: string): Promise<void> {
    await this.migrateTask(vm, target);
  }

  async kill(vm: VmRef): Promise<void> {
    await this.api.post(`${this.base(vm)}/status/stop`);
  }
}
