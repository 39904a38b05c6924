import { ScenarioInvalidError } from '../../../agent/model/errors';
import { parseScenario } from '../../../agent/sim/des/scenario';
import { twoPathScenario } from './fixtures';

function fieldOf(input: unknown): string | undefined {
  try {
    parseScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioInvalidError);
    expect((e as ScenarioInvalidError).code).toBe('VMPATH_E_SCENARIO_INVALID');
    return (e as ScenarioInvalidError).details.field as string;
  }
  return undefined;
}

describe('scenario validation', () => {
  it('accepts a valid scenario and applies defaults', () => {
    const s = parseScenario(twoPathScenario());
    expect(s.checkerIntervalS).toBe(5);
    expect(s.luns[0]?.shared).toBe(false);
    expect(s.luns[0]?.grouping).toBe('multibus');
  });

  it.each([
    [
      'a negative capacity',
      { paths: [{ id: 'a1', capacityMBps: -1, capacityIops: 1, latencyMs: 1, fabric: 'A', adapter: 'h' }] },
      'paths[0].capacityMBps',
    ],
    ['an unknown path on a LUN', { luns: [{ wwid: 'lun0', paths: ['zz'] }] }, 'luns[0].paths[0]'],
    [
      'an unknown LUN on a VM',
      { vms: [{ id: '1', disks: ['nope'], workload: { type: 'open', rateMBps: 1, ioKiB: 4 } }] },
      'vms[0].disks[0]',
    ],
    [
      'a bad workload type',
      { vms: [{ id: '1', disks: ['lun0'], workload: { type: 'sometimes' } }] },
      'vms[0].workload.type',
    ],
    [
      'an unknown policy key',
      {
        vms: [
          {
            id: '1',
            disks: ['lun0'],
            policy: { sharez: 1 },
            workload: { type: 'open', rateMBps: 1, ioKiB: 4 },
          },
        ],
      },
      'vms[0].policy.sharez',
    ],
    [
      'a pin matching no path',
      {
        vms: [
          {
            id: '1',
            disks: ['lun0'],
            policy: { pin: ['fabric:Z'] },
            workload: { type: 'open', rateMBps: 1, ioKiB: 4 },
          },
        ],
      },
      'vms[0].policy.pin[0]',
    ],
    ['an event with both fail and restore', { events: [{ at: 1, fail: 'a1', restore: 'a1' }] }, 'events[0]'],
    ['an event naming nothing', { events: [{ at: 1, fail: 'C' }] }, 'events[0].fail'],
    ['an event after the end', { events: [{ at: 99, fail: 'a1' }] }, 'events[0].at'],
    ['a missing seed', { seed: undefined }, 'seed'],
    [
      'a reservation above the limit',
      {
        vms: [
          {
            id: '1',
            disks: ['lun0'],
            policy: { limitMBps: 10, reservationMBps: 20 },
            workload: { type: 'open', rateMBps: 1, ioKiB: 4 },
          },
        ],
      },
      'vms[0].policy.reservationMBps',
    ],
  ])('rejects %s naming the field', (_what, patch, field) => {
    expect(fieldOf(twoPathScenario(patch))).toBe(field);
  });

  it('rejects a non-shared LUN used by two VMs', () => {
    const w = { type: 'open', rateMBps: 1, ioKiB: 4 };
    const input = twoPathScenario({
      vms: [
        { id: '1', disks: ['lun0'], workload: w },
        { id: '2', disks: ['lun0'], workload: w },
      ],
    });
    expect(fieldOf(input)).toBe('vms[1].disks[0]');
  });
});
