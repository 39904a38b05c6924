/**
 * Keeps the simulated host's root directory in step with its state, in real kernel layouts:
 * sysfs (block devices, SCSI devices, FC/iSCSI transport classes, dm), procfs (mounts, QEMU
 * processes), cgroupfs, Proxmox/libvirt run files, /dev nodes as `block MAJ:MIN` files.
 * Every write goes through a content cache, so only files whose text changed touch the disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimState } from './build';
import { devState, fcFabricName, fcHostWwnn, fcHostWwpn, fcTargetWwpn } from './format-multipathd';
import { formatRules } from './cgroups';
import { cgroupDir, cmdline, mountsText, pveConf, qemuOtherFds, V1_FILES, weightText } from './proc-files';
import type { DmDev, IoStat, SimLink, SimPathDev, SimVm } from './state';

/** Names of the files refreshCounter serves. */
const COUNTER_FILE = /\/(?:stat|diskstats|inflight|io\.stat|blkio\.throttle\.io_service_bytes)$/;
export const DISKSTATS_FILE = '/proc/diskstats';

const pad8 = (n: number): string => String(Math.floor(n)).padStart(8);

/** The 17 counters of `stat` (and of a `/proc/diskstats` line), whole numbers. */
function statFields(s: IoStat): number[] {
  const f = [s.readIos, 0, s.readSectors, s.readTicks, s.writeIos, 0, s.writeSectors, s.writeTicks];
  f.push(s.inflightR + s.inflightW, s.ioTicks, s.timeInQueue, 0, 0, 0, 0, 0, 0);
  return f.map((n) => Math.floor(n));
}

export function statText(s: IoStat): string {
  return statFields(s).map(pad8).join(' ') + '\n';
}

/** One `/proc/diskstats` line: `%4d %7d %s` then the counters of `stat`, unpadded. */
function diskstatsLine(devT: string, name: string, s: IoStat): string {
  const colon = devT.indexOf(':');
  return `${devT.slice(0, colon).padStart(4)} ${devT.slice(colon + 1).padStart(7)} ${name} ${statFields(s).join(' ')}\n`;
}

export function inflightText(s: IoStat): string {
  return `${pad8(s.inflightR)} ${pad8(s.inflightW)}\n`;
}

function hostDir(l: SimLink): string {
  if (l.transport === 'iscsi') return `/sys/devices/platform/host${l.hostNo}`;
  return `/sys/devices/pci0000:00/0000:00:${(l.hostNo + 3).toString(16).padStart(2, '0')}.0/host${l.hostNo}`;
}

function targetDir(l: SimLink): string {
  const t = `target${l.hostNo}:0:${l.targetNo}`;
  if (l.transport === 'fc') return `${hostDir(l)}/rport-${l.hostNo}:0-${l.targetNo}/${t}`;
  if (l.transport === 'iscsi') return `${hostDir(l)}/session${l.sessionNo}/${t}`;
  return `${hostDir(l)}/${t}`;
}

export const scsiDeviceDir = (p: SimPathDev): string => `${targetDir(p.link)}/${p.hcil}`;
export const blockDir = (p: SimPathDev): string => `${scsiDeviceDir(p)}/block/${p.dev}`;
export const dmDir = (dm: DmDev): string => `/sys/devices/virtual/block/dm-${dm.minor}`;

export class Presenter {
  private readonly cache = new Map<string, string>();
  private readonly dirs = new Set<string>();
  /** Block dir → sdX/dm-N currently listed in its holders/ and slaves/. */
  private readonly links = new Map<string, Set<string>>();

  constructor(
    readonly root: string,
    private readonly state: SimState,
  ) {}

  private real(p: string): string {
    return path.join(this.root, p);
  }

  private mkdir(dir: string): void {
    if (this.dirs.has(dir)) return;
    fs.mkdirSync(this.real(dir), { recursive: true });
    this.dirs.add(dir);
  }

