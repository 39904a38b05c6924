/**
 * onAllPathsDown=migrate with the cluster view the agent builds from the nodes' health records
 * (loop/cluster-health.ts): the VM goes to the node that reports healthy paths to its LUN, and
 * a node whose record is stale is never a target (the VM is paused instead).
 */
import { decide } from '../../../agent/decide';
import { clusterViewOf, parseHealthRecord } from '../../../agent/loop/cluster-health';
import type { Action } from '../../../agent/model';
import { buildHost, builtinRegistry, memory, policies } from './host';

const NOW = 1_700_000_000_000;
const STALE_MS = 60_000;
const WWID = '36000000000000000';

/** node1 (this host): every path of the VM's LUN is down. */
const host = buildHost({
  paths: { sda: {}, sdb: {} },
  maps: { mpatha: { groups: [['sda'], ['sdb']], failed: ['sda', 'sdb'], queue: true } },
  vms: { '101': { maps: ['mpatha'], raw: true } },
});

const rec = (node: string, ageMs: number, healthy: number) =>
  parseHealthRecord(
    JSON.stringify({ version: 1, node, timeMs: NOW - ageMs, healthyPathsByWwid: { [WWID]: healthy } }),
    `${node}.json`,
    node,
  );

function planWith(records: ReturnType<typeof rec>[]) {
  const { view } = clusterViewOf(records, 'node1', NOW, STALE_MS);
  return decide({
    snapshot: host,
    policies: policies({ '101': { onAllPathsDown: { action: 'migrate' } } }),
    memory: memory(),
    nowMs: NOW,
    selectors: builtinRegistry(),
    cluster: view,
  });
}

const kinds = (actions: readonly Action[]) =>
  actions.map((a) => (a.kind === 'migrate-vm' ? `migrate-vm ${a.vmId} ${a.target}` : `${a.kind}`));

describe('decide: migration targets from the cluster view', () => {
  it('migrates to the node with healthy paths to the LUN (not to one without, not to itself)', () => {
    const plan = planWith([rec('node1', 0, 2), rec('node2', 5_000, 0), rec('node3', 5_000, 2)]);
    expect(kinds(plan.actions)).toEqual(['migrate-vm 101 node3']);
    expect(plan.actions[0]?.reason).toMatch(/node3 has healthy paths to 36000000000000000/);
    expect(plan.decisions[0]?.state).toBe('migrating');
  });

  it('no migration when the only other node is stale: paused instead, and the reason says why', () => {
    const plan = planWith([rec('node2', STALE_MS + 1, 4)]);
    expect(kinds(plan.actions)).toEqual(['pause-vm']);
    expect(plan.decisions[0]?.reasons.join('\n')).toMatch(/no cluster node has healthy paths/);
  });
});
