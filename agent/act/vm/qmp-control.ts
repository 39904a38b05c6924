/**
 * VmControl over QMP for Proxmox VMs (and plain QEMU with a known socket): `query-status`,
 * `stop`, `cont`, `quit`. Each call connects, acts and disconnects (QMP serves one client; Proxmox's
 * qm and pvestatd use the same socket). Migration is not a QMP job here: use the Proxmox API.
 */
import * as path from 'node:path';
import { QmpClosedError, VmControlUnsupportedError } from '../../model/errors';
import { validateVmId } from '../../model/names';
import type { VmControl, VmRef } from '../../model/seams';
import { qmpCommand, type QmpOptions } from './qmp-client';

export interface QmpControlOptions extends QmpOptions {
  /** Host root the socket path is under (default `/`). */
  readonly root?: string;
  /** Socket path for a VM (host path). Default `/var/run/qemu-server/<vmid>.qmp`. */
  readonly socketFor?: (vm: VmRef) => string;
}

/** QMP run states that mean "not running, and resumable with cont". */
const PAUSED = new Set(['paused', 'io-error', 'suspended']);

export class QmpVmControl implements VmControl {
  constructor(private readonly options: QmpControlOptions = {}) {}

  socket(vm: VmRef): string {
    const host =
      this.options.socketFor?.(vm) ?? vm.qmpSocket ?? `/var/run/qemu-server/${validateVmId(vm.id)}.qmp`;
    const root = this.options.root ?? '/';
    return root === '/' ? host : path.join(root, host);
  }

  private run(vm: VmRef, command: string): Promise<unknown> {
    return qmpCommand(this.socket(vm), command, undefined, this.options);
  }

  async status(vm: VmRef): Promise<'running' | 'paused' | 'unknown'> {
    const r = (await this.run(vm, 'query-status')) as { status?: string; running?: boolean };
    if (r.running) return 'running';
    return PAUSED.has(r.status ?? '') ? 'paused' : 'unknown';
  }

  async pause(vm: VmRef): Promise<void> {
    await this.run(vm, 'stop');
  }

  async resume(vm: VmRef): Promise<void> {
    await this.run(vm, 'cont');
  }

  async migrate(vm: VmRef): Promise<void> {
    throw new VmControlUnsupportedError(
      `vm ${vm.id}: migration needs the Proxmox API (configure proxmox in vmpath)`,
      {
        vmId: vm.id,
      },
    );
  }

  /** `quit`: QEMU exits at once (the reply may be lost with the connection: that is success). */
  async kill(vm: VmRef): Promise<void> {
    try {
      await this.run(vm, 'quit');
    } catch (e) {
      if (!(e instanceof QmpClosedError)) throw e;
    }
  }
}
