/**
 * Which transport a path device sits on, from where its `device` link points in /sys/devices:
 * an FC remote port (`rport-H:B-R`), an iSCSI session (`sessionN`), a SAS end device, or an NVMe
 * controller. Per-port and per-session attributes are read once per snapshot (memoised): a
 * host has many LUNs behind one port.
 */
import type { HostFs } from '../../model/seams';
import type { Transport } from '../../model/snapshot';
import { memoAsync } from '../concurrency';
import { listOptional, readAttr } from '../read';

function num(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** `o` without its undefined members (a loop: this runs once per path device). */
function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const key in o) {
    const v = o[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

export interface ScsiLocation {
  readonly hcil?: string;
  readonly transport: Transport;
  /**
   * The fabric the path crosses, as the host names it: FC `fc_host/hostN/fabric_name` (the
   * switch fabric's WWN; `0x0` means point-to-point/unknown and is left out), iSCSI the session's
   * `ifacename`. Pins of kind `fabric` match this (case-insensitive).
   */
  readonly fabric?: string;
}

interface NvmeSubsystem {
  readonly name: string;
  readonly nqn?: string;
  readonly iopolicy?: string;
}

export class TransportReader {
  constructor(private readonly fs: HostFs) {}

  private readonly fcRemotePort = memoAsync(async (rport: string) => {
    const base = `/sys/class/fc_remote_ports/${rport}`;
    const [state, portName, devLoss, fastIoFail] = await Promise.all([
      readAttr(this.fs, `${base}/port_state`),
      readAttr(this.fs, `${base}/port_name`),
      readAttr(this.fs, `${base}/dev_loss_tmo`),
      readAttr(this.fs, `${base}/fast_io_fail_tmo`),
    ]);
    return { state, portName, devLoss: num(devLoss), fastIoFail: num(fastIoFail) };
  });

  private readonly fcHostPort = memoAsync(async (host: string) => {
    const [port, fabric] = await Promise.all([
      readAttr(this.fs, `/sys/class/fc_host/${host}/port_name`),
      readAttr(this.fs, `/sys/class/fc_host/${host}/fabric_name`),
    ]);
    return { port, fabric: fabric && !/^0x0+$/.test(fabric) ? fabric : undefined };
  });

  private readonly iscsiSession = memoAsync(async (session: string) => {
    const base = `/sys/class/iscsi_session/${session}`;
    const [state, target, recovery, iface] = await Promise.all([
      readAttr(this.fs, `${base}/state`),
      readAttr(this.fs, `${base}/targetname`),
      readAttr(this.fs, `${base}/recovery_tmo`),
      readAttr(this.fs, `${base}/ifacename`),
    ]);
    return { state, target, recovery: num(recovery), iface };
  });

  /** controller name (nvme0) → its subsystem; one scan of /sys/class/nvme-subsystem per snapshot. */
  private readonly nvmeSubsystems = memoAsync(async () => {
    const byController = new Map<string, NvmeSubsystem>();
    for (const name of await listOptional(this.fs, '/sys/class/nvme-subsystem')) {
      const base = `/sys/class/nvme-subsystem/${name}`;
      const [entries, nqn, iopolicy] = await Promise.all([
        listOptional(this.fs, base),
        readAttr(this.fs, `${base}/subsysnqn`),
        readAttr(this.fs, `${base}/iopolicy`),
      ]);
      const subsystem = defined({ name, nqn, iopolicy });
      for (const e of entries) if (/^nvme\d+$/.test(e)) byController.set(e, subsystem);
    }
    return byController;
  });

  /** Target directory (the device path without its H:C:T:L) → its transport; per snapshot. */
  private readonly byTarget = new Map<string, Promise<Omit<ScsiLocation, 'hcil'>>>();

  /**
   * Transport of a SCSI disk, given the realpath of `/sys/block/<dev>/device`. Every LUN behind one
   * target shares it, so it is worked out once per target directory.
   */
  async scsi(devicePath: string): Promise<ScsiLocation> {
    const slash = devicePath.lastIndexOf('/');
    const last = devicePath.slice(slash + 1);
    const hcil = /^\d+:\d+:\d+:\d+$/.test(last) ? last : undefined;
    const targetDir = hcil ? devicePath.slice(0, slash) : devicePath;
    let located = this.byTarget.get(targetDir);
    if (!located) {
      located = this.locate(targetDir);
      this.byTarget.set(targetDir, located);
    }
    const { transport, fabric } = await located;
    return { ...(hcil ? { hcil } : {}), transport, ...(fabric ? { fabric } : {}) };
  }

  private async locate(targetDir: string): Promise<Omit<ScsiLocation, 'hcil'>> {
    const parts = targetDir.split('/');
    const adapter = parts.find((p) => /^host\d+$/.test(p));
    const rport = parts.find((p) => /^rport-\d+:\d+-\d+$/.test(p));
    const session = parts.find((p) => /^session\d+$/.test(p));
    let transport: Transport;
    let fabric: string | undefined;
    if (rport) {
      const [port, hostPort] = await Promise.all([
        this.fcRemotePort(rport),
        adapter ? this.fcHostPort(adapter) : Promise.resolve(undefined),
      ]);
      fabric = hostPort?.fabric;
      transport = defined({
        kind: 'fc' as const,
        state: port.state,
        adapter,
        targetPort: port.portName,
        hostPort: hostPort?.port,
        devLossTmo: port.devLoss,
        fastIoFailTmo: port.fastIoFail,
      });
    } else if (session) {
      const s = await this.iscsiSession(session);
      fabric = s.iface;
      transport = defined({
        kind: 'iscsi' as const,
        state: s.state,
        adapter,
        targetPort: s.target,
        recoveryTmo: s.recovery,
      });
    } else if (parts.some((p) => p.startsWith('end_device-') || /^port-\d+:\d+$/.test(p))) {
      transport = defined({ kind: 'sas' as const, adapter });
    } else {
      transport = defined({ kind: 'scsi' as const, adapter });
    }
    return { transport, ...(fabric ? { fabric } : {}) };
  }

  /** Transport of an NVMe native-multipath path `nvmeXcYnZ`, given its controller name and state. */
  async nvme(controller: string, state: string | undefined): Promise<Transport> {
    const subsystem = (await this.nvmeSubsystems('')).get(controller);
    return defined({
      kind: 'nvme' as const,
      state,
      adapter: controller,
      targetPort: subsystem?.nqn ?? subsystem?.name,
      iopolicy: subsystem?.iopolicy,
    });
  }
}
