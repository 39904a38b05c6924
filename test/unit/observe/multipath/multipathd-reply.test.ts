import type { VmpathError } from '../../../../agent/model/errors';
import {
  MultipathdBadCommandError,
  MultipathdFailError,
  MultipathdPermissionError,
  MultipathdTimeoutError,
  MultipathdUnreachableError,
} from '../../../../agent/model/errors';
import type { CommandResult } from '../../../../agent/model/seams';
import {
  checkMultipathdReply,
  expectMultipathdOk,
} from '../../../../agent/observe/multipath/multipathd-reply';
import { fixture } from './fixture';

const argv = ['multipathd', 'switchgroup', 'map', 'mpatha', 'group', '2'];
const res = (stdout: string, exitCode = 0, stderr = ''): CommandResult => ({ stdout, stderr, exitCode });
const HELP_094 =
  'multipath-tools v0.9.4 (12/19, 2022)\nCLI commands reference:\n list|show paths\n list|show maps|multipaths\n';

describe('multipathd replies', () => {
  it('returns the data of a real `show maps json` reply unchanged', () => {
    expect(checkMultipathdReply(['multipathd', 'show', 'maps', 'json'], res(fixture('maps.json')))).toBe(
      fixture('maps.json'),
    );
  });

  it.each(['switchgroup.txt', 'cli-fail.txt', 'cli-reinstate.txt', 'reconfigure.txt'])(
    'real %s reply is ok',
    (f) => {
      expect(() => expectMultipathdOk(argv, res(fixture(f)))).not.toThrow();
    },
  );

  it.each<[string, CommandResult, new (...a: never[]) => VmpathError, boolean]>([
    ['0.9.4 fail', res('fail\n', 1), MultipathdFailError, false],
    ['newer: map in use', res('map or partition in use\n', 1), MultipathdFailError, false],
    ['newer: device not found', res('device not found\n', 1), MultipathdFailError, false],
    ['0.9.4 timeout (exit 0)', res('timeout\n'), MultipathdTimeoutError, true],
    ['client timeout', res('timeout receiving packet\n', 1), MultipathdTimeoutError, true],
    [
      '0.9.4 permission (exit 0)',
      res('permission deny: need to be root\n'),
      MultipathdPermissionError,
      false,
    ],
    ['0.9.4 unknown command: help text, exit 0', res(HELP_094), MultipathdBadCommandError, false],
    [
      'missing argument',
      res(`switchgroup map mpatha group: Missing argument\n${HELP_094}`, 0),
      MultipathdBadCommandError,
      false,
    ],
    [
      'newer: not found + help, exit 1',
      res(`frobnicate: not found\n${HELP_094}`, 1),
      MultipathdBadCommandError,
      false,
    ],
    // the shape 0.9.4 sent in the lab for `multipathd frobnicate`: the command, a line break, `: not found`
    [
      '0.9.4 unknown command as seen live',
      res(`frobnicate \n: not found\n${HELP_094}`),
      MultipathdBadCommandError,
      false,
    ],
    ['0.9.4 no daemon: exit 1, no output', res('', 1), MultipathdUnreachableError, true],
    [
      'newer no daemon',
      res('', 1, 'ERROR: failed to connect to multipathd\n'),
      MultipathdUnreachableError,
      true,
    ],
    ['send failed', res('cannot send packet\n', 1), MultipathdUnreachableError, true],
    ['receive failed', res('error -104 receiving packet\n', 1), MultipathdUnreachableError, true],
    ['other non-zero exit', res('something odd\n', 3), MultipathdFailError, false],
  ])('%s', (_name, result, ErrorClass, retryable) => {
    let err: unknown;
    try {
      checkMultipathdReply(argv, result);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ErrorClass);
    expect((err as VmpathError).retryable).toBe(retryable);
    expect((err as VmpathError).details.argv).toEqual(argv);
    expect((err as VmpathError).message).toContain('multipathd switchgroup map mpatha group 2');
  });

  it.each<[string, number, string]>([
    ['lab-observe/multipathd-unknown-command.txt', 0, 'VMPATH_E_MULTIPATHD_BAD_COMMAND'],
    ['lab-observe/multipathd-switchgroup-unknown-map.txt', 1, 'VMPATH_E_MULTIPATHD_FAIL'],
  ])('live reply %s (exit %d) is %s', (file, exitCode, code) => {
    expect(() => checkMultipathdReply(argv, res(fixture(file), exitCode))).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('data lines that look like error words are not errors', () => {
    const config = 'defaults {\n\tverbosity 2\n}\nfail\ntimeout\n';
    expect(checkMultipathdReply(['multipathd', 'show', 'config'], res(config))).toBe(config);
  });

  it('expectMultipathdOk refuses a reply that is not "ok"', () => {
    expect(() => expectMultipathdOk(argv, res('switched\n'))).toThrow(MultipathdFailError);
  });
});
