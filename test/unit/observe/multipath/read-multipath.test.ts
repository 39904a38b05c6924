import {
  CommandFailedError,
  CommandNotFoundError,
  NoDeviceMapperError,
} from '../../../../agent/model/errors';
import { ReplayCommandRunner } from '../../../../agent/os/replay-runner';
import {
  readMultipathOutputs,
  readMultipathToolsVersion,
} from '../../../../agent/observe/multipath/read-multipath';
import { fixture } from './fixture';

const NO_DM_STDERR =
  '/dev/mapper/control: open failed: No such device\nFailure to communicate with kernel device-mapper driver.\nCheck that device-mapper is available in the kernel.\nCommand failed.\n';

describe('reading dm-multipath through the command seam', () => {
  it('runs the contract commands in order and parses real output', async () => {
    const runner = new ReplayCommandRunner({
      'dmsetup table --target multipath': fixture('dmsetup-table.txt'),
      'dmsetup status --target multipath': fixture('dmsetup-status.txt'),
      'multipathd show maps json': fixture('maps.json'),
    });
    const r = await readMultipathOutputs(runner);
    expect(runner.calls.map((c) => c.join(' '))).toEqual([
      'dmsetup table --target multipath',
      'dmsetup status --target multipath',
      'multipathd show maps json',
    ]);
    expect(r.tableLines.map((l) => l.name)).toEqual(['mpatha']);
    expect(r.statusLines.map((l) => l.name)).toEqual(['mpatha']);
    expect(r.multipathd?.maps.map((m) => m.name)).toEqual(['mpatha']);
    expect(r.diagnostics).toEqual([]);
  });

  it('multipathd not answering is a diagnostic, not a failure', async () => {
    const r = await readMultipathOutputs(
      new ReplayCommandRunner({
        'dmsetup table --target multipath': 'No devices found\n',
        'dmsetup status --target multipath': 'No devices found\n',
        'multipathd show maps json': { exitCode: 1, stdout: '', stderr: '' },
      }),
    );
    expect(r.tableLines).toEqual([]);
    expect(r.multipathd).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({
        level: 'warn',
        subject: 'multipathd',
        code: 'VMPATH_E_MULTIPATHD_UNREACHABLE',
      }),
    ]);
  });

  it('garbled multipathd JSON is a VMPATH_E_PARSE diagnostic', async () => {
    const r = await readMultipathOutputs(
      new ReplayCommandRunner({
        'dmsetup table --target multipath': '',
        'dmsetup status --target multipath': '',
        'multipathd show maps json': '{"major_version": 0,',
      }),
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['VMPATH_E_PARSE']);
  });

  it('a kernel without device-mapper throws NoDeviceMapperError; other dmsetup failures CommandFailedError', async () => {
    await expect(
      readMultipathOutputs(
        new ReplayCommandRunner({
          'dmsetup table --target multipath': { exitCode: 1, stdout: '', stderr: NO_DM_STDERR },
        }),
      ),
    ).rejects.toBeInstanceOf(NoDeviceMapperError);
    await expect(
      readMultipathOutputs(
        new ReplayCommandRunner({
          'dmsetup table --target multipath': '',
          'dmsetup status --target multipath': { exitCode: 1, stdout: '', stderr: 'Command failed.\n' },
        }),
      ),
    ).rejects.toBeInstanceOf(CommandFailedError);
  });

  it('a missing dmsetup propagates CommandNotFoundError', async () => {
    await expect(readMultipathOutputs(new ReplayCommandRunner({}))).rejects.toBeInstanceOf(
      CommandNotFoundError,
    );
  });

  it('reads the version from the banner `multipath -h` prints on stderr', async () => {
    const v = await readMultipathToolsVersion(
      new ReplayCommandRunner({
        'multipath -h': { exitCode: 0, stdout: '', stderr: 'multipath-tools v0.9.4 (12/19, 2022)\nUsage:\n' },
      }),
    );
    expect(v.version).toBe('0.9.4');
  });
});
