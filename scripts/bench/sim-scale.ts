/**
 * The scale scenario (issue 6: 300 VMs, 4,096 paths, 60 s), generated rather than stored (it is
 * ~0.6 MB of JSON; the bench writes it to bench-results/sim-scale.json for `vmpath sim`).
 * 256 pods of 16 paths (8 per fabric, 2 adapters per fabric per pod); 240 VMs own a LUN over a
 * pod's 16 paths, 60 VMs share 12 LVM LUNs (5 each). Workloads: every 10th VM closed-loop
 * (1 × 256 KiB, ~300 MB/s alone), the rest open (10–60 MB/s, 16–256 KiB, a third bursty);
 * some limits, reservations, pins and mixed shares. Adapter a0-0 fails at 20 s and comes
 * back at 40 s. Aggregate ≈ 20 GB/s, ≈ 120k IOPS: a very busy host. The simulator's cost is
 * per I/O (see docs/benchmarks.md), so a heavier workload costs proportionally more.
 */
export function scaleScenario(): unknown {
  const paths: unknown[] = [];
  const pods = 256;
  for (let pod = 0; pod < pods; pod++)
    for (let k = 0; k < 16; k++) {
      const fabric = k < 8 ? 'A' : 'B';
      const adapter = `a${(pod % 32) * 2 + (k < 8 ? 0 : 1)}-${Math.floor(k / 4) % 2}`;
      paths.push({
        id: `p${pod}-${k}`,
        capacityMBps: 800,
        capacityIops: 100000,
        latencyMs: 0.3 + ((pod * 7 + k) % 5) * 0.1,
        fabric,
        adapter,
      });
    }
  const podPaths = (pod: number): string[] => Array.from({ length: 16 }, (_, k) => `p${pod}-${k}`);
  const luns: unknown[] = [];
  const vms: unknown[] = [];
  for (let i = 0; i < 240; i++)
    luns.push({ wwid: `3600a0b800000000000000000000${(1000 + i).toString(16)}`, paths: podPaths(i) });
  for (let j = 0; j < 12; j++)
    luns.push({
      wwid: `3600a0b80000000000000000000s${(100 + j).toString(16)}`,
      paths: podPaths(240 + j),
      shared: true,
    });
  for (let v = 0; v < 300; v++) {
    const lun =
      v < 240
        ? (luns[v] as { wwid: string }).wwid
        : (luns[240 + Math.floor((v - 240) / 5)] as { wwid: string }).wwid;
    const closed = v % 10 === 0;
    const ioKiB = [16, 64, 128, 256][v % 4] as number;
    const workload = closed
      ? { type: 'closed', outstanding: 1, ioKiB: 256, readPct: 70 }
      : {
          type: 'open',
          rateMBps: 10 + (v % 6) * 10,
          ioKiB,
          readPct: v % 3 === 0 ? 100 : 60,
          ...(v % 3 === 1 ? { burst: { onS: 2, offS: 2 } } : {}),
        };
    const policy: Record<string, unknown> = { shares: [100, 200, 400][v % 3], priority: 20 + (v % 5) * 15 };
    if (v % 10 === 3) policy.limitMBps = 25;
    if (v % 25 === 7) policy.reservationMBps = 20;
    if (v % 15 === 4) policy.pin = ['fabric:B'];
    if (v % 20 === 9) policy.onAllPathsDown = 'pause';
    vms.push({ id: String(1000 + v), disks: [lun], policy, workload });
  }
  return {
    name: 'scale',
    description: '300 VMs, 4096 paths, 60 s; adapter a0-0 down 20-40 s',
    durationS: 60,
    seed: 6,
    paths,
    luns,
    vms,
    events: [
      { at: 20, fail: 'a0-0' },
      { at: 40, restore: 'a0-0' },
    ],
  };
}
