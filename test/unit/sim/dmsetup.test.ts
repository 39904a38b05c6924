/**
 * Per-VM maps and LV moves through dmsetup, as DESIGN §3.2 measured them: created over the same
 * path devices, ignored by multipathd, carrying the VM's I/O once its LV points at them, and not
 * removable (EBUSY) while an LV sits on them. Errors look like dmsetup's.
 */
import { createSimHost, demoSpec, type SimHost } from '../../../agent/sim';

let host: SimHost;
beforeEach(() => {
  host = createSimHost({ ...demoSpec(), events: [] });
  host.tick(500);
});
afterEach(() => host.dispose());

const dm = (...args: string[]) => host.runner.runSync(['dmsetup', ...args]);
const mpd = (cmd: string) => host.runner.runSync(['multipathd', ...cmd.split(' ')]);
const LV = 'sanvg-vm--103--disk--1';
const WWID = '3600a098038314b6d4a2b4f3f35';

/** mpathf (253:5) groups: [sdl 8:176, sdx 65:112] (a1, b1) then [sdf 8:80, sdr 65:16] (a0, b0). */
function perVmTable(): string {
  const size = host.runner.runSync(['dmsetup', 'table', 'mpathf']).stdout.split(' ')[1];
  return `0 ${size} multipath 0 0 2 1 service-time 0 2 2 8:80 1 1 65:16 1 1 service-time 0 2 2 8:176 1 1 65:112 1 1`;
}

test('create a per-VM map, move the LV onto it, remove is EBUSY until it moves back', async () => {
  const r = dm('create', 'mpathf-vm103', '--uuid', `vmpath-103-${WWID}`, '--table', perVmTable());
  expect(r).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  expect(dm('ls', '--target', 'multipath').stdout).toContain('mpathf-vm103\t(253:11)\n');
  expect(dm('table', 'mpathf-vm103').stdout).toBe(`${perVmTable()} \n`);
  expect(dm('status', '--target', 'multipath').stdout).toMatch(
    /^mpathf-vm103: 0 \d+ multipath 2 0 1 0 2 1 E /m,
  );
  expect(mpd('show maps json').stdout).not.toContain('mpathf-vm103');
  expect(await host.fs.readFile('/sys/block/dm-11/dm/uuid')).toBe(`vmpath-103-${WWID}\n`);
  expect(await host.fs.readdir('/sys/block/dm-11/slaves')).toEqual(['sdf', 'sdl', 'sdr', 'sdx']);
  expect(await host.fs.readdir('/sys/block/sdf/holders')).toEqual(['dm-11', 'dm-5']);

  // Move the LV: suspend, load a linear table over the per-VM map, resume.
  const lvTable = dm('table', LV).stdout.trim();
  const [start, len, , , offset] = lvTable.split(' ');
  expect(dm('suspend', LV).exitCode).toBe(0);
  expect(await host.fs.readFile('/sys/block/dm-8/dm/suspended')).toBe('1\n');
  expect(dm('info', '-c', LV).stdout).toMatch(/ L-sw /);
  expect(dm('load', LV, '--table', `${start} ${len} linear 253:11 ${offset}`).exitCode).toBe(0);
  expect(dm('info', LV).stdout).toContain('Tables present:    LIVE & INACTIVE');
  expect(dm('resume', LV).exitCode).toBe(0);
  expect(dm('table', LV).stdout).toBe(`0 ${len} linear 253:11 ${offset}\n`);
  expect(await host.fs.readdir('/sys/block/dm-11/holders')).toEqual(['dm-8']);
  host.tick(500);
  const m = host.metrics();
  expect(m.maps.find((x) => x.name === 'mpathf-vm103')?.throughputMBps).toBeGreaterThan(0);
  expect(m.maps.find((x) => x.name === 'mpathf-vm103')?.owner).toBe('vmpath');
  // The per-VM map's first group is a0/b0 (sdf, sdr): web01's I/O goes there now.
  expect(dm('status', 'mpathf-vm103').stdout).toMatch(/ 2 1 A 0 2 2 8:80 A 0 0 1 65:16 A 0 0 1 E /);

  const busy = dm('remove', 'mpathf-vm103');
  expect(busy).toEqual({
    exitCode: 1,
    stdout: '',
    stderr: 'device-mapper: remove ioctl on mpathf-vm103  failed: Device or resource busy\nCommand failed.\n',
  });
  dm('suspend', LV);
  dm('load', LV, '--table', `${start} ${len} linear 253:5 ${offset}`);
  dm('resume', LV);
  expect(dm('remove', 'mpathf-vm103').exitCode).toBe(0);
  expect(await host.fs.exists('/sys/block/dm-11')).toBe(false);
  expect(await host.fs.exists('/dev/mapper/mpathf-vm103')).toBe(false);
  expect(await host.fs.readdir('/sys/block/sdf/holders')).toEqual(['dm-5']);
});

