/** Builds the ActEnv an actuator sees from an ActContext (defaults, dry-run wrappers, VM lookup). */
import type { VmRef } from '../model/seams';
import { validateVmId } from '../model/names';
import { readCgroupMounts } from './cgroup-mounts';
import { RootedConfigFiles } from './config-files';
import { DryRunFiles, DryRunFs, DryRunRunner, DryRunVmControl, EffectLog } from './dry-run';
import type { ActContext, ActEnv } from './types';

/** Proxmox VMs have /var/run/qemu-server/<vmid>.qmp; anything else is taken for libvirt. */
async function defaultVmRef(ctx: ActContext, vmId: string): Promise<VmRef> {
  validateVmId(vmId);
  const seen = ctx.snapshot?.vms.find((v) => v.id === vmId);
  if (seen)
    return {
      id: seen.id,
      kind: seen.kind,
      name: seen.name,
      pid: seen.pid,
      ...(seen.qmpSocket ? { qmpSocket: seen.qmpSocket } : {}),
    };
  if (ctx.resolveVm) return ctx.resolveVm(vmId);
  if (await ctx.fs.exists(`/var/run/qemu-server/${vmId}.qmp`)) {
    const pid =
      Number((await ctx.fs.readFile(`/var/run/qemu-server/${vmId}.pid`).catch(() => '0')).trim()) || 0;
    return { id: vmId, kind: 'proxmox', name: vmId, pid };
  }
  return { id: vmId, kind: 'libvirt', name: vmId, pid: 0 };
}

export async function makeEnv(ctx: ActContext, dryRun: boolean): Promise<{ env: ActEnv; log: EffectLog }> {
  const log = new EffectLog();
  const files = ctx.files ?? new RootedConfigFiles(ctx.fs.root);
  const mounts = ctx.mounts ?? (await readCgroupMounts(ctx.fs));
  const base = { ...ctx, files, mounts, vmRef: (id: string) => defaultVmRef(ctx, id) };
  if (!dryRun) return { env: base, log };
  return {
    env: {
      ...base,
      fs: new DryRunFs(ctx.fs, log),
      runner: new DryRunRunner(ctx.runner, log),
      files: new DryRunFiles(files, log),
      vmControl: new DryRunVmControl(ctx.vmControl, log),
    },
    log,
  };
}
