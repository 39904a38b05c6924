/**
 * The main job end to end: the real agent runtime (observe → decide → act, journaled) against the
 * embedded simulated host, with the demo's fault schedule. Asserts what an admin would check.
 */
import { runDemo } from '../../../agent/cli/demo/run-demo';
import { captureIo } from './capture-io';

describe('vmpath demo on the simulated host', () => {
  it('pauses the pause-policy VM when its LUN loses every path, resumes it when paths return, with no guest I/O errors', async () => {
    const io = captureIo();
    const summary = await runDemo({ durationS: 62, speed: 10, live: false, colour: false }, io);
    const lines = summary.log.map((l) => `${l.kind} ${l.text}`);
    const pause = summary.log.find((l) => l.kind === 'action' && /vm 105: pause-vm/.test(l.text));
    const resume = summary.log.find((l) => l.kind === 'action' && /vm 105: resume-vm/.test(l.text));
    expect(pause).toBeDefined();
    expect(resume).toBeDefined();
    expect(pause!.atS).toBeGreaterThanOrEqual(40);
    expect(resume!.atS).toBeGreaterThan(pause!.atS);
    expect(resume!.atS).toBeGreaterThanOrEqual(55);
    const vm105 = summary.vms.find((v) => v.id === '105')!;
    expect(vm105.ioErrors).toBe(0);
    expect(vm105.runState).toBe('running');
    expect(summary.faults).toBeGreaterThanOrEqual(4);
    expect(summary.reconciles).toBeGreaterThan(5);
    expect(io.stdout).toContain('fault');
    expect(lines.some((l) => /switch to group/.test(l))).toBe(true);
    // Every action vmpath took succeeded (a failed one is logged as an error).
    expect(summary.failedActions).toBe(0);
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
    // VM 103 is pinned to fabric B. On its own LUN (mpathc) fabric B never failed, so it is steered
    // to fabric B paths only. (On the shared LUN every path failed at 40 s and is in hold-down.)
    const vm103 = summary.vms.find((v) => v.id === '103')!;
    const onOwn = vm103.paths['mpathc'] ?? [];
    expect(onOwn.length).toBeGreaterThan(0);
    for (const p of onOwn) expect(p).toMatch(/^b/);
  }, 60_000);
});
