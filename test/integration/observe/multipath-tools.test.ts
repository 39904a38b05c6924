/**
 * The multipath readers against the real multipath-tools and dmsetup binaries of this machine
 * (Debian 12: multipath-tools 0.9.4, dmsetup 1.02.185). The CI machine's kernel has no
 * device-mapper and no multipathd runs, so this checks the error paths for real; on a host
 * with device-mapper it checks that real output parses.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MultipathdUnreachableError, NoDeviceMapperError } from '../../../agent/model/errors';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import {
  DMSETUP_STATUS,
  DMSETUP_TABLE,
  readMultipathOutputs,
  readMultipathToolsVersion,
  runDmsetup,
} from '../../../agent/observe/multipath/read-multipath';
import { parseDmsetupLines } from '../../../agent/observe/multipath/dmsetup-lines';
import { checkMultipathdReply } from '../../../agent/observe/multipath/multipathd-reply';

function requireProgram(path: string, pkg: string): void {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: install the Debian package ${pkg} (scripts/install-test-deps does, as root)`,
    );
  }
}

const runner = new ProcessCommandRunner(10_000);
/** Whether this kernel has device-mapper (dm_mod loaded or built in). */
const kernelHasDm = existsSync('/sys/module/dm_mod') || existsSync('/sys/class/misc/device-mapper');

describe('multipath-tools and dmsetup on this machine', () => {
  beforeAll(() => {
    requireProgram('/usr/sbin/multipath', 'multipath-tools');
    requireProgram('/usr/sbin/multipathd', 'multipath-tools');
    requireProgram('/usr/sbin/dmsetup', 'dmsetup');
  });

  it('the version from `multipath -h` is the installed package version', async () => {
    const v = await readMultipathToolsVersion(runner);
    const pkg = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'multipath-tools'], {
      encoding: 'utf8',
    });
    expect(pkg.startsWith(`${v.version}-`)).toBe(true);
  });

  it(`dmsetup: ${kernelHasDm ? 'real output parses' : 'no device-mapper gives NoDeviceMapperError'}`, async () => {
    if (kernelHasDm) {
      const table = await runDmsetup(runner, DMSETUP_TABLE);
      const status = await runDmsetup(runner, DMSETUP_STATUS);
      const names = (t: string): string[] => parseDmsetupLines(t, 'dmsetup').map((l) => l.name);
      expect(names(status)).toEqual(names(table));
    } else {
      const err = await runDmsetup(runner, DMSETUP_TABLE).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoDeviceMapperError);
      await expect(readMultipathOutputs(runner)).rejects.toBeInstanceOf(NoDeviceMapperError);
    }
  });

  it('multipathd: its JSON parses when it runs, else VMPATH_E_MULTIPATHD_UNREACHABLE', async () => {
    const reply = await runner.run(['multipathd', 'show', 'maps', 'json']);
    if (reply.exitCode === 0) {
      if (!kernelHasDm) throw new Error('multipathd answered on a kernel without device-mapper?');
      const r = await readMultipathOutputs(runner);
      expect(r.multipathd).toBeDefined();
      expect(r.diagnostics).toEqual([]);
    } else {
      expect(() => checkMultipathdReply(['multipathd', 'show', 'maps', 'json'], reply)).toThrow(
        MultipathdUnreachableError,
      );
    }
  });
});
