/**
 * QMP against a real QEMU: pause/resume through VmControl and through applyPlan (journaled, so
 * memory knows vmpath paused it), the one-client rule (a held socket gives QmpTimeoutError,
 * retryable, then success once released), and QEMU dying mid-command (QmpClosedError) while the
 * rest of the plan goes on.
 */
import * as net from 'node:net';
import { QmpVmControl } from '../../../agent/act/vm/qmp-control';
import { QmpSession } from '../../../agent/act/vm/qmp-client';
import { RetryingVmControl } from '../../../agent/act/vm/retry';
import { applyPlan, Journal } from '../../../agent/act';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import type { VmpathError } from '../../../agent/model/errors';
import { QmpClosedError, QmpTimeoutError } from '../../../agent/model/errors';
import type { Action, Plan } from '../../../agent/model/plan';
import type { VmRef } from '../../../agent/model/seams';
import { TestQemu } from './helpers/qemu';

const clock = { nowMs: () => Date.now() };
const runId = String(900 + (process.pid % 90));

describe('QMP (real QEMU)', () => {
  const vmA = new TestQemu(`${runId}1`);
  const vmB = new TestQemu(`${runId}2`);
  const byId = new Map([
    [vmA.vmId, vmA],
    [vmB.vmId, vmB],
  ]);
  const control = new QmpVmControl({
    socketFor: (vm) => (byId.get(vm.id) as TestQemu).socket,
    timeoutMs: 1000,
  });
  const ref = (q: TestQemu): VmRef => ({ id: q.vmId, kind: 'proxmox', name: `vm${q.vmId}`, pid: q.pid });

  beforeAll(() => {
    vmA.start();
    vmB.start();
  });
  afterAll(() => {
    vmA.stop();
    vmB.stop();
  });

  it('query-status, stop, cont', async () => {
    expect(await control.status(ref(vmA))).toBe('running');
    await control.pause(ref(vmA));
    expect(await control.status(ref(vmA))).toBe('paused');
    await control.resume(ref(vmA));
    expect(await control.status(ref(vmA))).toBe('running');
  });

  it('a QMP error reply becomes QmpError with class and desc', async () => {
    const s = await QmpSession.connect(vmA.socket);
    try {
      await expect(s.execute('no-such-command')).rejects.toMatchObject({
        code: 'VMPATH_E_QMP_ERROR',
        details: expect.objectContaining({ class: 'CommandNotFound' }),
      });
    } finally {
      s.close();
    }
  });

  it('one client at a time: a held socket gives QmpTimeoutError (retryable), then works', async () => {
    const holder = net.createConnection({ path: vmA.socket });
    await new Promise<void>((r) => holder.once('data', () => r())); // holder got the greeting
    const t0 = Date.now();
    const err = await control.status(ref(vmA)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpTimeoutError);
    expect((err as VmpathError).retryable).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
    // With retries, the call succeeds once the other client leaves.
    const retrying = new RetryingVmControl(control, { attempts: 5, baseDelayMs: 100 });
    setTimeout(() => holder.destroy(), 600);
    expect(await retrying.status(ref(vmA))).toBe('running');
  });

  it('applyPlan pause/resume is journaled: memory says vmpath paused it, then not', async () => {
    const journal = await Journal.inMemory({ clock });
    const ctx = {
      fs: new RootedHostFs('/'),
      runner: new ProcessCommandRunner(),
      vmControl: control,
      journal,
      clock,
      resolveVm: async (id: string) => ref(byId.get(id) as TestQemu),
    };
    const act = (kind: 'pause-vm' | 'resume-vm'): Plan => ({
      actions: [
        {
          kind,
          id: `${kind}-${vmA.vmId}`,
          vmId: vmA.vmId,
          reason: 'all paths down',
          origins: [],
          trigger: 'automatic',
        } as Action,
      ],
      decisions: [],
      warnings: [],
    });
    expect((await applyPlan(ctx, act('pause-vm'), { dryRun: false }))[0]?.outcome).toBe('applied');
    expect(journal.memory().pausedByVmpath[vmA.vmId]).toMatchObject({ reason: 'all paths down' });
    expect((await applyPlan(ctx, act('pause-vm'), { dryRun: false }))[0]?.outcome).toBe('unchanged');
    expect((await applyPlan(ctx, act('resume-vm'), { dryRun: false }))[0]?.outcome).toBe('applied');
    expect(journal.memory().pausedByVmpath[vmA.vmId]).toBeUndefined();
    expect(await control.status(ref(vmA))).toBe('running');

    // Someone else pauses it: vmpath neither claims nor resumes that pause.
    await control.pause(ref(vmA));
    expect((await applyPlan(ctx, act('pause-vm'), { dryRun: false }))[0]?.outcome).toBe('skipped');
    expect((await applyPlan(ctx, act('resume-vm'), { dryRun: false }))[0]?.outcome).toBe('skipped');
    expect(await control.status(ref(vmA))).toBe('paused');
    await control.resume(ref(vmA));
  });

  it('QEMU dying mid-command: QmpClosedError; the rest of the plan still runs', async () => {
    const session = await QmpSession.connect(vmB.socket);
    vmB.signal('SIGSTOP'); // it will never answer...
    const pending = session.execute('query-status');
    await new Promise((r) => setTimeout(r, 100));
    vmB.signal('SIGKILL'); // ...and dies with the command in flight
    await expect(pending).rejects.toBeInstanceOf(QmpClosedError);
    session.close();

    const journal = await Journal.inMemory({ clock });
    const ctx = {
      fs: new RootedHostFs('/'),
      runner: new ProcessCommandRunner(),
      vmControl: control,
      journal,
      clock,
      resolveVm: async (id: string) => ref(byId.get(id) as TestQemu),
    };
    const plan: Plan = {
      actions: [
        { kind: 'pause-vm', id: 'p-dead', vmId: vmB.vmId, reason: 'test', origins: [], trigger: 'automatic' },
        { kind: 'pause-vm', id: 'p-live', vmId: vmA.vmId, reason: 'test', origins: [], trigger: 'automatic' },
      ],
      decisions: [],
      warnings: [],
    };
    const results = await applyPlan(ctx, plan, { dryRun: false });
    expect(results[0]).toMatchObject({ outcome: 'failed' });
    expect(['VMPATH_E_QMP_CLOSED', 'VMPATH_E_VM_NOT_FOUND']).toContain(results[0]?.code);
    expect(results[1]).toMatchObject({ outcome: 'applied' });
    expect(await control.status(ref(vmA))).toBe('paused');
    await control.resume(ref(vmA));
  });
});