  /** Write a host file if its content changed. */
  put(file: string, text: string): void {
    if (this.cache.get(file) === text) return;
    this.mkdir(path.posix.dirname(file));
    fs.writeFileSync(this.real(file), text);
    this.cache.set(file, text);
  }

  /** What we last wrote to a file (undefined if never). */
  cached(file: string): string | undefined {
    return this.cache.get(file);
  }

  /** Forget what we wrote (someone else wrote the file: re-read it next time). */
  forget(file: string): void {
    this.cache.delete(file);
  }

  private symlink(at: string, target: string): void {
    const key = `link:${at}`;
    if (this.cache.get(key) === target) return;
    this.mkdir(path.posix.dirname(at));
    const real = this.real(at);
    try {
      fs.symlinkSync(target, real);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      fs.rmSync(real, { force: true, recursive: true });
      fs.symlinkSync(target, real);
    }
    this.cache.set(key, target);
  }

  private relLink(at: string, target: string): void {
    this.symlink(at, path.posix.relative(path.posix.dirname(at), target));
  }

  remove(p: string): void {
    fs.rmSync(this.real(p), { force: true, recursive: true });
    for (const k of [...this.cache.keys()]) {
      const f = k.startsWith('link:') ? k.slice(5) : k;
      if (f === p || f.startsWith(p + '/')) this.cache.delete(k);
    }
    for (const d of [...this.dirs]) if (d === p || d.startsWith(p + '/')) this.dirs.delete(d);
  }

  private removeLink(at: string): void {
    fs.rmSync(this.real(at), { force: true });
    this.cache.delete(`link:${at}`);
  }

  private writeModuleLists(release: string): void {
    this.put(`/lib/modules/${release}/modules.builtin`, 'kernel/drivers/md/dm-mod.ko\n');
    const dep = (m: string) => `kernel/drivers/md/dm-${m}.ko:`;
    this.put(
      `/lib/modules/${release}/modules.dep`,
      [
        `${dep('multipath')}\n`,
        ...['round-robin', 'queue-length', 'service-time', 'historical-service-time'].map(
          (m) => `${dep(m)} kernel/drivers/md/dm-multipath.ko\n`,
        ),
      ].join(''),
    );
  }

  writeAll(): void {
    const s = this.state;
    this.put('/proc/sys/kernel/hostname', `${s.hostname}\n`);
    this.put('/proc/sys/kernel/osrelease', `${s.kernel}\n`);
    // depmod's list: the simulated kernel loads every path selector the simulator implements.
    if (/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/.test(s.kernel)) this.writeModuleLists(s.kernel);
    this.put('/proc/mounts', mountsText(s.cgroupVersion));
    if (s.cgroupVersion === 2)
      this.put('/sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids rdma misc\n');
    this.put(
      '/etc/multipath.conf',
      'defaults {\n    user_friendly_names yes\n    find_multipaths     off\n}\n',
    );
    this.mkdir('/etc/multipath/conf.d');
    for (const l of s.links) this.writeLink(l);
    for (const p of s.paths) this.writePath(p);
    this.syncTopology();
    for (const vm of s.vms) this.writeVm(vm);
    this.flushDiskstats();
  }

  writeLink(l: SimLink): void {
    const h = hostDir(l);
    if (l.transport === 'fc') {
      const fh = `${h}/fc_host/host${l.hostNo}`;
      this.put(`${fh}/port_name`, `${fcHostWwpn(l.hostNo)}\n`);
      this.put(`${fh}/node_name`, `${fcHostWwnn(l.hostNo)}\n`);
      this.put(`${fh}/port_state`, 'Online\n');
      this.put(`${fh}/fabric_name`, `${fcFabricName(l.fabric)}\n`);
      this.relLink(`/sys/class/fc_host/host${l.hostNo}`, fh);
      const rp = `rport-${l.hostNo}:0-${l.targetNo}`;
      const rd = `${h}/${rp}/fc_remote_ports/${rp}`;
      this.put(`${rd}/port_state`, l.up ? 'Online\n' : 'Blocked\n');
      this.put(`${rd}/port_name`, `${fcTargetWwpn(l)}\n`);
      this.put(`${rd}/dev_loss_tmo`, '60\n');
      this.put(`${rd}/fast_io_fail_tmo`, '5\n');
      this.relLink(`/sys/class/fc_remote_ports/${rp}`, rd);
    } else if (l.transport === 'iscsi') {
      const sd = `${h}/session${l.sessionNo}/iscsi_session/session${l.sessionNo}`;
      this.put(`${sd}/state`, l.up ? 'LOGGED_IN\n' : 'FAILED\n');
      this.put(`${sd}/targetname`, `iqn.2004-01.com.simarray:target${l.targetNo}\n`);
      this.put(`${sd}/recovery_tmo`, '5\n');
      this.put(`${sd}/ifacename`, `${l.fabric}\n`);
      this.relLink(`/sys/class/iscsi_session/session${l.sessionNo}`, sd);
    }
  }

