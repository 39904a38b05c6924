import { observeHost } from '../../../agent/observe';
import { mayBeBlockDevice } from '../../../agent/observe/vms/fd-links';
import type { HostFs } from '../../../agent/model/seams';
import { createSimHost, scaleSpec, type SimHost } from '../../../agent/sim';

describe('mayBeBlockDevice (the /proc/PID/fd link text)', () => {
  it.each([
    ['/dev/dm-3', true],
    ['/dev/sdb', true],
    ['/dev/mapper/mpatha', true],
    ['/dev/dm-7 (deleted)', true],
    ['/dev/disk/by-id/dm-uuid-mpath-36000d31000', true],
    ['/dev/nvme1n1', true],
    ['/dev/null', false],
    ['/dev/kvm', false],
    ['/dev/net/tun', false],
    ['/dev/vhost-net', false],
    ['/dev/vhost-vsock', false],
    ['/dev/pts/3', false],
    ['/dev/ptmx', false],
    ['/dev/urandom', false],
    ['/dev/hugepages/libvirt/qemu/1-vm/qemu_back_mem', false],
    ['/dev/shm/qemu-ram', false],
    ['/dev/vfio/12', false],
    ['socket:[48211]', false],
    ['anon_inode:[eventfd]', false],
    ['anon_inode:kvm-vcpu:0', false],
    ['pipe:[48212]', false],
    ['/memfd:qemu-ram (deleted)', false],
    ['/var/lib/vz/images/101/vm-101-disk-0.qcow2', false],
    ['/var/log/libvirt/qemu/vm.log', false],
  ])('%s → %s', (target, expected) => {
    expect(mayBeBlockDevice(target)).toBe(expected);
  });
});

describe('observe stats only the fds that can be block devices', () => {
  let sim: SimHost;
  beforeAll(() => {
    sim = createSimHost(scaleSpec({ vms: 6, luns: 8, pathsPerLun: 2 }));
  });
  afterAll(() => sim.dispose());

  it("finds every VM's disks with no stat of QEMU's sockets, eventfds, KVM or tun fds", async () => {
    const stats: string[] = [];
    const fs = new Proxy(sim.fs, {
      get(target, prop) {
        if (prop === 'blockDevT')
          return (p: string) => {
            stats.push(p);
            return target.blockDevT(p);
          };
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as HostFs;
    const s = await observeHost({ fs, runner: sim.runner, clock: sim.clock });
    expect(s.vms).toHaveLength(6);
    for (const vm of s.vms) expect(vm.disks.length).toBeGreaterThan(0);
    // the simulated QEMU holds 20 other fds (0–19) and its disks from fd 20 on
    const statted = stats.map((p) => Number(p.split('/').pop()));
    expect(statted.length).toBe(s.vms.reduce((n, vm) => n + vm.disks.length, 0));
    expect(statted.every((fd) => fd >= 20)).toBe(true);
  });
});
