/**
 * libvirt for real: a libvirtd 9 started by the test (helpers/libvirtd.ts, own mount namespace)
 * runs a q35 domain whose two disks are loop devices and whose <metadata> carries a vmpath policy.
 * Asserted: observe finds the domain's QEMU as a libvirt VM (name, uuid, libvirt's own cgroup,
 * both disks by rdev through QEMU's private /dev); its policy is read live through `virsh
 * metadata`; LibvirtVmControl suspends and resumes it (libvirt reports `paused (user)`), and a
 * shut-off domain's pause is a LibvirtError; `vmpath pause|resume` reach it through the
 * config file's `control.libvirtUri` and journal the pause; a per-device limit vmpath writes lands
 * in the domain's own blkio cgroup (libvirt's `blkiotune` shows only its own tuning: measured; on a
 * kernel without BFQ blkiotune cannot run at all, and the domain XML is read instead).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyPlan } from '../../../agent/act';
import { openHostActContext } from '../../../agent/act/host-context';
import { LibvirtVmControl } from '../../../agent/act/vm/libvirt-control';
import { runCli } from '../../../agent/cli/run-cli';
import { captureIo } from './helpers/cli-io';
import { buildPolicySet, virshMetadataReader } from '../../../agent/config';
import type { HostSnapshot, Vm } from '../../../agent/model';
import { observeHost } from '../../../agent/observe';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { QemuRig, requireRig, type Loop } from '../observe/qemu-rig';
import { Libvirtd, requireLibvirtd } from './helpers/libvirtd';

const rig = new QemuRig();
const daemon = new Libvirtd();
const name = `vmpathlv${rig.tag.replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
const runner = new ProcessCommandRunner();
const clock = { nowMs: () => Date.now() };
let loops: Loop[];

/**
 * The per-device read bytes/s tuning libvirt reports for the domain: `virsh blkiotune`, or, on a
 * kernel without BFQ (measured on the 6.18 CI kernel, schedulers none / mq-deadline / kyber), where
 * blkiotune fails as a whole ("blkio device weight is valid only for bfq or cfq scheduler"), the
 * same configured tuning from the live domain XML.
 */
function libvirtReadBpsTuning(): string {
  try {
    const out = daemon.virsh('blkiotune', name);
    return /^\s*device_read_bytes_sec\s*:(.*)$/m.exec(out)?.[1]?.trim() ?? 'line missing';
  } catch (err) {
    if (!/valid only for bfq or cfq/.test(String(err))) throw err;
    console.log(
      `virsh blkiotune cannot run on this kernel (${String(err).split('\n').pop() ?? ''}): reading dumpxml`,
    );
    const xml = daemon.virsh('dumpxml', name);
    return [...xml.matchAll(/<read_bytes_sec>([^<]*)<\/read_bytes_sec>/g)].map((m) => m[1]).join(',');
  }
}

