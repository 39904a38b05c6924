/**
 * An ActContext for a real host (or any root: a simulator directory, a test tree), for the CLI
 * commands that act outside the agent loop (`vmpath release|pause|resume|apply`). VM control
 * defaults to QMP for Proxmox VMs (sockets under the root) and libvirt (lazy binding) for libvirt
 * domains, with bounded retries; the Proxmox API backend is added when the caller configures it.
 */
import { RootedHostFs } from '../os/host-fs';
import { ProcessCommandRunner } from '../os/command-runner';
import type { Clock, CommandRunner, HostFs, VmControl } from '../model/seams';
import type { HostSnapshot } from '../model/snapshot';
import { DEFAULT_JOURNAL_PATH, Journal } from './journal';
import type { ActContext } from './types';
import { QmpVmControl } from './vm/qmp-control';
import { LibvirtVmControl } from './vm/libvirt-control';
import { RetryingVmControl } from './vm/retry';
import { RoutingVmControl } from './vm/routing-control';
import type { ControlConfig } from '../config/control';
import { controlBackends } from './control-backends';

export interface HostContextOptions {
  readonly root?: string;
  readonly journalPath?: string;
  readonly clock?: Clock;
  readonly fs?: HostFs;
  readonly runner?: CommandRunner;
  readonly vmControl?: VmControl;
  /** Proxmox API backend (ProxmoxApiVmControl), when configured: preferred for migrate. */
  readonly proxmoxApi?: VmControl;
  readonly libvirtUri?: string;
  /** The config file's `control` section: libvirt URI and Proxmox API (used unless given above). */
  readonly control?: ControlConfig;
  readonly snapshot?: HostSnapshot;
  /** Dry run: a journal that does not exist yet is not created (an in-memory one stands in). */
  readonly dryRun?: boolean;
}

export function defaultVmControl(
  root: string,
  runner: CommandRunner,
  extra: Pick<HostContextOptions, 'proxmoxApi' | 'libvirtUri'> = {},
): VmControl {
  return new RetryingVmControl(
    new RoutingVmControl({
      qmp: new QmpVmControl({ root }),
      libvirt: new LibvirtVmControl({ runner, ...(extra.libvirtUri ? { uri: extra.libvirtUri } : {}) }),
      // Configured, the API serves every call for Proxmox VMs (PVE then knows a VM is paused and
      // why); QMP stays for plain QEMU and for hosts without the API configured.
      ...(extra.proxmoxApi ? { proxmoxApi: extra.proxmoxApi, preferApi: true } : {}),
    }),
  );
}

export async function openHostActContext(
  options: HostContextOptions = {},
): Promise<ActContext & { close(): Promise<void> }> {
  const root = options.root ?? '/';
  const clock = options.clock ?? { nowMs: () => Date.now() };
  const fs = options.fs ?? new RootedHostFs(root);
  const runner = options.runner ?? new ProcessCommandRunner();
  const backends = options.vmControl ? {} : await controlBackends(fs, options.control);
  const journalPath = options.journalPath ?? DEFAULT_JOURNAL_PATH;
  const journal =
    options.dryRun && !(await fs.exists(journalPath))
      ? await Journal.inMemory({ clock })
      : await Journal.open(root, journalPath, { clock, readOnly: options.dryRun === true });
  return {
    fs,
    runner,
    clock,
    journal,
    vmControl: options.vmControl ?? defaultVmControl(root, runner, { ...backends, ...options }),
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
    close: () => journal.close(),
  };
}
