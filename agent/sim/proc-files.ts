/**
 * Text of the process, cgroup and hypervisor files of a simulated VM, as QEMU (Proxmox `kvm` or
 * libvirt's `qemu-system-x86_64`), systemd/cgroupfs and Proxmox show them.
 */
import type { SimState } from './build';
import type { SimVm } from './state';

export const V1_FILES = [
  'read_bps_device',
  'write_bps_device',
  'read_iops_device',
  'write_iops_device',
] as const;

export function cgroupDir(version: 1 | 2, vm: SimVm): string {
  return version === 2 ? `/sys/fs/cgroup${vm.cgroupPath}` : `/sys/fs/cgroup/blkio${vm.cgroupPath}`;
}

export function weightText(vm: SimVm): string {
  let t = `default ${vm.weightDefault}\n`;
  for (const [dev, w] of vm.weights) t += `${dev} ${w}\n`;
  return t;
}

export function mountsText(v: 1 | 2): string {
  const base =
    'sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n' +
    'proc /proc proc rw,relatime 0 0\n' +
    'udev /dev devtmpfs rw,nosuid,relatime,size=16384k,nr_inodes=4096,mode=755 0 0\n';
  if (v === 2)
    return (
      base +
      'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n'
    );
  return (
    base +
    'tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0\n' +
    'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n' +
    'cgroup /sys/fs/cgroup/blkio cgroup rw,nosuid,nodev,noexec,relatime,blkio 0 0\n'
  );
}

export function cmdline(vm: SimVm): string[] {
  if (vm.kind === 'proxmox') {
    const args = ['/usr/bin/kvm', '-id', vm.id, '-name', `${vm.name},debug-threads=on`, '-no-shutdown'];
    args.push('-chardev', `socket,id=qmp,path=/var/run/qemu-server/${vm.id}.qmp,server=on,wait=off`);
    args.push(
      '-mon',
      'chardev=qmp,mode=control',
      '-pidfile',
      `/var/run/qemu-server/${vm.id}.pid`,
      '-daemonize',
    );
    vm.disks.forEach((d, i) => {
      args.push(
        '-drive',
        `file=/dev/dm-${d.devT.split(':')[1]},if=none,id=drive-scsi${i},cache=none,aio=io_uring,format=raw`,
      );
    });
    return args;
  }
  const args = ['/usr/bin/qemu-system-x86_64', '-name', `guest=${vm.name},debug-threads=on`, '-S'];
  args.push(
    '-machine',
    'pc-q35-7.2,usb=off',
    '-m',
    '2048',
    '-uuid',
    `00000000-0000-4000-8000-${vm.pid.toString().padStart(12, '0')}`,
  );
  vm.disks.forEach((d, i) => {
    args.push(
      '-blockdev',
      `{"driver":"host_device","filename":"/dev/dm-${d.devT.split(':')[1]}","node-name":"libvirt-${i + 1}-storage","cache":{"direct":true}}`,
    );
  });
  return args;
}

export function pveConf(vm: SimVm, s: SimState): string {
  let t = `boot: order=scsi0\ncores: 2\nmemory: 2048\nname: ${vm.name}\nscsihw: virtio-scsi-single\n`;
  vm.disks.forEach((d, i) => {
    const dm = s.dmByDevT.get(d.devT);
    const lun = d.lun;
    const vol =
      lun.shared && lun.vg && dm
        ? `${lun.vg.name}:vm-${vm.id}-disk-${i}`
        : `/dev/disk/by-id/dm-uuid-mpath-${lun.wwid}`;
    t += `scsi${i}: ${vol},aio=io_uring,cache=none,size=${Math.round(d.sizeSectors / 2048 / 1024)}G\n`;
  });
  if (vm.tags.length) t += `tags: ${vm.tags.join(';')}\n`;
  return t;
}

/**
 * The other fds a QEMU process holds, as `/proc/PID/fd` link texts (d_path): stdio, the QMP
 * socket, KVM and its vCPUs, eventfds, tun/vhost, pipes. A real Proxmox/libvirt QEMU has tens of
 * them next to its disks (which the simulator opens from fd 20 on).
 */
export function qemuOtherFds(vm: SimVm): Array<readonly [number, string]> {
  const ino = (k: number) => 100_000 + vm.pid * 32 + k;
  return [
    [0, '/dev/null'],
    [1, '/dev/null'],
    [2, '/dev/null'],
    [3, `socket:[${ino(3)}]`],
    [4, 'anon_inode:[eventfd]'],
    [5, '/dev/kvm'],
    [6, 'anon_inode:kvm-vm'],
    [7, 'anon_inode:kvm-vcpu:0'],
    [8, 'anon_inode:kvm-vcpu:1'],
    [9, 'anon_inode:[eventfd]'],
    [10, 'anon_inode:[eventfd]'],
    [11, '/dev/net/tun'],
    [12, '/dev/vhost-net'],
    [13, 'anon_inode:[eventfd]'],
    [14, 'anon_inode:[eventfd]'],
    [15, `pipe:[${ino(15)}]`],
    [16, `pipe:[${ino(16)}]`],
    [17, 'anon_inode:[signalfd]'],
    [18, `socket:[${ino(18)}]`],
    [19, 'anon_inode:[eventpoll]'],
  ];
}
