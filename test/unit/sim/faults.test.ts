/**
 * Faults change what the host shows the way the real stack does: the kernel fails paths under
 * I/O at once, multipathd's checker finds idle failures and reinstates; failback policies,
 * switchgroup and reconfigure behave as measured in the lab.
 */
import { createSimHost, demoSpec, fixtureSpec, type SimHost, type SimUevent } from '../../../agent/sim';

let host: SimHost;
afterEach(() => host.dispose());
const run = (cmd: string): string => host.runner.runSync(cmd.split(' ')).stdout;
const statusOf = (map: string): string => run(`dmsetup status ${map}`);
const jsonMap = (map: string) => JSON.parse(run(`multipathd show map ${map} json`)).map;

describe('demo host', () => {
  let events: SimUevent[];
  beforeEach(() => {
    host = createSimHost({ ...demoSpec(), events: [] });
    events = [];
    host.on('uevent', (e) => events.push(e));
    host.tick(500);
  });

  test('fabric A fails: paths on A fail under I/O at once; sysfs, JSON and status show it', async () => {
    // mpatha: failover groups [sda (a0)] [sdm (b0)] [sdg (a1)] [sds (b1)], best first.
    expect(statusOf('mpatha')).toMatch(/ 4 1 A 0 1 2 8:0 A 0 0 1 E /);
    host.inject({ fail: 'A' });
    host.tick(100);
    expect(statusOf('mpatha')).toMatch(/ 4 2 E 0 1 2 8:0 F 1 0 1 A 0 1 2 8:192 A 0 0 1 /);
    const failed = events.filter((e) => e.DM_ACTION === 'PATH_FAILED' && e.DM_NAME === 'mpatha');
    expect(failed.map((e) => e.DM_PATH)).toEqual(['8:0']);
    expect(failed[0]?.timeMs).toBe(600);
    expect(await host.fs.readFile('/sys/block/sda/device/state')).toBe('transport-offline\n');
    expect(await host.fs.readFile('/sys/class/fc_remote_ports/rport-0:0-0/port_state')).toBe('Blocked\n');
    host.tick(2000);
    const sda = jsonMap('mpatha').path_groups[0].paths[0];
    expect([sda.dm_st, sda.chk_st, sda.dev_st]).toEqual(['failed', 'faulty', 'offline']);
    // Paths of A in groups without I/O are failed by the checker within a polling interval.
    expect(statusOf('mpatha')).toMatch(/8:96 F 1 /);
    const m = host.metrics();
    expect(m.paths.filter((p) => p.fabric === 'A').every((p) => p.throughputMBps === 0)).toBe(true);
    expect(m.vms.every((v) => v.errors === 0)).toBe(true);
  });

  test('fabric A returns: the checker reinstates; failback immediate returns, manual stays', () => {
    host.inject({ fail: 'A' });
    host.tick(3000);
    host.inject({ restore: 'A' });
    host.tick(3000);
    expect(events.some((e) => e.DM_ACTION === 'PATH_REINSTATED' && e.DM_PATH === '8:0')).toBe(true);
    expect(statusOf('mpatha')).toMatch(/ 4 1 A 0 1 2 8:0 A 1 /); // immediate: back on group 1
    expect(statusOf('mpathd')).not.toMatch(/ 4 1 A /); // manual: stays where failover put it
    expect(jsonMap('mpatha').switch_grp).toBe(1);
  });

  test('switchgroup: undone ~0.7 s later on failback immediate, kept on manual and after reconfigure', async () => {
    expect(run('multipathd switchgroup map mpatha group 3')).toBe('ok\n');
    expect(run('multipathd switchgroup map mpathd group 3')).toBe('ok\n');
    host.tick(100);
    expect(statusOf('mpatha')).toMatch(/ 4 3 E 0 1 2 8:0 A 0 0 1 E 0 1 2 \S+ A 0 0 1 A /);
    host.tick(500);
    expect(statusOf('mpatha')).toMatch(/ 4 3 /);
    host.tick(200);
    expect(statusOf('mpatha')).toMatch(/ 4 1 /);
    host.tick(5000);
    expect(statusOf('mpathd')).toMatch(/ 4 3 /);
    // vmpath makes mpatha manual in its conf.d file; after reconfigure a switch sticks.
    const wwid = demoSpec().luns[0]?.wwid;
    await host.fs.writeFile(
      '/etc/multipath/conf.d/vmpath.conf',
      `multipaths {\n\tmultipath {\n\t\twwid "${wwid}"\n\t\tfailback manual\n\t}\n}\n`,
    );
    expect(run('multipathd reconfigure')).toBe('ok\n');
    expect(jsonMap('mpatha').failback).toBe('-');
    expect(statusOf('mpathd')).toMatch(/ 4 1 /); // reconfigure reset the choice
    run('multipathd switchgroup map mpatha group 2');
    host.tick(5000);
    expect(statusOf('mpatha')).toMatch(/ 4 2 E 0 1 2 8:0 A 0 0 1 A /);
  });

  test('vmpath.conf path_selector: reconfigure rebuilds the table with it; without the entry the LUN selector is back', async () => {
    const wwid = demoSpec().luns[0]?.wwid;
    const table = (): string => run('dmsetup table mpatha');
    expect(table()).toMatch(/ service-time 0 /);
    await host.fs.writeFile(
      '/etc/multipath/conf.d/vmpath.conf',
      `multipaths {\n\tmultipath {\n\t\twwid "${wwid}"\n\t\tpath_selector "historical-service-time 0"\n\t}\n}\n`,
    );
    expect(run('multipathd reconfigure')).toBe('ok\n');
    expect(table()).toMatch(/ historical-service-time 0 \d+ 1 8:0 1 /);
    expect(table()).not.toMatch(/service-time 0 \d+ 2/);
    expect(run('dmsetup table mpathd')).toMatch(/ service-time 0 /); // other WWIDs untouched
    await host.fs.writeFile('/etc/multipath/conf.d/vmpath.conf', 'multipaths {\n}\n');
    expect(run('multipathd reconfigure')).toBe('ok\n');
    expect(table()).not.toMatch(/historical/);
  });

  test('all paths of the shared LUN fail: queue_if_no_path queues, nobody sees errors', () => {
    host.inject({ fail: 'mpathf' });
    host.tick(1000);
    const m = host.metrics();
    const batch = m.vms.find((v) => v.id === '105');
    expect(batch?.throughputMBps).toBe(0);
    expect(batch?.queued).toBeGreaterThan(0);
    expect(batch?.errors).toBe(0);
    expect(m.maps.find((x) => x.name === 'mpathf')?.validPaths).toBe(0);
    expect(statusOf('mpathf')).toMatch(/^0 \d+ multipath 2 1 /);
    host.inject({ restore: 'mpathf' });
    host.tick(3000);
    expect(host.metrics().vms.find((v) => v.id === '105')?.throughputMBps).toBeGreaterThan(0);
  });

  test('flapping and path deletion', async () => {
    host.inject({ flap: 'b1', periodS: 1, count: 2 });
    host.tick(4500);
    const h = host.faults.history.map((f) => `${f.timeMs} ${f.op}`);
    expect(h).toEqual(['500 fail', '1500 restore', '2500 fail', '3500 restore']);
    host.inject({ delete: 'sdx' });
    host.tick(100);
    expect(run('dmsetup table mpathf')).not.toContain('65:112');
    expect(await host.fs.exists('/sys/block/sdx')).toBe(false);
    expect(run('multipathd show paths')).not.toContain('sdx');
  });

  test('unknown fault targets are rejected', () => {
    expect(() => host.inject({ fail: 'nosuch' })).toThrow(/matches no path/);
    expect(() => host.inject({ fail: 'A', restore: 'A' })).toThrow(/exactly one/);
  });
});

