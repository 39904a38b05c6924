/** Small scenarios for the simulator tests (kept tiny: unit tests run on shared cores). */
export function path(
  id: string,
  fabric: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    capacityMBps: 400,
    capacityIops: 100000,
    latencyMs: 0.5,
    fabric,
    adapter: `hba-${fabric}`,
    ...extra,
  };
}

export function twoPathScenario(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    durationS: 2,
    seed: 7,
    paths: [path('a1', 'A'), path('b1', 'B')],
    luns: [{ wwid: 'lun0', paths: ['a1', 'b1'] }],
    vms: [
      {
        id: '101',
        disks: ['lun0'],
        policy: {},
        workload: { type: 'closed', outstanding: 4, ioKiB: 64, readPct: 100 },
      },
    ],
    events: [],
    ...overrides,
  };
}
