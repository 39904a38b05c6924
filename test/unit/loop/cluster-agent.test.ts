/**
 * `vmpath agent` with a cluster directory (config `cluster.dir`) on the simulated host: it
 * publishes its own node health record after observing, and migrates a VM with
 * onAllPathsDown=migrate to the node whose fresh record shows healthy paths to the VM's LUN.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runHostAgent } from '../../../agent/loop/host-agent';
import { createSimHost, demoSpec } from '../../../agent/sim';
import type { SimHost } from '../../../agent/sim';
import { untilSim } from './sim-until';

const DIR = '/shared/vmpath/nodes';

const until = untilSim;

describe('vmpath agent with a cluster directory', () => {
  let sim: SimHost;
  beforeEach(() => {
    sim = createSimHost({ ...demoSpec(), events: [] });
  });
  afterEach(() => sim.dispose());

  it('publishes its path health and migrates to the node that sees the LUN', async () => {
    mkdirSync(path.join(sim.root, 'etc/vmpath'), { recursive: true });
    writeFileSync(
      path.join(sim.root, 'etc/vmpath/config.json'),
      JSON.stringify({
        cluster: { dir: DIR, staleSeconds: 3600 },
        vms: { '104': { onAllPathsDown: 'migrate' } },
      }),
    );
    const shared = path.join(sim.root, DIR);
    mkdirSync(shared, { recursive: true });
    const lines: string[] = [];
    const abort = new AbortController();
    const done = runHostAgent({
      root: sim.root,
      mode: 'act',
      pollIntervalMs: 200,
      rebalanceIntervalMs: 60_000,
      uevents: false,
      signal: abort.signal,
      seams: { fs: sim.fs, runner: sim.runner, vmControl: sim.vmControl, clock: sim.clock },
      log: (level, subject, message) => lines.push(`${level} ${subject}: ${message}`),
    });
    const tick = () => sim.tick(100);
    const own = path.join(shared, 'pve-sim1.json');
    await until(() => existsSync(own), 20_000, tick);
    const mine = JSON.parse(readFileSync(own, 'utf8'));
    expect(mine).toMatchObject({ version: 1, node: 'pve-sim1' });
    expect(Object.values(mine.healthyPathsByWwid).every((n) => (n as number) > 0)).toBe(true);
    const healthy = Object.fromEntries(Object.keys(mine.healthyPathsByWwid).map((w) => [w, 2]));
    const rec = (node: string, timeMs: number) =>
      JSON.stringify({ version: 1, node, timeMs, healthyPathsByWwid: healthy });
    writeFileSync(path.join(shared, 'pve2.json'), rec('pve2', sim.clock.nowMs() - 7200_000)); // stale
    writeFileSync(path.join(shared, 'pve3.json'), rec('pve3', sim.clock.nowMs()));
    sim.inject({ fail: 'mpathf' });
    await until(() => lines.some((l) => /vm 104: migrate-vm \(automatic\) applied/.test(l)), 30_000, tick);
    abort.abort();
    await done;
    const migrate = lines.find((l) => /vm 104: migrate-vm/.test(l)) ?? '';
    expect(migrate).toMatch(/pve3 has healthy paths/);
    expect(lines.join('\n')).toMatch(/info node pve2: path health record older than 3600s/);
    expect(lines.join('\n')).not.toMatch(/error reconcile/);
  }, 90_000);
});
