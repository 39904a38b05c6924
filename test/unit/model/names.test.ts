import fc from 'fast-check';
import {
  validateBlockDevName,
  validateCgroupPath,
  validateDevT,
  validateDmName,
  validateVmId,
  InvalidNameError,
} from '../../../agent/model';

describe('name validation', () => {
  it.each(['sda', 'dm-0', 'nvme0n1', 'loop7', 'vdb'])('accepts block device %s', (n) =>
    expect(validateBlockDevName(n)).toBe(n),
  );
  it.each(['../sda', 'sda/../../etc', 'SDA', '', 'sd a', 'a'.repeat(40), 'sda\n'])(
    'rejects block device %j',
    (n) => expect(() => validateBlockDevName(n)).toThrow(InvalidNameError),
  );
  it.each(['mpatha', 'pve-vm--101--disk--0', '3600a098038303053453f463045727a6b', 'mpatha-vm101'])(
    'accepts dm name %s',
    (n) => expect(validateDmName(n)).toBe(n),
  );
  it.each(['-x', 'a/b', '..', 'a b', "a'b", 'a;rm'])('rejects dm name %j', (n) =>
    expect(() => validateDmName(n)).toThrow(InvalidNameError),
  );
  it('devT and vm ids', () => {
    expect(validateDevT('253:12')).toBe('253:12');
    expect(() => validateDevT('253:')).toThrow(InvalidNameError);
    expect(validateVmId('101')).toBe('101');
    expect(() => validateVmId('101/../x')).toThrow(InvalidNameError);
  });
  it('cgroup paths are absolute with no traversal', () => {
    expect(validateCgroupPath('/qemu.slice/101.scope')).toBe('/qemu.slice/101.scope');
    expect(validateCgroupPath('/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope')).toContain('x2d');
    expect(() => validateCgroupPath('qemu.slice')).toThrow(InvalidNameError);
    expect(() => validateCgroupPath('/a/../b')).toThrow(InvalidNameError);
  });
  it('no accepted name contains a slash, NUL, newline or ..', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        for (const v of [validateBlockDevName, validateDmName, validateVmId]) {
          let ok = false;
          try {
            v(s);
            ok = true;
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidNameError);
          }
          if (ok) expect(/[/\0\n]|\.\./.test(s)).toBe(false);
        }
      }),
    );
  });
});