test('per-VM maps: the kernel fails paths under I/O; multipathd never reinstates them', async () => {
  dm('create', 'mpathf-vm103', '--uuid', `vmpath-103-${WWID}`, '--table', perVmTable());
  const [start, len, , , offset] = dm('table', LV).stdout.trim().split(' ');
  dm('suspend', LV);
  dm('load', LV, '--table', `${start} ${len} linear 253:11 ${offset}`);
  dm('resume', LV);
  const events: string[] = [];
  host.on('uevent', (e) => events.push(`${e.DM_ACTION} ${e.DM_NAME} ${e.DM_PATH}`));
  await host.fs.writeFile('/sys/block/sdf/device/state', 'offline\n');
  host.tick(100);
  expect(events).toContain('PATH_FAILED mpathf-vm103 8:80');
  host.tick(3000); // multipathd's checker fails it in its own (idle on that group) map
  expect(events).toContain('PATH_FAILED mpathf 8:80');
  await host.fs.writeFile('/sys/block/sdf/device/state', 'running\n');
  host.tick(5000);
  expect(events).toContain('PATH_REINSTATED mpathf 8:80'); // multipathd's own map
  expect(events).not.toContain('PATH_REINSTATED mpathf-vm103 8:80');
  expect(dm('status', 'mpathf-vm103').stdout).toMatch(/8:80 F 1 /);
  // vmpath mirrors the state with a message; then the path carries I/O again.
  expect(dm('message', 'mpathf-vm103', '0', 'reinstate_path', '8:80').exitCode).toBe(0);
  expect(dm('status', 'mpathf-vm103').stdout).toMatch(/8:80 A 1 /);
  expect(dm('message', 'mpathf-vm103', '0', 'switch_group', '2').exitCode).toBe(0);
  expect(dm('status', 'mpathf-vm103').stdout).toMatch(/ 2 2 E /);
});

test('dmsetup and multipathd errors look like the real ones', () => {
  expect(dm('table', 'nosuch')).toEqual({
    exitCode: 1,
    stdout: '',
    stderr: 'device-mapper: table ioctl on nosuch  failed: No such device or address\nCommand failed.\n',
  });
  expect(
    dm('create', 'bad', '--uuid', 'vmpath-1-x', '--table', '0 10 multipath 0 0 1 1 nosel 0 1 1 8:0 1').stderr,
  ).toBe('device-mapper: reload ioctl on bad  failed: Invalid argument\nCommand failed.\n');
  expect(dm('ls').stdout).not.toContain('bad');
  expect(dm('create', 'mpatha', '--table', '0 8 linear 8:0 0').stderr).toContain(
    'create ioctl on mpatha  failed: Device or resource busy',
  );
  expect(dm('message', 'mpatha', '0', 'fail_path', '9:9').exitCode).toBe(1);
  expect(dm('frobnicate').exitCode).toBe(1);
  expect(mpd('switchgroup map nosuch group 1')).toEqual({ exitCode: 1, stdout: 'fail\n', stderr: '' });
  expect(mpd('switchgroup map mpatha group 9').stdout).toBe('fail\n');
  expect(mpd('fail path sdzz').stdout).toBe('fail\n');
  const help = mpd('show frobs');
  expect(help.exitCode).toBe(0);
  expect(help.stdout.split('\n').slice(0, 2)).toEqual([
    'multipath-tools v0.9.4 (12/19, 2022)',
    'CLI commands reference:',
  ]);
  expect(() => host.runner.runSync(['lsblk'])).toThrow(/not found/);
});

test('dmsetup info, ls and table listings cover every dm device', () => {
  const ls = dm('ls').stdout.trim().split('\n');
  expect(ls).toHaveLength(11);
  expect(ls[0]).toBe('mpatha\t(253:0)');
  const info = dm('info', 'mpathf').stdout;
  expect(info).toBe(
    [
      'Name:              mpathf',
      'State:             ACTIVE',
      'Read Ahead:        256',
      'Tables present:    LIVE',
      'Open count:        5',
      'Event number:      0',
      'Major, minor:      253, 5',
      'Number of targets: 1',
      `UUID: mpath-${WWID}`,
      '',
    ].join('\n'),
  );
  expect(dm('table').stdout).toMatch(/^sanvg-vm--101--disk--2: 0 16777216 linear 253:5 2048$/m);
  expect(dm('status', LV).stdout).toMatch(/^0 \d+ linear \n$/);
});

test('devices can be named by path (/dev/mapper/NAME, /dev/dm-N), not by bare kernel name', () => {
  expect(dm('table', '/dev/dm-0').stdout).toBe(dm('table', 'mpatha').stdout);
  expect(dm('table', '/dev/mapper/mpatha').stdout).toBe(dm('table', 'mpatha').stdout);
  expect(dm('table', 'dm-0').exitCode).toBe(1);
});
