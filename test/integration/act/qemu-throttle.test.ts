/**
 * End to end without a guest: a real QEMU whose two drives are two loop devices over one file
 * (two paths to one LUN), moved into a real blkio cgroup (the cgroup that directly holds its
 * threads). applyPlan limits reads on drive 0's device; QEMU's own I/O (HMP `qemu-io`, issued
 * through QMP) is held to the limit on d0 and not on d1 (RIG.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { applyPlan, Journal } from '../../../agent/act';
import { QmpSession } from '../../../agent/act/vm/qmp-client';
import { QmpVmControl } from '../../../agent/act/vm/qmp-control';
import { BlkioRig, type Loop } from './helpers/blkio-rig';
import { TestQemu } from './helpers/qemu';

const LIMIT = 10 * 1024 * 1024;
const MIB = 60;
const clock = { nowMs: () => Date.now() };

describe('QEMU in a blkio cgroup, throttled by applyPlan', () => {
  const rig = new BlkioRig();
  let qemu: TestQemu;

  beforeAll(() => {
    rig.setup(64);
    const [a, b] = rig.loops as [Loop, Loop];
    qemu = new TestQemu(String(800 + (process.pid % 90)), undefined, [
      '-drive',
      `file=${a.dev},format=raw,if=none,id=d0,cache=none,aio=native`,
      '-drive',
      `file=${b.dev},format=raw,if=none,id=d1,cache=none,aio=native`,
    ]).start();
    writeFileSync(`${rig.cgroupDir()}/cgroup.procs`, `${qemu.pid}\n`);
  });
  afterAll(() => {
    qemu?.stop();
    // QEMU is killed; wait for the cgroup to empty before the rig removes it.
    for (let i = 0; i < 50 && readFileSync(`${rig.cgroupDir()}/cgroup.procs`, 'utf8').trim(); i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    rig.cleanup();
  });

  async function qemuRead(drive: string): Promise<number> {
    const s = await QmpSession.connect(qemu.socket, { timeoutMs: 30_000 });
    try {
      const t0 = process.hrtime.bigint();
      const reply = await s.execute('human-monitor-command', {
        'command-line': `qemu-io ${drive} "read 0 ${MIB}M"`,
      });
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      expect(reply).toBe(''); // HMP qemu-io prints nothing back on success
      return (MIB * 1048576) / secs;
    } finally {
      s.close();
    }
  }

  it('all QEMU threads are in the cgroup', () => {
    const tasks = readFileSync(`${rig.cgroupDir()}/tasks`, 'utf8').trim().split('\n');
    expect(tasks.length).toBeGreaterThan(1);
    expect(readFileSync(`/proc/${qemu.pid}/cgroup`, 'utf8')).toContain(`blkio:${rig.cgroupRel}`);
  });

  it('d0 (limited device) takes size/limit (+ QEMU processing), d1 is not limited', async () => {
    const [a] = rig.loops as [Loop, Loop];
    const ctx = {
      fs: new RootedHostFs('/'),
      runner: new ProcessCommandRunner(),
      vmControl: new QmpVmControl({ socketFor: () => qemu.socket }),
      journal: await Journal.inMemory({ clock }),
      clock,
    };
    const results = await applyPlan(
      ctx,
      {
        actions: [
          {
            kind: 'set-io-limit',
            id: 'limit-d0',
            reason: 'test',
            origins: [],
            trigger: 'operator',
            vmId: qemu.vmId,
            cgroup: { version: 1, path: rig.cgroupRel },
            devT: a.devT,
            limit: { rbps: LIMIT },
          },
        ],
        decisions: [],
        warnings: [],
      },
      { dryRun: false },
    );
    expect(results[0]?.outcome).toBe('applied');
    const free = await qemuRead('d1');
    const limited = await qemuRead('d0');
    const bytes = MIB * 1048576;
    const tThrottle = bytes / LIMIT;
    const tFree = bytes / free;
    const tLimited = bytes / limited;
    console.log(
      `QEMU d0 ${(limited / 1048576).toFixed(2)} MiB/s (limit 10; ${tLimited.toFixed(2)} s for ${MIB} MiB), ` +
        `d1 ${(free / 1048576).toFixed(0)} MiB/s (${tFree.toFixed(2)} s)`,
    );
    // The throttle alone takes size/limit; QEMU's own request processing (what the unthrottled
    // drive takes, large on a loaded 2-core machine) can add at most its own duration on top.
    expect(tLimited).toBeGreaterThanOrEqual(tThrottle * 0.9);
    expect(tLimited).toBeLessThanOrEqual((tThrottle + tFree) * 1.1);
    expect(free).toBeGreaterThan(3 * limited);
  }, 60_000);
});
