/**
 * observeHost on this real machine: real QEMU processes (plain, Proxmox-style, libvirt-style
 * cgroup) with drives on loop devices, in real cgroup v1 blkio directories, read through the
 * real RootedHostFs('/') and ProcessCommandRunner. Upstream QEMU has no `-id`, so the
 * Proxmox-style VM is identified the way Proxmox hosts also allow: its pidfile
 * /var/run/qemu-server/<vmid>.pid and cgroup qemu.slice/<vmid>.scope.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { observeHost } from '../../../agent/observe';
import { captureHost, encodeCapture, openCapture } from '../../../agent/observe/capture';
import type { HostFs, HostSnapshot, Vm } from '../../../agent/model';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { QmpVmControl } from '../../../agent/act/vm/qmp-control';
import { QemuRig, requireRig, type Loop, type StartedVm } from './qemu-rig';

const clock = { nowMs: () => Date.now() };
const rig = new QemuRig();
const vmid = String(900000 + (process.pid % 90000));
const nameA = `vmobsa${rig.tag.replace(/[^a-z0-9]/g, '')}`;
const nameC = `vmobsc${rig.tag.replace(/[^a-z0-9]/g, '')}`;
let loops: Loop[];
let a: StartedVm;
let b: StartedVm;
let c: StartedVm;

beforeAll(() => {
  requireRig();
  loops = [rig.loop(), rig.loop(), rig.loop()];
  a = rig.start(
    ['-name', `guest=${nameA},debug-threads=on`],
    [loops[0]!, loops[1]!],
    `/vmpath-test-${rig.tag}-a`,
  );
  b = rig.start(
    ['-name', `pve${vmid},debug-threads=on`],
    [loops[1]!],
    `/qemu.slice/${vmid}.scope`,
    `/var/run/qemu-server/${vmid}.pid`,
  );
  c = rig.start(
    ['-name', `guest=${nameC},debug-threads=on`, '-uuid', '6b2f8f5e-3c1a-4c55-9d9e-0f8a4a1b2c3d'],
    [loops[2]!],
    `/machine/qemu-7-${nameC}.libvirt-qemu`,
  );
}, 60_000);
afterAll(() => rig.cleanup(), 60_000);

function find(s: HostSnapshot, pid: number): Vm {
  const vm = s.vms.find((v) => v.pid === pid);
  if (!vm) throw new Error(`pid ${pid} not found; vms: ${JSON.stringify(s.vms.map((v) => [v.pid, v.id]))}`);
  return vm;
}

describe('observeHost on this machine with real QEMU processes', () => {
  let s: HostSnapshot;
  beforeAll(async () => {
    s = await observeHost({ fs: new RootedHostFs('/'), runner: new ProcessCommandRunner(), clock });
  }, 60_000);

  it('finds the plain QEMU with its identity, cgroup and loop devices', () => {
    const vm = find(s, a.pid);
    expect(vm).toMatchObject({ kind: 'qemu', id: nameA, name: nameA, runState: 'unknown' });
    expect(vm.cgroup).toEqual({ version: 1, path: a.cgroup });
    expect(vm.disks.map((d) => d.devT).sort()).toEqual([loops[0]!.devT, loops[1]!.devT].sort());
    expect(vm.disks.map((d) => d.chain.map((l) => l.kind))).toEqual([['disk'], ['disk']]);
    expect(vm.cgroupIo).toBeDefined();
  });

  it('records the QMP socket from the command line, and QMP control reaches a plain QEMU through it', async () => {
    const vm = find(s, a.pid);
    expect(vm.qmpSocket).toMatch(/\/qmp\d+\.sock$/);
    const qmp = new QmpVmControl({ timeoutMs: 5000 });
    const ref = { id: vm.id, kind: vm.kind, name: vm.name, pid: vm.pid, qmpSocket: vm.qmpSocket! };
    await qmp.pause(ref);
    expect(await qmp.status(ref)).toBe('paused');
    await qmp.resume(ref);
    expect(await qmp.status(ref)).toBe('running');
  }, 30_000);

  it('finds the Proxmox-style VM by its pidfile, in qemu.slice/<vmid>.scope', () => {
    const vm = find(s, b.pid);
    expect(vm).toMatchObject({ kind: 'proxmox', id: vmid, name: `pve${vmid}` });
    expect(vm.cgroup).toEqual({ version: 1, path: `/qemu.slice/${vmid}.scope` });
    expect(vm.disks.map((d) => d.devT)).toEqual([loops[1]!.devT]);
  });

  it('recognises a libvirt domain by its machine cgroup', () => {
    const vm = find(s, c.pid);
    expect(vm).toMatchObject({ kind: 'libvirt', id: nameC, uuid: '6b2f8f5e-3c1a-4c55-9d9e-0f8a4a1b2c3d' });
    expect(vm.cgroup).toEqual({ version: 1, path: `/machine/qemu-7-${nameC}.libvirt-qemu` });
  });

  it('describes the host; without device-mapper/multipathd the snapshot still comes back with a diagnostic', () => {
    expect(s.host.cgroupMode).toMatch(/^(v1|hybrid)$/);
    expect(s.host.cgroupMounts?.v1Blkio).toBe('/sys/fs/cgroup/blkio');
    expect(s.host.hostname.length).toBeGreaterThan(0);
    expect(s.maps).toEqual([]);
    expect(
      s.diagnostics.some((d) =>
        [
          'VMPATH_E_NO_DEVICE_MAPPER',
          'VMPATH_E_MULTIPATHD_UNREACHABLE',
          'VMPATH_E_COMMAND_NOT_FOUND',
        ].includes(d.code ?? ''),
      ),
    ).toBe(true);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it("reads this machine's /sys the same on the scan thread as on the main thread", async () => {
    const ctx = { fs: new RootedHostFs('/'), runner: new ProcessCommandRunner(), clock };
    const script = path.join(__dirname, '../../unit/observe/threads/ts-loader.cjs');
    const threaded = await observeHost(ctx, { sysfsThread: 'always', sysfsThreadScript: script });
    const main = await observeHost(ctx, { sysfsThread: 'never' });
    expect(threaded.diagnostics.filter((d) => /scan thread/.test(d.message))).toEqual([]);
    // The loop devices the QEMUs hold are found in the thread's /sys/block index.
    const disks = (x: HostSnapshot) => [a, b, c].map((v) => find(x, v.pid).disks);
    expect(disks(threaded)).toEqual(disks(main));
    expect(
      find(threaded, a.pid)
        .disks.map((d) => d.devT)
        .sort(),
    ).toEqual([loops[0]!.devT, loops[1]!.devT].sort());
    expect(threaded.paths).toEqual(main.paths);
  }, 60_000);

  it('a stopped QEMU is reported paused', async () => {
    process.kill(c.pid, 'SIGSTOP');
    try {
      const until = Date.now() + 5000;
      let state = '';
      while (Date.now() < until && !/\) T /.test(state)) {
        state = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
        await new Promise((r) => setTimeout(r, 10));
      }
      const again = await observeHost({
        fs: new RootedHostFs('/'),
        runner: new ProcessCommandRunner(),
        clock,
      });
      expect(find(again, c.pid).runState).toBe('paused');
    } finally {
      process.kill(c.pid, 'SIGCONT');
    }
  }, 30_000);

  it('a QEMU killed mid-scan is dropped with an info diagnostic, the others stay', async () => {
    const victim = rig.start(['-name', `guest=victim${vmid}`], [loops[2]!], `/vmpath-test-${rig.tag}-victim`);
    const real = new RootedHostFs('/');
    let killed = false;
    // Kill the victim right after its command line was read, before its stat/cgroup/fds.
    const fs: HostFs = Object.assign(Object.create(real) as RootedHostFs, {
      readFile: async (p: string) => {
        const text = await real.readFile(p);
        if (p === `/proc/${victim.pid}/cmdline` && !killed) {
          killed = true;
          process.kill(victim.pid, 'SIGKILL');
          await QemuRig.waitExit(victim.pid);
        }
        return text;
      },
    });
    const snap = await observeHost({ fs, runner: new ProcessCommandRunner(), clock });
    expect(killed).toBe(true);
    expect(snap.vms.some((v) => v.pid === victim.pid)).toBe(false);
    expect(snap.diagnostics).toContainEqual(
      expect.objectContaining({
        level: 'info',
        code: 'VMPATH_E_PROCESS_VANISHED',
        subject: `process ${victim.pid}`,
      }),
    );
    expect(find(snap, a.pid).id).toBe(nameA);
  }, 30_000);

  it("a capture of this machine replays to the same snapshot, without other programs' command lines", async () => {
    const { archive, snapshot } = await captureHost({
      fs: new RootedHostFs('/'),
      runner: new ProcessCommandRunner(),
      clock,
    });
    expect(
      find(snapshot, a.pid)
        .disks.map((d) => d.devT)
        .sort(),
    ).toEqual([loops[0]!.devT, loops[1]!.devT].sort());
    expect(archive.files[`/proc/${process.pid}/cmdline`]?.content).toBe('');
    expect(Object.keys(archive.files).some((p) => p.endsWith('/environ'))).toBe(false);
    const opened = await openCapture(encodeCapture(archive));
    try {
      const again = await observeHost({ fs: opened.fs, runner: opened.runner, clock: opened.clock });
      expect(again).toEqual(snapshot);
    } finally {
      await opened.dispose();
    }
  }, 60_000);
});
