/**
 * The simulated 2-path host (scsi_debug over host0/host1, as in the fixtures) must print what
 * multipath-tools 0.9.4 and dmsetup printed on Linux 6.1 in the same state: byte for byte where
 * the state is the same, modulo counters that depend on the lab's history where it is not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSimHost, fixtureSpec, type SimHost, type SimHostSpec } from '../../../agent/sim';

const F = path.join(__dirname, '../../fixtures/multipath-tools-0.9.4/');
const fixture = (name: string): string => fs.readFileSync(F + name, 'utf8');
/** show paths' last column is a live countdown. */
const maskNextCheck = (s: string): string => s.replace(/[X.]{10} \d\/\d$/gm, 'NEXT');
/** Fail counts (status) and path_faults (JSON) depend on what happened before the capture. */
const maskCounts = (s: string): string =>
  s.replace(/(\d+:\d+ [AF]) \d+/g, '$1 N').replace(/"path_faults" : \d+/g, '"path_faults" : N');

const withVm: SimHostSpec = {
  ...fixtureSpec(),
  vms: [
    { id: '101', disks: ['mpatha'], workload: { type: 'closed', outstanding: 1, ioKiB: 4, readPct: 100 } },
  ],
};

let host: SimHost;
const run = (cmd: string): string => host.runner.runSync(cmd.split(' ')).stdout;

afterEach(() => host?.dispose());

