/**
 * VmControl for libvirt domains through `virsh` (argv via the CommandRunner, never a shell): the
 * fallback when the native binding is not installed, and the only way to migrate.
 *   status   virsh -c URI domstate DOM        (running | paused | ...)
 *   pause    virsh -c URI suspend DOM
 *   resume   virsh -c URI resume DOM
 *   kill     virsh -c URI destroy DOM
 *   migrate  virsh -c URI migrate --live DOM qemu+ssh://TARGET/system
 * A domain libvirt does not know → VmNotFoundError; any other failure → LibvirtError (stderr).
 */
import { LibvirtError, VmNotFoundError } from '../../model/errors';
import { validateVmId } from '../../model/names';
import type { CommandRunner, VmControl, VmRef } from '../../model/seams';

export interface VirshOptions {
  readonly runner: CommandRunner;
  readonly uri?: string;
  readonly timeoutMs?: number;
  readonly migrateTimeoutMs?: number;
}

const TARGET = /^[A-Za-z0-9][A-Za-z0-9.@-]{0,252}$/;

export class VirshVmControl implements VmControl {
  constructor(private readonly options: VirshOptions) {}

  private async virsh(
    vm: VmRef,
    args: readonly string[],
    timeoutMs = this.options.timeoutMs ?? 30_000,
  ): Promise<string> {
    const argv = ['virsh', '-c', this.options.uri ?? 'qemu:///system', ...args];
    const r = await this.options.runner.run(argv, { timeoutMs });
    if (r.exitCode === 0) return r.stdout;
    const stderr = r.stderr.trim();
    const details = { argv, exitCode: r.exitCode, stderr: stderr.slice(0, 400), vmId: vm.id };
    if (/Domain not found|failed to get domain/i.test(stderr)) {
      throw new VmNotFoundError(`libvirt: no domain ${vm.name || vm.id}`, details);
    }
    throw new LibvirtError(`virsh ${args[0]} ${vm.name || vm.id}: ${stderr}`, details);
  }

  private dom(vm: VmRef): string {
    return validateVmId(vm.name || vm.id);
  }

  async status(vm: VmRef): Promise<'running' | 'paused' | 'unknown'> {
    const state = (await this.virsh(vm, ['domstate', this.dom(vm)])).trim();
    if (state === 'running') return 'running';
    if (state === 'paused' || state === 'pmsuspended') return 'paused';
    return 'unknown';
  }

  async pause(vm: VmRef): Promise<void> {
    await this.virsh(vm, ['suspend', this.dom(vm)]);
  }

  async resume(vm: VmRef): Promise<void> {
    await this.virsh(vm, ['resume', this.dom(vm)]);
  }

  async kill(vm: VmRef): Promise<void> {
    await this.virsh(vm, ['destroy', this.dom(vm)]);
  }

  async migrate(vm: VmRef, target: string): Promise<void> {
    if (!TARGET.test(target))
      throw new LibvirtError(`invalid migration target ${JSON.stringify(target)}`, { target });
    await this.virsh(
      vm,
      ['migrate', '--live', this.dom(vm), `qemu+ssh://${target}/system`],
      this.options.migrateTimeoutMs ?? 600_000,
    );
  }
}