  writePath(p: SimPathDev): void {
    if (p.deleted) {
      this.remove(scsiDeviceDir(p));
      this.remove(`/sys/block/${p.dev}`);
      this.remove(`/dev/${p.dev}`);
      return;
    }
    const sd = scsiDeviceDir(p);
    const bd = blockDir(p);
    const state = p.offline ? 'offline' : devState(p) === 'running' ? 'running' : 'transport-offline';
    this.put(`${sd}/state`, `${state}\n`);
    const alua =
      p.priority >= 50 ? 'active/optimized' : p.priority >= 10 ? 'active/non-optimized' : 'standby';
    this.put(`${sd}/access_state`, `${alua}\n`);
    this.put(`${bd}/dev`, `${p.devT}\n`);
    this.put(`${bd}/size`, `${p.lun.sizeSectors}\n`);
    this.mkdir(`${bd}/holders`);
    this.mkdir(`${bd}/slaves`);
    this.flushStat(bd, p.stat);
    this.relLink(`${bd}/device`, sd);
    this.relLink(`/sys/block/${p.dev}`, bd);
    this.put(`/dev/${p.dev}`, `block ${p.devT}\n`);
  }

  writeDm(dm: DmDev): void {
    const d = dmDir(dm);
    this.put(`${d}/dev`, `${dm.devT}\n`);
    this.put(`${d}/size`, `${dm.live.lengthSectors}\n`);
    this.put(`${d}/dm/name`, `${dm.name}\n`);
    this.put(`${d}/dm/uuid`, `${dm.uuid}\n`);
    this.put(`${d}/dm/suspended`, dm.suspended ? '1\n' : '0\n');
    this.mkdir(`${d}/holders`);
    this.mkdir(`${d}/slaves`);
    this.flushStat(d, dm.stat);
    this.relLink(`/sys/block/dm-${dm.minor}`, d);
    this.put(`/dev/dm-${dm.minor}`, `block ${dm.devT}\n`);
    this.symlink(`/dev/mapper/${dm.name}`, `../dm-${dm.minor}`);
  }

  private knownDm = new Map<string, DmDev>();

