/**
 * vmpath end to end on the real kernel: QEMU "VMs" on VM-owned LUNs, `vmpath snapshot` finds
 * them, `vmpath apply` with pins puts them on different paths (kernel state and path counters
 * prove it), and after a path fails a second apply keeps the VM on a surviving path.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { CaseContext, LabCase } from '../lib/case';
import { LabVm } from '../lib/qemu';
import { dmStatus, ioSectors, rig } from '../lib/rig';
import { sh, sleep, until, uptime, writeAttr } from '../lib/sh';
import { UeventMonitor } from '../lib/uevents';
import { activePath, adapter, vmpath as run } from '../lib/vmpath-cli';

const CONFIG = '/etc/vmpath/config.json';
const JOURNAL = '/tmp/vmpath-journal.jsonl';

interface SnapVm {
  id: string;
  name: string;
  pid: number;
  disks: { dev: string; maps: string[] }[];
}

function vmpath(ctx: CaseContext, label: string, ...args: string[]): string {
  return run(ctx, 'e2e', label, ...args);
}

/**
 * Runs `vmpath apply` until it changes nothing (the agent's level-based loop requeues the same
 * way); returns how many runs that took. Fails after 4.
 */
function converge(ctx: CaseContext, label: string, strict = true): number {
  for (let n = 1; n <= 4; n++) {
    const text = vmpath(ctx, `${label}-${n}`, 'apply', '--config', CONFIG, '--journal', JOURNAL);
    if (!/: applied/.test(text)) return n;
  }
  if (!strict) return 5;
  throw new Error(`vmpath apply still changing things after 4 runs (see files/e2e/${label}-4.txt)`);
}

async function readVia(vm: LabVm, devs: readonly string[]): Promise<Record<string, number>> {
  const before = devs.map((d) => ioSectors(d).read);
  await vm.read(0, 4 * 1048576);
  const r: Record<string, number> = {};
  devs.forEach((d, i) => (r[d] = ioSectors(d).read - (before[i] ?? 0)));
  return r;
}

