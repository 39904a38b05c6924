/** The documented sample plugin, loaded through the real loader and used by decide(). */
import { join } from 'node:path';
import { decide } from '../../../agent/decide';
import { layersForVm, resolvePolicy } from '../../../agent/decide/policy/resolve';
import { EMPTY_MEMORY } from '../../../agent/model';
import type { PolicySet } from '../../../agent/model';
import { createPluginHost, loadPluginDir } from '../../../agent/plugins';
import { buildHost } from '../decide/host';

const SAMPLE = join(__dirname, '../../../docs/examples/sample-plugin');

describe('docs/examples/sample-plugin', () => {
  it('loads, registers its selector and policy source, and decide() uses them', async () => {
    const logs: string[] = [];
    const host = createPluginHost({ log: (l, m) => logs.push(`${l} ${m}`) });
    const rec = await loadPluginDir(host, SAMPLE);
    expect(rec).toMatchObject({
      id: 'sample.adapter-spread',
      state: 'active',
      selectors: ['sample.adapter-spread'],
      policySources: ['sample.gold-names'],
    });
    expect(logs).toContain('info plugin sample.adapter-spread: activated');

    const snapshot = buildHost({
      paths: {
        sda: { adapter: 'host1', targetPort: 'p1' },
        sdb: { adapter: 'host2', targetPort: 'p2' },
        sdc: { adapter: 'host1', targetPort: 'p1' },
        sdd: { adapter: 'host2', targetPort: 'p2' },
      },
      maps: { mpatha: { groups: [['sda'], ['sdb']] }, mpathb: { groups: [['sdc'], ['sdd']] } },
      vms: { '101': { maps: ['mpatha'], raw: true }, '102': { maps: ['mpathb'], raw: true } },
    });
    const vms = snapshot.vms.map((v) => (v.id === '102' ? { ...v, name: 'gold-db' } : v));
    const policySet: PolicySet = {
      allVms: [
        { origin: { kind: 'host-config', source: 'test' }, values: { selector: 'sample.adapter-spread' } },
      ],
      byVm: Object.fromEntries(vms.map((v) => [v.id, host.policyLayersFor(v)])),
    };
    const gold = resolvePolicy(layersForVm(policySet, '102'), '102');
    expect(gold.priority).toEqual({
      value: 90,
      origin: { kind: 'plugin', source: 'sample.adapter-spread/sample.gold-names' },
    });

    const plan = decide({
      snapshot: { ...snapshot, vms },
      policies: policySet,
      memory: EMPTY_MEMORY,
      nowMs: 0,
      selectors: host.selectors,
    });
    expect(plan.warnings).toEqual([]);
    // gold VM 102 (priority 90) is placed first on host1; VM 101 then spreads to host2 (group 2)
    expect(plan.decisions.map((d) => [d.vmId, d.paths])).toEqual([
      ['101', { mpatha: ['sdb'] }],
      ['102', { mpathb: ['sdc'] }],
    ]);
  });
});
