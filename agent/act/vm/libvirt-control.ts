/**
 * VmControl for libvirt domains. status/pause/resume/kill go through the optional N-API binding
 * `@unraid/libvirt`, loaded lazily on first use (a Proxmox host has no libvirt; the binding must
 * be built against libvirt-dev). When it is missing: with `virshFallback` (default) the same
 * calls go through `virsh` (VirshVmControl); without, they throw LibvirtUnavailableError.
 * Migration is always `virsh migrate --live DOM qemu+ssh://TARGET/system` — the binding has none.
 */
import { LibvirtError, LibvirtUnavailableError, VmpathError } from '../../model/errors';
import type { CommandRunner, VmControl, VmRef } from '../../model/seams';
import { VirshVmControl } from './virsh-control';

/** The part of @unraid/libvirt's Hypervisor vmpath uses. */
export interface LibvirtHypervisor {
  connectOpen(): Promise<void>;
  connectClose(): Promise<void>;
  domainLookupByName(name: string): Promise<unknown>;
  domainGetInfo(domain: unknown): Promise<{ state: number }>;
  domainSuspend(domain: unknown): Promise<void>;
  domainResume(domain: unknown): Promise<void>;
  domainDestroy(domain: unknown): Promise<void>;
}

export type HypervisorFactory = (uri: string) => Promise<LibvirtHypervisor>;

/** virDomainState: 1 running, 3 paused, 7 pmsuspended. */
const RUNNING = 1;
const PAUSED = 3;

/** Loads @unraid/libvirt on demand (CommonJS require, then ESM import for newer releases). */
export const loadUnraidLibvirt: HypervisorFactory = async (uri) => {
  let mod: { Hypervisor?: new (o: { uri: string }) => LibvirtHypervisor; default?: { Hypervisor?: unknown } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native binding, loaded only when a libvirt VM is controlled
    mod = require('@unraid/libvirt');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') {
      throw new LibvirtUnavailableError(
        `libvirt binding @unraid/libvirt not available: ${(e as Error).message}`,
        {},
        e,
      );
    }
    const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<typeof mod>;
    mod = await dynamicImport('@unraid/libvirt');
  }
  const Hypervisor = (mod.Hypervisor ?? mod.default?.Hypervisor) as
    (new (o: { uri: string }) => LibvirtHypervisor) | undefined;
  if (!Hypervisor) throw new LibvirtUnavailableError('@unraid/libvirt loaded but has no Hypervisor export');
  return new Hypervisor({ uri });
};

export interface LibvirtControlOptions {
  readonly uri?: string;
  readonly runner: CommandRunner;
  readonly factory?: HypervisorFactory;
  readonly migrateTimeoutMs?: number;
  /** Use virsh when the binding is not installed (default true). */
  readonly virshFallback?: boolean;
}

export class LibvirtVmControl implements VmControl {
  private hv: Promise<LibvirtHypervisor> | undefined;
  private readonly virsh: VirshVmControl;

  constructor(private readonly options: LibvirtControlOptions) {
    this.virsh = new VirshVmControl({
      runner: options.runner,
      ...(options.uri ? { uri: options.uri } : {}),
      ...(options.migrateTimeoutMs ? { migrateTimeoutMs: options.migrateTimeoutMs } : {}),
    });
  }

  /** Binding call, or the virsh equivalent when the binding is absent and fallback is on. */
  private async either<T>(viaBinding: () => Promise<T>, viaVirsh: () => Promise<T>): Promise<T> {
    try {
      return await viaBinding();
    } catch (e) {
      if (e instanceof LibvirtUnavailableError && this.options.virshFallback !== false) return viaVirsh();
      throw e;
    }
  }

  private async hypervisor(): Promise<LibvirtHypervisor> {
    this.hv ??= (async () => {
      const hv = await (this.options.factory ?? loadUnraidLibvirt)(this.options.uri ?? 'qemu:///system');
      try {
        await hv.connectOpen();
      } catch (e) {
        throw new LibvirtError(
          `libvirt ${this.options.uri ?? 'qemu:///system'}: connect failed: ${(e as Error).message}`,
          {},
          e,
        );
      }
      return hv;
    })();
    try {
      return await this.hv;
    } catch (e) {
      this.hv = undefined; // try again next time (daemon restarted, binding installed)
      throw e;
    }
  }

  private async withDomain<T>(
    vm: VmRef,
    what: string,
    fn: (hv: LibvirtHypervisor, dom: unknown) => Promise<T>,
  ): Promise<T> {
    const hv = await this.hypervisor();
    try {
      const dom = await hv.domainLookupByName(vm.name || vm.id);
      return await fn(hv, dom);
    } catch (e) {
      if (e instanceof VmpathError) throw e;
      throw new LibvirtError(
        `libvirt ${what} ${vm.name || vm.id}: ${(e as Error).message}`,
        { vmId: vm.id, what },
        e,
      );
    }
  }

  async status(vm: VmRef): Promise<'running' | 'paused' | 'unknown'> {
    return this.either(
      async () => {
        const info = await this.withDomain(vm, 'getInfo', (hv, d) => hv.domainGetInfo(d));
        return info.state === RUNNING ? 'running' : info.state === PAUSED ? 'paused' : 'unknown';
      },
      () => this.virsh.status(vm),
    );
  }

  pause(vm: VmRef): Promise<void> {
    return this.either(
      () => this.withDomain(vm, 'suspend', (hv, d) => hv.domainSuspend(d)),
      () => this.virsh.pause(vm),
    );
  }

  resume(vm: VmRef): Promise<void> {
    return this.either(
      () => this.withDomain(vm, 'resume', (hv, d) => hv.domainResume(d)),
      () => this.virsh.resume(vm),
    );
  }

  kill(vm: VmRef): Promise<void> {
    return this.either(
      () => this.withDomain(vm, 'destroy', (hv, d) => hv.domainDestroy(d)),
      () => this.virsh.kill(vm),
    );
  }

  migrate(vm: VmRef, target: string): Promise<void> {
    return this.virsh.migrate(vm, target);
  }

  async close(): Promise<void> {
    const hv = this.hv;
    this.hv = undefined;
    if (hv) await (await hv).connectClose().catch(() => undefined);
  }
}
