/** decide() on the synthetic bench host (agent/decide/bench-input.ts): correct shape, sane, fast enough. */
import { decide } from '../../../agent/decide';
import { benchInput, benchShape } from '../../../agent/decide/bench-input';

describe('bench input', () => {
  it('scale 1 is 1,000 VMs × 64 maps × 8 paths and decides without warnings about plugins', () => {
    const input = benchInput(1);
    expect(input.snapshot.vms).toHaveLength(benchShape(1).vms);
    expect(input.snapshot.maps).toHaveLength(64);
    expect(input.snapshot.paths).toHaveLength(512);
    const plan = decide(input);
    expect(plan.decisions).toHaveLength(1000);
    expect(plan.warnings.filter((w) => w.code === 'VMPATH_E_PLUGIN_ACTIVATION')).toEqual([]);
    const kinds = new Set(plan.actions.map((a) => a.kind));
    expect(kinds).toEqual(new Set(['create-vm-map', 'move-lv', 'set-io-limit', 'switch-group', 'fail-path']));
    expect(decide(input)).toEqual(plan);
  });
});
