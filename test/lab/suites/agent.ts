/**
 * The real `vmpath agent` on the real kernel, woken by the kernel's dm uevents (its poll timer is
 * set to 10 minutes so polling cannot be what reacts):
 *  - before anything fails it makes multipathd queue for the VM's map (vmpath.conf
 *    `no_path_retry queue`, multipathd's JSON says `queueing: on`);
 *  - all paths offline: the agent pauses the VM (onAllPathsDown=pause) — measured from the
 *    sysfs write and from the last PATH_FAILED uevent to the agent's logged action; queueing
 *    holds (multipathd's checker no longer turns it off) and a direct reader of the map in the
 *    outage gets no I/O error: it completes once a path is back;
 *  - a path back: the agent resumes the VM (PATH_REINSTATED → resume measured);
 *  - stopped, `vmpath release --all` removes vmpath.conf and multipathd's own setting returns.
 * QEMU's QMP serves one client, so the test reads the VM's state only while the agent is idle.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { CaseContext, LabCase } from '../lib/case';
import { LabVm } from '../lib/qemu';
import { dmStatus, rig } from '../lib/rig';
import { background, sh, sleep, until, uptime, writeAttr } from '../lib/sh';
import { UeventMonitor } from '../lib/uevents';
import { CLI } from '../lib/vmpath-cli';

const CONFIG = '/etc/vmpath/agent-config.json';
const JOURNAL = '/tmp/vmpath-agent-journal.jsonl';
const LOG = '/tmp/vmpath-agent.log';
const VMPATH_CONF = '/etc/multipath/conf.d/vmpath.conf';

interface LogLine {
  at: string;
  level: string;
  subject: string;
  message: string;
}

function agentLog(): LogLine[] {
  if (!fs.existsSync(LOG)) return [];
  return fs
    .readFileSync(LOG, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return l.startsWith('{') ? [JSON.parse(l) as LogLine] : [];
      } catch {
        return [];
      }
    });
}

/** The first agent log line matching re, as seconds since boot (the uevent clock). */
function logged(re: RegExp, after: number): number | undefined {
  const offset = Date.now() / 1000 - uptime();
  for (const l of agentLog()) {
    const t = Date.parse(l.at) / 1000 - offset;
    if (t >= after - 0.5 && re.test(`${l.subject}: ${l.message}`)) return t;
  }
  return undefined;
}

function queueingOf(map: string): string | undefined {
  const r = sh(['multipathd', 'show', 'maps', 'json'], { allowFail: true });
  const m = new RegExp(`"name" : "${map}"[\\s\\S]*?"queueing" : "([^"]*)"`).exec(r.stdout);
  return m?.[1];
}

function tableQueues(map: string): boolean {
  return /queue_if_no_path/.test(sh(['dmsetup', 'table', map]).stdout);
}

async function stopAgent(agent: ChildProcess): Promise<void> {
  if (agent.exitCode !== null || agent.signalCode !== null) return;
  const gone = new Promise<void>((res) => agent.once('exit', () => res()));
  agent.kill('SIGTERM');
  await Promise.race([gone, sleep(60_000)]);
  if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
}

function save(ctx: CaseContext): void {
  if (fs.existsSync(LOG)) ctx.save('agent/agent.log', fs.readFileSync(LOG, 'utf8'));
  if (fs.existsSync(JOURNAL)) ctx.save('agent/journal.jsonl', fs.readFileSync(JOURNAL, 'utf8'));
}