  /** Recreate dm directories and every holders/slaves link from the live and loaded tables. */
  syncTopology(): void {
    const s = this.state;
    for (const [name, dm] of this.knownDm) {
      if (s.dm.get(name) === dm) continue;
      this.remove(dmDir(dm));
      this.remove(`/sys/block/dm-${dm.minor}`);
      this.remove(`/dev/dm-${dm.minor}`);
      this.remove(`/dev/mapper/${name}`);
      this.knownDm.delete(name);
    }
    const want = new Map<string, Set<string>>();
    const add = (dir: string, entry: string, target: string): void => {
      const key = `${dir}|${entry}`;
      let set = want.get(dir);
      if (!set) want.set(dir, (set = new Set()));
      set.add(`${entry}|${target}|${key}`);
    };
    const dirOf = (devT: string): [string, string] | undefined => {
      const p = s.pathsByDevT.get(devT);
      if (p && !p.deleted) return [blockDir(p), p.dev];
      const d = s.dmByDevT.get(devT);
      return d ? [dmDir(d), `dm-${d.minor}`] : undefined;
    };
    for (const dm of s.dm.values()) {
      this.writeDm(dm);
      this.knownDm.set(dm.name, dm);
      const me = dmDir(dm);
      const lower = new Set<string>();
      for (const t of [dm.live, dm.inactive]) {
        if (!t) continue;
        if (t.kind === 'linear') lower.add(t.targetDevT);
        else for (const g of t.groups) for (const p of g.paths) lower.add(p.dev.devT);
      }
      for (const devT of lower) {
        const l = dirOf(devT);
        if (!l) continue;
        add(`${me}/slaves`, l[1], l[0]);
        add(`${l[0]}/holders`, `dm-${dm.minor}`, me);
      }
    }
    const dirs = new Set([...this.links.keys(), ...want.keys()]);
    for (const dir of dirs) {
      const have = this.links.get(dir) ?? new Set<string>();
      const next = want.get(dir) ?? new Set<string>();
      for (const e of have) if (!next.has(e)) this.removeLink(`${dir}/${e.split('|')[0]}`);
      for (const e of next) {
        const [entry, target] = e.split('|') as [string, string];
        if (!have.has(e)) this.relLink(`${dir}/${entry}`, target);
      }
      this.links.set(dir, next);
    }
  }

  writeVm(vm: SimVm): void {
    const proc = `/proc/${vm.pid}`;
    if (vm.runState === 'gone') {
      this.remove(proc);
      this.remove(cgroupDir(this.state.cgroupVersion, vm));
      this.remove(`/var/run/qemu-server/${vm.id}.pid`);
      this.remove(`/var/run/libvirt/qemu/${vm.name}.pid`);
      return;
    }
    this.put(`${proc}/cmdline`, cmdline(vm).join('\0') + '\0');
    const comm = vm.kind === 'proxmox' ? 'kvm' : 'qemu-system-x86';
    // 52 fields; a paused guest's QEMU still sleeps (S). Field 20 is num_threads.
    const rest = Array.from({ length: 46 }, (_, i) => (i === 13 ? '8' : '0')).join(' ');
    this.put(`${proc}/stat`, `${vm.pid} (${comm}) S 1 ${vm.pid} ${vm.pid} ${rest}\n`);
    this.put(
      `${proc}/cgroup`,
      this.state.cgroupVersion === 2
        ? `0::${vm.cgroupPath}\n`
        : `12:blkio:${vm.cgroupPath}\n1:name=systemd:${vm.cgroupPath}\n0::${vm.cgroupPath}\n`,
    );
    for (const d of vm.disks) this.put(`${proc}/fd/${d.fd}`, `block ${d.devT}\n`);
    for (const [fd, target] of qemuOtherFds(vm)) this.symlink(`${proc}/fd/${fd}`, target);
    const cg = cgroupDir(this.state.cgroupVersion, vm);
    this.put(`${cg}/cgroup.procs`, `${vm.pid}\n`);
    if (this.state.cgroupVersion === 2) {
      this.put(`${cg}/io.max`, formatRules(vm.limits, 2));
      this.put(`${cg}/io.weight`, weightText(vm));
    } else {
      for (const f of V1_FILES) this.put(`${cg}/blkio.throttle.${f}`, formatRules(vm.limits, 1, f));
      this.put(`${cg}/blkio.bfq.weight`, `${vm.weightDefault}\n`);
    }
    if (vm.kind === 'proxmox') {
      this.put(`/var/run/qemu-server/${vm.id}.pid`, `${vm.pid}\n`);
      this.put(`/var/run/qemu-server/${vm.id}.qmp`, '');
      this.put(`/etc/pve/qemu-server/${vm.id}.conf`, pveConf(vm, this.state));
    } else this.put(`/var/run/libvirt/qemu/${vm.name}.pid`, `${vm.pid}\n`);
    this.flushIoStat(vm);
  }

  /** First path device to hold a name: built once, rebuilt when paths are added. */
  private pathByDev = new Map<string, SimPathDev>();
  private pathByDevFor = -1;