test('idle paths fail at the next checker tick, not at once', () => {
  host = createSimHost(fixtureSpec());
  const events: SimUevent[] = [];
  host.on('uevent', (e) => events.push(e));
  host.tick(100);
  host.inject({ fail: 'host1' });
  host.tick(100);
  expect(events).toEqual([]);
  host.tick(2100);
  expect(events.map((e) => `${e.DM_ACTION} ${e.DM_PATH}`)).toEqual(['PATH_FAILED 8:16']);
  expect(events[0]?.timeMs).toBeGreaterThan(200);
});

test('without queueing, all paths down means guest-visible errors', () => {
  host = createSimHost({
    ...fixtureSpec(),
    vms: [
      { id: '101', disks: ['mpatha'], workload: { type: 'closed', outstanding: 4, ioKiB: 4, readPct: 50 } },
    ],
  });
  host.tick(200);
  host.inject({ fail: 'all' });
  host.tick(500);
  const vm = host.metrics().vms[0];
  expect(vm?.errors).toBeGreaterThan(0);
  expect(vm?.queued).toBe(0);
});

test('the demo fault plan runs on schedule and loops', () => {
  host = createSimHost(demoSpec());
  host.tick(10_050);
  expect(
    host
      .metrics()
      .links.filter((l) => !l.up)
      .map((l) => l.id),
  ).toEqual(['a0', 'a1']);
  host.tick(15_000);
  expect(host.metrics().links.every((l) => l.up)).toBe(true);
  host.tick(75_000); // 100 s: the plan's second round, 10 s in
  expect(
    host
      .metrics()
      .links.filter((l) => !l.up)
      .map((l) => l.id),
  ).toEqual(['a0', 'a1']);
});

test('with pgInitMs, I/O waits for the path-group initialisation after a switch', () => {
  host = createSimHost({ ...demoSpec(), events: [] }, { pgInitMs: 350 });
  host.tick(500);
  run('multipathd switchgroup map mpathc group 2');
  host.tick(100);
  expect(statusOf('mpathc')).toMatch(/^0 \d+ multipath 2 1 1 0 4 2 E 0 1 2 \S+ A 0 0 1 A /);
  expect(host.metrics().maps.find((m) => m.name === 'mpathc')?.throughputMBps).toBe(0);
  expect(host.metrics().vms.find((v) => v.id === '103')?.queued).toBeGreaterThan(0);
  host.tick(400); // the initialisation began with the first I/O after the command
  expect(statusOf('mpathc')).toMatch(/^0 \d+ multipath 2 0 1 0 4 2 E /);
  expect(host.metrics().maps.find((m) => m.name === 'mpathc')?.throughputMBps).toBeGreaterThan(0);
});