export const cases: LabCase[] = [
  {
    name: 'vmpath agent on uevents: queueing set ahead, all paths down → VM paused with no I/O error, path back → resumed; detection-to-action times',
    timeoutMs: 600_000,
    async run(ctx) {
      const r = await rig({ paths: 2, luns: 2, grouping: 'failover', failback: 'manual' });
      const a = r.maps[0];
      assert.ok(a);
      const devs = a.paths.map((p) => p.dev);
      const vm = await LabVm.start('vm104', `/dev/mapper/${a.name}`);
      const mon = await UeventMonitor.start('/tmp/uevents-agent.log');
      fs.rmSync(LOG, { force: true });
      fs.rmSync(JOURNAL, { force: true });
      fs.mkdirSync('/etc/vmpath', { recursive: true });
      fs.writeFileSync(
        CONFIG,
        `${JSON.stringify({ vms: { vm104: { onAllPathsDown: 'pause' } } }, null, 2)}\n`,
      );
      ctx.fact('multipathd queueing for the map before the agent', queueingOf(a.name));
      const agent = background(
        [
          ...CLI,
          'agent',
          '--config',
          CONFIG,
          '--journal',
          JOURNAL,
          '--json',
          '--poll',
          '600',
          '--rebalance',
          '3600',
          '--notify-socket',
          'none',
        ],
        LOG,
      );
      let reader: ChildProcess | undefined;
      try {
        const t0 = uptime();
        await until(
          'the agent to make multipathd queue for the map',
          () => (queueingOf(a.name) === 'on' ? true : undefined),
          180_000,
          500,
        );
        ctx.fact('agent start -> multipathd queueing on s', Number((uptime() - t0).toFixed(1)));
        assert.match(
          fs.readFileSync(VMPATH_CONF, 'utf8'),
          new RegExp(`wwid "${a.wwid}"[^}]*no_path_retry queue`),
        );
        assert.ok(tableQueues(a.name), 'the kernel table queues while paths are up');
        await sleep(3000); // let the reconcile after the reconfigure finish before failing paths

        const tOff = uptime();
        for (const d of devs) writeAttr(`/sys/block/${d}/device/state`, 'offline');
        // Guest-like direct I/O in the outage: with queueing it waits; it must not fail.
        reader = background(
          ['dd', `if=/dev/mapper/${a.name}`, 'of=/dev/null', 'bs=4096', 'count=16', 'iflag=direct'],
          '/tmp/agent-dd.log',
        );
        const failed = await Promise.all(
          a.paths.map((p) => mon.waitFor('PATH_FAILED', p.devt, tOff, 120_000)),
        );
        const lastFailed = Math.max(...failed.map((e) => e.ts));
        ctx.fact('offline -> last PATH_FAILED s', Number((lastFailed - tOff).toFixed(3)));
        const tPause = await until(
          'the agent to pause the VM',
          () => logged(/pause-vm \(.*\) applied/, tOff),
          180_000,
          200,
        );
        ctx.fact('last PATH_FAILED -> agent paused the VM s', Number((tPause - lastFailed).toFixed(3)));
        ctx.fact('offline -> agent paused the VM s', Number((tPause - tOff).toFixed(3)));
        await sleep(8000); // 4 checker ticks: multipathd used to turn queueing off within ~6 s
        ctx.fact('queue_if_no_path in the table 8 s after the pause', tableQueues(a.name));
        assert.ok(tableQueues(a.name), 'multipathd keeps queueing (no_path_retry queue from vmpath.conf)');
        assert.equal(reader.exitCode, null, 'the outage reader waits (queued), it did not fail');

        const tBack = uptime();
        for (const d of devs) writeAttr(`/sys/block/${d}/device/state`, 'running');
        const back = await mon
          .waitFor('PATH_REINSTATED', a.paths[0]?.devt ?? '', tBack, 120_000)
          .catch(() => undefined);
        const tResume = await until(
          'the agent to resume the VM',
          () => logged(/resume-vm \(.*\) applied/, tBack),
          180_000,
          200,
        );
        if (back) ctx.fact('path back -> PATH_REINSTATED s', Number((back.ts - tBack).toFixed(3)));
        ctx.fact('path back -> agent resumed the VM s', Number((tResume - tBack).toFixed(3)));
        const rd = reader;
        const code = await until('the outage reader to finish', () => rd.exitCode ?? undefined, 60_000, 100);
        ctx.fact('outage reader exit status (0 = no I/O error)', code);
        assert.equal(code, 0, `dd in the outage failed: ${fs.readFileSync('/tmp/agent-dd.log', 'utf8')}`);
        await sleep(3000);
        assert.equal(await vm.status(), 'running');
        assert.ok(dmStatus(a.name).groups.some((g) => g.paths.some((p) => p.state === 'A')));
      } finally {
        await stopAgent(agent);
        save(ctx);
        if (reader && reader.exitCode === null) reader.kill('SIGKILL');
        await mon.stop();
        for (const d of devs) {
          if (fs.readFileSync(`/sys/block/${d}/device/state`, 'utf8').trim() !== 'running')
            writeAttr(`/sys/block/${d}/device/state`, 'running');
        }
        await vm.stop();
      }
      const rel = sh([...CLI, 'release', '--all', '--journal', JOURNAL], {
        allowFail: true,
        timeoutMs: 180_000,
      });
      ctx.save('agent/release.txt', `${rel.stdout}\n${rel.stderr}`);
      assert.equal(rel.status, 0, rel.stderr);
      assert.ok(!fs.existsSync(VMPATH_CONF), 'release removed vmpath.conf');
      await until(
        'multipathd back to its own no_path_retry',
        () => (queueingOf(a.name) === 'off' ? true : undefined),
        60_000,
        500,
      );
    },
  },
];
