/**
 * Ready-made hosts: the demo host (4 paths over 2 fabrics, 6 LUNs, 5 VMs, a looping fault plan),
 * the 2-path host of the 0.9.4 fixtures, and a generated large host for scale tests.
 */
import type { SimHostSpec, SimLunSpec, SimPathSpec, SimVmSpec } from './spec';

const path = (id: string, fabric: string, adapter: string): SimPathSpec => ({
  id,
  fabric,
  adapter,
  transport: 'fc',
  capacityMBps: 400,
  capacityIops: 40000,
  latencyMs: 0.5,
});

/** Paths to controller 0 (a0, b0) are ALUA-optimized for even LUNs, controller 1 for odd. */
const prio = (i: number): Record<string, number> =>
  i % 2 === 0 ? { a0: 50, b0: 50, a1: 10, b1: 10 } : { a0: 10, b0: 10, a1: 50, b1: 50 };

export function demoSpec(): SimHostSpec {
  const luns: SimLunSpec[] = [0, 1, 2, 3, 4].map((i) => ({
    wwid: `3600a098038314b6d4a2b4f${(0x30 + i).toString(16)}${i}`,
    sizeMiB: 32768,
    grouping: 'failover',
    failback: i < 3 ? 'immediate' : 'manual',
    priorities: prio(i),
  }));
  luns.push({
    wwid: '3600a098038314b6d4a2b4f3f35',
    sizeMiB: 262144,
    shared: true,
    vg: 'sanvg',
    grouping: 'group_by_prio',
    failback: 'manual',
    noPathRetry: 'queue',
    priorities: prio(5),
  });
  const vms: SimVmSpec[] = [
    {
      id: '101',
      name: 'db01',
      disks: ['mpatha', 'mpathe', { lun: 'mpathf', sizeMiB: 8192 }],
      workload: { type: 'closed', outstanding: 32, ioKiB: 8, readPct: 70 },
      policy: { priority: 90, reservationMBps: 100 },
      tags: ['vmpath-prio-high'],
    },
    {
      id: '102',
      name: 'backup01',
      disks: ['mpathb', 'mpathf'],
      workload: { type: 'open', rateMBps: 900, ioKiB: 1024, readPct: 20 },
      policy: { priority: 10, limitMBps: 200 },
    },
    {
      id: '103',
      name: 'web01',
      disks: ['mpathc', 'mpathf'],
      workload: { type: 'closed', outstanding: 8, ioKiB: 4, readPct: 90 },
      policy: { priority: 70, pin: 'fabric:B' },
    },
    {
      id: '104',
      name: 'analytics01',
      disks: ['mpathd', 'mpathf'],
      workload: { type: 'open', rateMBps: 300, ioKiB: 256, readPct: 90 },
      policy: { shares: 200 },
    },
    {
      id: '105',
      name: 'batch01',
      disks: ['mpathf'],
      workload: { type: 'closed', outstanding: 16, ioKiB: 64, readPct: 50 },
      policy: { onAllPathsDown: 'pause' },
    },
  ];
  return {
    hostname: 'pve-sim1',
    kernel: '6.8.12-4-pve',
    seed: 42,
    paths: [
      path('a0', 'A', 'hba0'),
      path('a1', 'A', 'hba0'),
      path('b0', 'B', 'hba1'),
      path('b1', 'B', 'hba1'),
    ],
    luns,
    vms,
    events: [
      { at: 10, fail: 'A' },
      { at: 25, restore: 'A' },
      { at: 40, fail: 'mpathf' },
      { at: 55, restore: 'mpathf' },
      { at: 65, flap: 'b1', periodS: 3, count: 3 },
    ],
    loopEventsS: 90,
  };
}

/** The host the multipath-tools 0.9.4 fixtures were captured on: scsi_debug over 2 hosts. */
export function fixtureSpec(grouping: 'failover' | 'multibus' = 'failover'): SimHostSpec {
  const p = (id: string, priority: number): SimPathSpec => ({
    id,
    fabric: id,
    adapter: id,
    transport: 'scsi',
    capacityMBps: 100,
    capacityIops: 10000,
    latencyMs: 4.5,
    priority,
  });
  return {
    hostname: 'lab',
    kernel: '6.1.0-56-cloud-amd64',
    paths: [p('host0', 50), p('host1', 10)],
    luns: [
      {
        wwid: '1Linux_scsi_debug_2000',
        alias: 'mpatha',
        sizeMiB: 64,
        grouping,
        failback: 'manual',
        vendor: 'Linux',
        product: 'scsi_debug',
        revision: '0191',
      },
    ],
    vms: [],
  };
}

/** A large host: `fabrics`×`pathsPerFabric` paths reaching every LUN, VMs owning or sharing LUNs. */
export function scaleSpec(opts: { vms?: number; luns?: number; pathsPerLun?: number } = {}): SimHostSpec {
  const nVms = opts.vms ?? 300;
  const nLuns = opts.luns ?? 512;
  const nPaths = opts.pathsPerLun ?? 8;
  const paths: SimPathSpec[] = Array.from({ length: nPaths }, (_, i) => ({
    id: `p${i}`,
    fabric: i % 2 === 0 ? 'A' : 'B',
    adapter: `hba${i % 4}`,
    transport: i < nPaths / 2 ? 'fc' : 'iscsi',
    capacityMBps: 1600,
    capacityIops: 200000,
    latencyMs: 0.3,
    priority: i < nPaths / 2 ? 50 : 10,
  }));
  const owned = Math.min(nLuns, Math.ceil(nVms * 0.85));
  const luns: SimLunSpec[] = Array.from({ length: nLuns }, (_, i) => ({
    wwid: `36000d31000${i.toString(16).padStart(6, '0')}0000000000000`,
    sizeMiB: i < owned ? 16384 : 1048576,
    shared: i >= owned,
    grouping: i % 3 === 0 ? 'multibus' : 'group_by_prio',
    failback: i % 2 === 0 ? 'immediate' : 'manual',
  }));
  const sharedCount = nLuns - owned;
  const vms: SimVmSpec[] = Array.from({ length: nVms }, (_, i) => ({
    id: String(1000 + i),
    disks: [i < owned ? luns[i]!.wwid : luns[owned + (i % Math.max(1, sharedCount))]!.wwid],
    workload:
      i % 3 === 0
        ? { type: 'open', rateMBps: 20 + (i % 7) * 10, ioKiB: 64, readPct: 60 }
        : { type: 'closed', outstanding: 4 + (i % 8), ioKiB: 8, readPct: 70 },
  }));
  return { hostname: 'pve-big', seed: 7, paths, luns, vms };
}