export const cases: LabCase[] = [
  {
    name: 'two QEMU VMs pinned to different adapters: vmpath apply puts them on different paths; path fails: apply keeps the VM on a survivor',
    timeoutMs: 420_000,
    async run(ctx) {
      const r = await rig({ paths: 2, luns: 2, grouping: 'failover', failback: 'manual' });
      const [a, b] = r.maps;
      assert.ok(a && b);
      const vm1 = await LabVm.start('vm101', `/dev/mapper/${a.name}`);
      const vm2 = await LabVm.start('vm102', `/dev/mapper/${b.name}`);
      const mon = await UeventMonitor.start('/tmp/uevents-e2e.log');
      try {
        const snap = JSON.parse(vmpath(ctx, 'snapshot', 'snapshot', '--json')) as { vms: SnapVm[] };
        const s1 = snap.vms.find((v) => v.pid === vm1.pid);
        const s2 = snap.vms.find((v) => v.pid === vm2.pid);
        ctx.fact(
          'vms seen',
          snap.vms.map((v) => `${v.id} ${v.name} pid ${v.pid} ${JSON.stringify(v.disks.map((d) => d.maps))}`),
        );
        assert.ok(s1 && s2, 'vmpath snapshot finds both QEMU processes');
        assert.deepEqual(
          s1.disks.flatMap((d) => d.maps),
          [a.name],
        );
        assert.deepEqual(
          s2.disks.flatMap((d) => d.maps),
          [b.name],
        );

        // Pin each VM to the adapter its LUN is NOT using now, on different adapters.
        const aNow = activePath(a);
        const aWant = a.paths.find((p) => p !== aNow);
        assert.ok(aWant);
        const bWant = b.paths.find((p) => adapter(p) !== adapter(aWant));
        assert.ok(bWant);
        ctx.fact(
          'pins',
          `${s1.id} -> ${adapter(aWant)} (${aWant.dev}), ${s2.id} -> ${adapter(bWant)} (${bWant.dev})`,
        );
        fs.mkdirSync('/etc/vmpath', { recursive: true });
        fs.writeFileSync(
          CONFIG,
          `${JSON.stringify({ vms: { [s1.id]: { pin: `adapter:${adapter(aWant)}` }, [s2.id]: { pin: `adapter:${adapter(bWant)}` } } }, null, 2)}\n`,
        );
        vmpath(ctx, 'plan', 'plan', '--config', CONFIG);
        const t0 = Date.now();
        ctx.fact('applies until nothing changed', converge(ctx, 'apply'));
        ctx.fact('apply s', (Date.now() - t0) / 1000);
        assert.equal(activePath(a).dev, aWant.dev, `${a.name} on ${aWant.dev}: ${dmStatus(a.name).raw}`);
        assert.equal(activePath(b).dev, bWant.dev, `${b.name} on ${bWant.dev}: ${dmStatus(b.name).raw}`);
        const io1 = await readVia(
          vm1,
          a.paths.map((p) => p.dev),
        );
        const io2 = await readVia(
          vm2,
          b.paths.map((p) => p.dev),
        );
        ctx.fact('vm101 sectors per path', io1);
        ctx.fact('vm102 sectors per path', io2);
        assert.ok((io1[aWant.dev] ?? 0) >= 8192 && a.paths.every((p) => p === aWant || io1[p.dev] === 0));
        assert.ok((io2[bWant.dev] ?? 0) >= 8192 && b.paths.every((p) => p === bWant || io2[p.dev] === 0));

        // The pinned path of vm101 fails: the kernel fails over; a reconcile keeps it there.
        const t1 = uptime();
        writeAttr(`/sys/block/${aWant.dev}/device/state`, 'offline');
        await vm1.read(0, 65536).catch(() => '');
        const ev = await mon.waitFor('PATH_FAILED', aWant.devt, t1);
        ctx.fact('offline -> PATH_FAILED s', Number((ev.ts - t1).toFixed(3)));
        ctx.fact('applies after the failure', converge(ctx, 'apply-after-failure'));
        ctx.fact('PATH_FAILED -> apply done s', Number((uptime() - ev.ts).toFixed(3)));
        const survivor = activePath(a);
        assert.notEqual(survivor.dev, aWant.dev);
        const io3 = await readVia(
          vm1,
          a.paths.map((p) => p.dev),
        );
        ctx.fact('vm101 sectors per path after the failure', io3);
        assert.equal(io3[aWant.dev], 0);
        assert.equal(await vm1.status(), 'running');
        writeAttr(`/sys/block/${aWant.dev}/device/state`, 'running');
        await until(
          'the path back',
          () =>
            dmStatus(a.name).groups.every((g) => g.paths.every((p) => p.state === 'A')) ? true : undefined,
          30_000,
          200,
        );
        ctx.fact('applies after the path returned', converge(ctx, 'apply-after-return'));
        ctx.fact('after the path returned, vm101 on', activePath(a).dev);
        vmpath(ctx, 'release', 'release', '--all', '--journal', JOURNAL);
        ctx.fact(
          'after release: /etc/multipath/conf.d/vmpath.conf exists',
          fs.existsSync('/etc/multipath/conf.d/vmpath.conf'),
        );
      } finally {
        await mon.stop();
        await vm1.stop();
        await vm2.stop();
        for (const p of [...a.paths, ...b.paths]) {
          if (fs.readFileSync(`/sys/block/${p.dev}/device/state`, 'utf8').trim() !== 'running') {
            writeAttr(`/sys/block/${p.dev}/device/state`, 'running');
          }
        }
      }
    },
  },
  {
    name: 'all paths down: the VM with onAllPathsDown=pause is paused (queueing on) by vmpath apply and resumed when a path returns',
    timeoutMs: 420_000,
    async run(ctx) {
      const r = await rig({ paths: 2, luns: 2, grouping: 'failover', failback: 'manual' });
      const a = r.maps[0];
      assert.ok(a);
      const vm = await LabVm.start('vm103', `/dev/mapper/${a.name}`);
      const devs = a.paths.map((p) => p.dev);
      try {
        fs.mkdirSync('/etc/vmpath', { recursive: true });
        fs.writeFileSync(
          CONFIG,
          `${JSON.stringify({ vms: { vm103: { onAllPathsDown: 'pause' } } }, null, 2)}\n`,
        );
        ctx.fact('applies at start', converge(ctx, 'apd-start'));
        assert.equal(await vm.status(), 'running');
        for (const d of devs) writeAttr(`/sys/block/${d}/device/state`, 'offline');
        const t0 = uptime();
        await until(
          'all paths failed',
          () =>
            dmStatus(a.name).groups.every((g) => g.paths.every((p) => p.state === 'F')) ? true : undefined,
          60_000,
          100,
        );
        ctx.fact('offline -> all paths F in dmsetup status s', Number((uptime() - t0).toFixed(3)));
        const t1 = uptime();
        vmpath(ctx, 'apd-down-1', 'apply', '--config', CONFIG, '--journal', JOURNAL);
        ctx.fact('all F -> VM paused (apply done) s', Number((uptime() - t1).toFixed(3)));
        assert.equal(await vm.status(), 'paused');
        const queueing = () => /queue_if_no_path/.test(sh(['dmsetup', 'table', a.name]).stdout);
        ctx.fact('queue_if_no_path in the table right after apply', queueing());
        await sleep(6000); // 3 checker ticks: does multipathd (no_path_retry fail) keep it?
        ctx.fact('queue_if_no_path in the table 6 s later', queueing());
        assert.ok(
          queueing(),
          'multipathd keeps queueing: vmpath set no_path_retry queue for the map ahead of time',
        );
        // A repeated reconcile must not fail nor pause again (the journal knows the pause).
        const again = vmpath(ctx, 'apd-down-2', 'apply', '--config', CONFIG, '--journal', JOURNAL);
        assert.doesNotMatch(again, /pause-vm:.*applied/);
        assert.equal(await vm.status(), 'paused');

        for (const d of devs) writeAttr(`/sys/block/${d}/device/state`, 'running');
        await until(
          'a path back',
          () =>
            dmStatus(a.name).groups.some((g) => g.paths.some((p) => p.state === 'A')) ? true : undefined,
          60_000,
          200,
        );
        const t2 = uptime();
        ctx.fact(
          'applies when a path is back (5 = still changing after 4)',
          converge(ctx, 'apd-back', false),
        );
        ctx.fact('path A -> VM resumed (apply done) s', Number((uptime() - t2).toFixed(3)));
        assert.equal(await vm.status(), 'running');
        const read = await vm.read(0, 1048576);
        ctx.fact('qemu-io read after resume', read.trim());
        assert.doesNotMatch(read, /error/i);
        vmpath(ctx, 'apd-release', 'release', '--all', '--journal', JOURNAL);
      } finally {
        await vm.stop();
        for (const d of devs) {
          if (fs.readFileSync(`/sys/block/${d}/device/state`, 'utf8').trim() !== 'running') {
            writeAttr(`/sys/block/${d}/device/state`, 'running');
          }
        }
      }
    },
  },
];