describe('healthy failover host', () => {
  beforeEach(() => (host = createSimHost(fixtureSpec())));

  test.each([
    ['multipathd show maps json', 'maps.json'],
    ['multipathd show map mpatha json', 'map-mpatha.json'],
    ['multipathd show maps', 'show-maps.txt'],
    ['multipathd show topology', 'show-topology.txt'],
    ['multipath -ll', 'multipath-ll.txt'],
    ['dmsetup table', 'dmsetup-table.txt'],
    ['dmsetup table --target multipath', 'dmsetup-table.txt'],
    ['dmsetup status', 'dmsetup-status.txt'],
    ['dmsetup info -c', 'dmsetup-info.txt'],
  ])('%s is identical to %s', (cmd, file) => {
    expect(run(cmd)).toBe(fixture(file));
  });

  test('show status and show daemon', () => {
    expect(run('multipathd show status')).toBe(fixture('show-status.txt'));
    expect(run('multipathd show daemon')).toBe(fixture('daemon.txt'));
  });

  test('show paths matches except the next_check countdown', () => {
    expect(maskNextCheck(run('multipathd show paths'))).toBe(maskNextCheck(fixture('show-paths.txt')));
  });

  test('status of one named map has no name prefix', () => {
    const line = fixture('dmsetup-status.txt').replace(/^mpatha: /, '');
    expect(run('dmsetup status --target multipath mpatha')).toBe(line);
  });

  test('multipath -h names the version on its first line (stderr, exit 0)', () => {
    const r = host.runner.runSync(['multipath', '-h']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('multipath-tools v0.9.4 (12/19, 2022)');
  });

  test('queue_if_no_path via dmsetup shows in the table at once, multipathd JSON lags', () => {
    const r = host.runner.runSync(['dmsetup', 'message', 'mpatha', '0', 'queue_if_no_path']);
    expect(r).toEqual({ exitCode: 0, stdout: fixture('queue-on.txt'), stderr: '' });
    expect(run('dmsetup table mpatha')).toMatch(/^0 131072 multipath 1 queue_if_no_path 1 alua /);
    expect(run('multipathd show maps json')).toContain('"queueing" : "off"');
    host.runner.runSync(['dmsetup', 'message', 'mpatha', '0', 'fail_if_no_path']);
    expect(run('dmsetup table')).toBe(fixture('dmsetup-table.txt'));
  });
});

describe('multibus host', () => {
  beforeEach(() => (host = createSimHost(fixtureSpec('multibus'))));
  test('table, status and -ll are identical; JSON matches except action', () => {
    expect(run('dmsetup table')).toBe(fixture('multibus-dmsetup-table.txt'));
    expect(run('dmsetup status')).toBe(fixture('multibus-dmsetup-status.txt'));
    expect(run('multipath -ll')).toBe(fixture('multibus-multipath-ll.txt'));
    expect(run('multipathd show maps json').replace('"action" : "create"', '"action" : ""')).toBe(
      fixture('multibus-maps.json'),
    );
  });
});

describe('faults and operator commands, in the order the fixtures were captured', () => {
  beforeEach(() => (host = createSimHost(withVm)));

  test('offline → reinstated → cli fail → cli reinstate → switchgroup → reconfigure', async () => {
    const events: string[] = [];
    host.on('uevent', (e) => events.push(`${e.DM_ACTION} ${e.DM_NAME} ${e.DM_PATH}`));
    host.tick(500);

    // sda offline with I/O running: the kernel fails it at once and I/O moves to group 2.
    await host.fs.writeFile('/sys/block/sda/device/state', 'offline\n');
    host.tick(100);
    expect(events).toEqual(['PATH_FAILED mpatha 8:0']);
    expect(run('dmsetup status')).toBe(fixture('offline-dmsetup-status.txt'));
    expect(run('multipathd show maps json')).toBe(fixture('offline-maps.json'));
    expect(run('multipath -ll')).toBe(fixture('offline-multipath-ll.txt'));
    // multipathd's JSON still has the sysfs state of its last check; its next check (within 1 s,
    // as it schedules after a failure) reads `offline`, which show paths then prints.
    host.tick(1000);
    expect(maskNextCheck(run('multipathd show paths'))).toBe(
      maskNextCheck(fixture('offline-show-paths.txt')),
    );
    expect(await host.fs.readFile('/sys/block/sda/device/state')).toBe('offline\n');

    // Back to running: the checker reinstates it; failback manual keeps group 2.
    await host.fs.writeFile('/sys/block/sda/device/state', 'running\n');
    host.tick(2500);
    expect(events[1]).toBe('PATH_REINSTATED mpatha 8:0');
    expect(run('dmsetup status')).toBe(fixture('reinstated-dmsetup-status.txt'));

    // multipathd fail path sdb: failed at once (group 2 stays current until the next I/O).
    expect(run('multipathd fail path sdb')).toBe(fixture('cli-fail.txt'));
    expect(maskCounts(run('dmsetup status'))).toBe(maskCounts(fixture('cli-fail-dmsetup-status.txt')));
    // The next I/O goes to group 1 (the JSON fixture was taken after it); the checker has not
    // looked again yet, so sdb is still failed/faulty.
    host.tick(100);
    expect(maskCounts(run('multipathd show maps json'))).toBe(maskCounts(fixture('cli-fail-maps.json')));
    // The checker reinstates it within ~1 s; failback manual leaves I/O on group 1.
    host.tick(1400);
    expect(maskCounts(run('dmsetup status'))).toBe(maskCounts(fixture('cli-reinstate-dmsetup-status.txt')));

    // switchgroup: both groups read E until the next I/O; only next group changes.
    expect(run('multipathd switchgroup map mpatha group 2')).toBe(fixture('switchgroup.txt'));
    expect(maskCounts(run('dmsetup status mpatha'))).toBe(
      maskCounts(fixture('switchgroup-dmsetup-status.txt')),
    );
    expect(maskCounts(run('multipathd show maps json'))).toBe(maskCounts(fixture('switchgroup-maps.json')));
    expect(run('multipath -ll')).toBe(fixture('switchgroup-multipath-ll.txt'));
    host.tick(100);
    expect(run('dmsetup status mpatha')).toMatch(/ 2 2 E 0 1 2 8:0 A \d+ 0 1 A 0 1 2 8:16 /);

    // reconfigure resets the group choice to priority order.
    expect(run('multipathd reconfigure')).toBe(fixture('reconfigure.txt'));
    expect(run('dmsetup status mpatha')).toMatch(/^0 131072 multipath 2 0 1 0 2 1 E 0 1 2 8:0 A 0 0 1 E /);
    host.tick(100);
    expect(run('dmsetup status mpatha')).toMatch(/^0 131072 multipath 2 0 1 0 2 1 A /);
    expect(run('multipathd show maps json')).toContain('"map_loads" : 2');
  });
});