  /** The path device named `dev` that is not deleted (a lookup per counter read: no scan). */
  private livePath(dev: string): SimPathDev | undefined {
    const paths = this.state.paths;
    if (this.pathByDevFor !== paths.length) {
      this.pathByDev.clear();
      for (const p of paths) if (!this.pathByDev.has(p.dev)) this.pathByDev.set(p.dev, p);
      this.pathByDevFor = paths.length;
    }
    const first = this.pathByDev.get(dev);
    if (first === undefined || !first.deleted) return first;
    return paths.find((x) => x.dev === dev && !x.deleted);
  }

  /**
   * Refresh the counter file a host path names (`/sys/block/X/stat|inflight`, a VM's io.stat or
   * blkio.throttle.io_service_bytes). Returns false when the path is no counter file.
   */
  refreshCounter(hostPath: string): boolean {
    // Every read through the sim's fs comes here: reject non-counter names before any regex.
    if (!COUNTER_FILE.test(hostPath)) return false;
    if (hostPath === DISKSTATS_FILE) {
      this.flushDiskstats();
      return true;
    }
    const blk = /^\/sys\/block\/([^/]+)\/(stat|inflight)$/.exec(hostPath);
    if (blk) {
      const name = blk[1] as string;
      const dm = name.startsWith('dm-') ? this.state.dmByDevT.get(`253:${name.slice(3)}`) : undefined;
      if (dm) this.flushStat(dmDir(dm), dm.stat);
      const p = dm ? undefined : this.livePath(name);
      if (p) this.flushStat(blockDir(p), p.stat);
      return true;
    }
    if (!/\/(io\.stat|blkio\.throttle\.io_service_bytes)$/.test(hostPath)) return false;
    for (const vm of this.state.vms) {
      if (hostPath.startsWith(cgroupDir(this.state.cgroupVersion, vm) + '/')) this.flushIoStat(vm);
    }
    return true;
  }

  /** Counters of every device and io.stat of every VM (files change only when counters did). */
  flushStats(): void {
    for (const p of this.state.paths) if (!p.deleted) this.flushStat(blockDir(p), p.stat);
    for (const dm of this.state.dm.values()) this.flushStat(dmDir(dm), dm.stat);
    for (const vm of this.state.vms) this.flushIoStat(vm);
    this.flushDiskstats();
  }

  /** `/proc/diskstats`: every live path device, then every dm device (the kernel's order is registration). */
  flushDiskstats(): void {
    let t = '';
    for (const p of this.state.paths) if (!p.deleted) t += diskstatsLine(p.devT, p.dev, p.stat);
    for (const dm of this.state.dm.values()) t += diskstatsLine(dm.devT, `dm-${dm.minor}`, dm.stat);
    this.put(DISKSTATS_FILE, t);
  }

  flushStat(dir: string, s: IoStat): void {
    this.put(`${dir}/stat`, statText(s));
    this.put(`${dir}/inflight`, inflightText(s));
  }

  flushIoStat(vm: SimVm): void {
    if (vm.runState === 'gone') return;
    const cg = cgroupDir(this.state.cgroupVersion, vm);
    if (this.state.cgroupVersion === 2) {
      let t = '';
      for (const [dev, c] of vm.ioStat)
        t += `${dev} rbytes=${Math.floor(c.rbytes)} wbytes=${Math.floor(c.wbytes)} rios=${Math.floor(c.rios)} wios=${Math.floor(c.wios)} dbytes=0 dios=0\n`;
      this.put(`${cg}/io.stat`, t);
    } else {
      let t = '';
      let total = 0;
      for (const [dev, c] of vm.ioStat) {
        t += `${dev} Read ${Math.floor(c.rbytes)}\n${dev} Write ${Math.floor(c.wbytes)}\n`;
        total += Math.floor(c.rbytes) + Math.floor(c.wbytes);
      }
      this.put(`${cg}/blkio.throttle.io_service_bytes`, `${t}Total ${total}\n`);
    }
  }
}
