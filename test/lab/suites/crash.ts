/**
 * `kill -9` of `vmpath apply` in the middle of its plan, on the real stack. Two QEMU VMs pinned to
 * the adapters their LUNs do not use: the plan writes vmpath.conf (`no_path_retry queue`, then
 * `multipathd reconfigure`, which waits for the daemon) and switches groups. The test watches the
 * journal and kills the process the moment an intent is on disk without its outcome. Asserted:
 * the journal holds the open intent and the dead writer's lock; the next `vmpath apply` takes the
 * stale lock over, settles the intent from what the host shows (printed as `recovered …`) and
 * converges (both VMs on their pinned paths, path counters prove it); no intent stays open; and
 * `vmpath release --all` still reverts everything, the interrupted change included.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { CaseContext, LabCase } from '../lib/case';
import { LabVm } from '../lib/qemu';
import { ioSectors, rig } from '../lib/rig';
import { background, sh, sleep, until } from '../lib/sh';
import { activePath, adapter, CLI, vmpath as run } from '../lib/vmpath-cli';

const CONFIG = '/etc/vmpath/crash-config.json';
const JOURNAL = '/tmp/vmpath-crash-journal.jsonl';
const VMPATH_CONF = '/etc/multipath/conf.d/vmpath.conf';

interface Rec {
  type: string;
  op?: string;
  action?: { id: string; kind: string };
}

function records(): Rec[] {
  if (!fs.existsSync(JOURNAL)) return [];
  return fs
    .readFileSync(JOURNAL, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as Rec);
}

/** Intents without a done/failed record. */
function openIntents(): Rec[] {
  const recs = records();
  const settled = new Set(recs.filter((r) => r.type === 'done' || r.type === 'failed').map((r) => r.op));
  return recs.filter((r) => r.type === 'intent' && !settled.has(r.op));
}

function vmpath(ctx: CaseContext, label: string, ...args: string[]): string {
  return run(ctx, 'crash', label, ...args);
}

export const cases: LabCase[] = [
  {
    name: 'kill -9 vmpath apply mid-plan: the next apply recovers from the journal and converges; release reverts all',
    timeoutMs: 600_000,
    async run(ctx) {
      const r = await rig({ paths: 2, luns: 2, grouping: 'failover', failback: 'manual' });
      const [a, b] = r.maps;
      assert.ok(a && b);
      fs.rmSync(JOURNAL, { force: true });
      fs.rmSync(`${JOURNAL}.lock`, { force: true });
      fs.rmSync(VMPATH_CONF, { force: true });
      sh(['multipathd', 'reconfigure'], { allowFail: true });
      await sleep(3000);
      const vm1 = await LabVm.start('vm201', `/dev/mapper/${a.name}`);
      const vm2 = await LabVm.start('vm202', `/dev/mapper/${b.name}`);
      try {
        const aWant = a.paths.find((p) => p !== activePath(a));
        assert.ok(aWant);
        const bWant = b.paths.find((p) => adapter(p) !== adapter(aWant));
        assert.ok(bWant);
        fs.mkdirSync('/etc/vmpath', { recursive: true });
        fs.writeFileSync(
          CONFIG,
          `${JSON.stringify({ vms: { vm201: { pin: `adapter:${adapter(aWant)}` }, vm202: { pin: `adapter:${adapter(bWant)}` } } }, null, 2)}\n`,
        );
        const apply = background(
          [...CLI, 'apply', '--config', CONFIG, '--journal', JOURNAL],
          '/tmp/crash-apply.log',
        );
        const victim = await until(
          'an intent on disk without its outcome',
          () => (apply.exitCode !== null ? null : (openIntents()[0] ?? undefined)),
          180_000,
          5,
        );
        apply.kill('SIGKILL');
        await new Promise((res) =>
          apply.exitCode !== null || apply.signalCode !== null ? res(null) : apply.once('exit', res),
        );
        assert.ok(
          victim,
          `apply finished before it could be killed: ${fs.readFileSync('/tmp/crash-apply.log', 'utf8')}`,
        );
        ctx.fact('killed during', victim.action?.id);
        ctx.save('crash/journal-after-kill.jsonl', fs.readFileSync(JOURNAL, 'utf8'));
        assert.ok(openIntents().length >= 1, 'the journal holds the open intent');
        assert.ok(fs.existsSync(`${JOURNAL}.lock`), "the dead writer's lock is still there");

        const again = vmpath(ctx, 'apply-after-kill', 'apply', '--config', CONFIG, '--journal', JOURNAL);
        assert.match(again, new RegExp(`recovered ${victim.action?.kind} ${victim.action?.id}`));
        ctx.fact(
          'recovery',
          again.split('\n').filter((l) => l.startsWith('recovered')),
        );
        let runs = 1;
        for (; runs <= 4; runs++) {
          const t = vmpath(ctx, `converge-${runs}`, 'apply', '--config', CONFIG, '--journal', JOURNAL);
          if (!/: applied/.test(t)) break;
        }
        ctx.fact('applies after the recovering one until nothing changed', runs);
        assert.ok(runs <= 4, 'converged');
        assert.deepEqual(openIntents(), [], 'no intent left open');
        assert.equal(activePath(a).dev, aWant.dev);
        assert.equal(activePath(b).dev, bWant.dev);
        const before = ioSectors(aWant.dev).read;
        await vm1.read(0, 1048576);
        ctx.fact('vm201 sectors on its pinned path', ioSectors(aWant.dev).read - before);
        assert.ok(ioSectors(aWant.dev).read - before >= 2048);
        assert.match(fs.readFileSync(VMPATH_CONF, 'utf8'), /no_path_retry queue/);

        vmpath(ctx, 'release', 'release', '--all', '--journal', JOURNAL);
        assert.ok(!fs.existsSync(VMPATH_CONF), 'release removed vmpath.conf');
        assert.ok(!fs.existsSync(`${JOURNAL}.lock`), 'lock released');
      } finally {
        ctx.save(
          'crash/apply.log',
          fs.existsSync('/tmp/crash-apply.log') ? fs.readFileSync('/tmp/crash-apply.log', 'utf8') : '',
        );
        if (fs.existsSync(JOURNAL)) ctx.save('crash/journal.jsonl', fs.readFileSync(JOURNAL, 'utf8'));
        await vm1.stop();
        await vm2.stop();
      }
    },
  },
];