function domainXml(disks: readonly Loop[]): string {
  const disk = (l: Loop, i: number) =>
    `<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='${l.dev}'/>` +
    `<target dev='sd${'ab'[i]}' bus='sata'/></disk>`;
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <metadata>
    <vp:policy xmlns:vp="https://vmpath.dev/xmlns/policy/1">
      <vp:priority>77</vp:priority>
      <vp:onAllPathsDown>pause</vp:onAllPathsDown>
    </vp:policy>
  </metadata>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    ${disks.map(disk).join('\n    ')}
  </devices>
</domain>`;
}

const observe = (): Promise<HostSnapshot> =>
  observeHost({ fs: new RootedHostFs('/'), runner, clock }, { readTimeoutMs: 30_000 });

function findVm(s: HostSnapshot): Vm {
  const vm = s.vms.find((v) => v.id === name);
  if (!vm) throw new Error(`domain ${name} not observed; vms: ${JSON.stringify(s.vms.map((v) => v.id))}`);
  return vm;
}

beforeAll(async () => {
  requireRig();
  requireLibvirtd();
  loops = [rig.loop(), rig.loop()];
  await daemon.start();
  const file = path.join(daemon.state, `${name}.xml`);
  writeFileSync(file, domainXml(loops));
  daemon.virsh('define', file);
  daemon.virsh('start', name);
}, 180_000);

afterAll(async () => {
  await daemon.stop();
  rig.cleanup();
}, 120_000);

describe('a real libvirtd domain', () => {
  it('is observed as a libvirt VM with its cgroup and both disks', async () => {
    const vm = findVm(await observe());
    const uuid = daemon.virsh('domuuid', name).trim();
    expect(vm).toMatchObject({ kind: 'libvirt', name, uuid });
    expect(vm.cgroup?.path).toMatch(new RegExp(`/machine/qemu-\\d+-${name}\\.libvirt-qemu$`));
    expect(vm.disks.map((d) => d.devT).sort()).toEqual(loops.map((l) => l.devT).sort());
  }, 60_000);

  it('its vmpath policy is read live from the domain metadata', async () => {
    const vm = findVm(await observe());
    const { xml, problems } = await virshMetadataReader({ runner, uri: daemon.uri })([vm]);
    expect(problems).toEqual([]);
    expect(xml[name]).toContain('https://vmpath.dev/xmlns/policy/1');
    const { policies } = buildPolicySet({ vms: [vm], libvirtXml: xml });
    expect(policies.byVm[name]?.[0]).toMatchObject({
      origin: { kind: 'libvirt-metadata' },
      values: { priority: 77, onAllPathsDown: { action: 'pause' } },
    });
  }, 60_000);

  it('suspends and resumes through libvirt', async () => {
    const c = new LibvirtVmControl({ runner, uri: daemon.uri });
    const ref = { id: name, kind: 'libvirt' as const, name, pid: 0 };
    expect(await c.status(ref)).toBe('running');
    await c.pause(ref);
    expect(await c.status(ref)).toBe('paused');
    expect(daemon.virsh('domstate', '--reason', name).trim()).toBe('paused (user)');
    await c.resume(ref);
    expect(await c.status(ref)).toBe('running');
  }, 60_000);

  it('vmpath pause/resume reach it through control.libvirtUri and journal the pause', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vmpath-lvroot-'));
    try {
      const config = path.join(root, 'config.json');
      writeFileSync(config, JSON.stringify({ control: { libvirtUri: daemon.uri } }));
      const journal = path.join(root, 'journal.jsonl');
      const common = ['--config', config, '--journal', journal, '--json'];
      const p = captureIo();
      expect(await runCli(['pause', name, ...common], p)).toBe(0);
      expect(JSON.parse(p.text()).results[0]).toMatchObject({ outcome: 'applied' });
      expect(daemon.virsh('domstate', name).trim()).toBe('paused');
      expect(readFileSync(journal, 'utf8')).toContain(`paused:${name}`);
      const r = captureIo();
      expect(await runCli(['resume', name, ...common], r)).toBe(0);
      expect(JSON.parse(r.text()).results[0]).toMatchObject({ outcome: 'applied' });
      expect(daemon.virsh('domstate', name).trim()).toBe('running');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it("vmpath's limit goes into libvirt's own cgroup for the domain, beside libvirt's tuning", async () => {
    const snapshot = await observe();
    const vm = findVm(snapshot);
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'vmpath-lvj-'));
    const real = await openHostActContext({
      root: '/',
      snapshot,
      journalPath: path.join(journalDir, 'j.jsonl'),
    });
    try {
      const dev = loops[0] as Loop;
      const action = {
        kind: 'set-io-limit' as const,
        id: `lim:${vm.id}`,
        vmId: vm.id,
        cgroup: vm.cgroup as NonNullable<Vm['cgroup']>,
        devT: dev.devT,
        reason: 'test',
        origins: [],
        trigger: 'operator' as const,
      };
      const plan = (limit: { rbps: number } | null) => ({
        actions: [{ ...action, limit }],
        decisions: [],
        warnings: [],
      });
      expect((await applyPlan(real, plan({ rbps: 10485760 }), { dryRun: false }))[0]).toMatchObject({
        outcome: 'applied',
      });
      const file = `/sys/fs/cgroup/blkio${vm.cgroup?.path}/blkio.throttle.read_bps_device`;
      expect(readFileSync(file, 'utf8')).toContain(`${dev.devT} 10485760`);
      // libvirt reports its own configured tuning, not the cgroup's: it does not see (or undo) vmpath's rule
      expect(libvirtReadBpsTuning()).toBe('');
      expect((await applyPlan(real, plan({ rbps: 10485760 }), { dryRun: false }))[0]).toMatchObject({
        outcome: 'unchanged',
      });
      expect((await applyPlan(real, plan(null), { dryRun: false }))[0]).toMatchObject({ outcome: 'applied' });
      expect(readFileSync(file, 'utf8')).not.toContain(dev.devT);
    } finally {
      await real.close();
      rmSync(journalDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('pausing a shut-off domain is a LibvirtError', async () => {
    daemon.virsh('destroy', name);
    const c = new LibvirtVmControl({ runner, uri: daemon.uri });
    await expect(c.pause({ id: name, kind: 'libvirt', name, pid: 0 })).rejects.toMatchObject({
      code: 'VMPATH_E_LIBVIRT',
    });
  }, 60_000);
});
