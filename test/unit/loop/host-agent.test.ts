/**
 * `vmpath agent` (runHostAgent) against the embedded simulated host: config file under the host
 * root, a hook notice on the real notify socket, an all-paths-down fault, pause and resume.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runHostAgent } from '../../../agent/loop/host-agent';
import { createSimHost, demoSpec } from '../../../agent/sim';
import type { SimHost } from '../../../agent/sim';
import { untilSim } from './sim-until';

const until = untilSim;

describe('vmpath agent on the simulated host', () => {
  let sim: SimHost;
  let dir: string;
  beforeEach(() => {
    sim = createSimHost({ ...demoSpec(), events: [] });
    dir = mkdtempSync(path.join(tmpdir(), 'vmpath-agent-'));
  });
  afterEach(() => {
    sim.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pauses a VM per its config-file policy when every path is down, resumes it when a path returns, journals both', async () => {
    mkdirSync(path.join(sim.root, 'etc/vmpath'), { recursive: true });
    writeFileSync(
      path.join(sim.root, 'etc/vmpath/config.json'),
      JSON.stringify({ vms: { '104': { onAllPathsDown: 'pause' } } }, null, 2),
    );
    const lines: string[] = [];
    const abort = new AbortController();
    const socket = path.join(dir, 'notify.sock');
    const done = runHostAgent({
      root: sim.root,
      mode: 'act',
      pollIntervalMs: 200,
      rebalanceIntervalMs: 60_000,
      notifySocket: socket,
      uevents: false,
      signal: abort.signal,
      seams: { fs: sim.fs, runner: sim.runner, vmControl: sim.vmControl, clock: sim.clock },
      log: (level, subject, message) => lines.push(`${level} ${subject}: ${message}`),
    });
    const tick = () => sim.tick(100);
    await until(() => lines.some((l) => l.includes('started')), 10_000, tick);
    sim.inject({ fail: 'mpathf' });
    // A hook notice wakes the agent at once (the poll would too, later).
    await new Promise<void>((resolve, reject) => {
      const c = net.createConnection(socket, () =>
        c.end('{"source":"proxmox","vm":"104","phase":"post-start"}\n'),
      );
      c.on('close', () => resolve());
      c.on('error', reject);
    });
    await until(() => lines.some((l) => /vm 104: pause-vm \(automatic\) applied/.test(l)), 20_000, tick);
    expect(sim.metrics().vms.find((v) => v.id === '104')?.runState).toBe('paused');
    sim.inject({ restore: 'mpathf' });
    await until(() => lines.some((l) => /vm 104: resume-vm \(automatic\) applied/.test(l)), 30_000, tick);
    abort.abort();
    await done;
    expect(sim.metrics().vms.find((v) => v.id === '104')?.runState).toBe('running');
    const journal = readFileSync(path.join(sim.root, 'var/lib/vmpath/journal.jsonl'), 'utf8');
    expect(journal).toContain('"kind":"pause-vm"');
    expect(journal).toContain('"kind":"resume-vm"');
    // The pause reason names the policy's origin: the config file.
    expect(lines.join('\n')).not.toMatch(/error reconcile/);
  }, 90_000);

  it('refuses to start on a config file with an error, naming file and line', async () => {
    mkdirSync(path.join(sim.root, 'etc/vmpath'), { recursive: true });
    writeFileSync(
      path.join(sim.root, 'etc/vmpath/config.json'),
      '{\n  "vms": {\n    "101": { "prioritty": 5 }\n  }\n}\n',
    );
    await expect(
      runHostAgent({
        root: sim.root,
        mode: 'observe-only',
        pollIntervalMs: 1000,
        rebalanceIntervalMs: 60_000,
        uevents: false,
        signal: new AbortController().signal,
        seams: { fs: sim.fs, runner: sim.runner, vmControl: sim.vmControl, clock: sim.clock },
        log: () => undefined,
      }),
    ).rejects.toMatchObject({
      code: 'VMPATH_E_CONFIG_INVALID',
      message: expect.stringMatching(/config\.json:3/),
    });
  });
});
