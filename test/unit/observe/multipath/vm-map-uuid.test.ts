import fc from 'fast-check';
import { InvalidNameError } from '../../../../agent/model/errors';
import {
  formatVmMapUuid,
  isVmMapUuid,
  parseVmMapUuid,
  wwidFromMpathUuid,
} from '../../../../agent/observe/multipath/vm-map-uuid';

describe('per-VM map uuids', () => {
  it('formats and splits `vmpath-<vm>-<wwid>`', () => {
    const uuid = formatVmMapUuid('101', '1Linux_scsi_debug_2000');
    expect(uuid).toBe('vmpath-101-1Linux_scsi_debug_2000');
    expect(isVmMapUuid(uuid)).toBe(true);
    expect(parseVmMapUuid(uuid, ['1Linux_scsi_debug_2000'])).toEqual({
      vmId: '101',
      wwid: '1Linux_scsi_debug_2000',
    });
  });

  it('splits VM names containing dashes by the known WWIDs, preferring the longest match', () => {
    expect(parseVmMapUuid('vmpath-web-01-3600a0b8-77', ['77', '3600a0b8-77'])).toEqual({
      vmId: 'web-01',
      wwid: '3600a0b8-77',
    });
  });

  it('falls back to the first dash when no WWID is known, and rejects other uuids', () => {
    expect(parseVmMapUuid('vmpath-101-abc', [])).toEqual({ vmId: '101', wwid: 'abc' });
    expect(parseVmMapUuid('mpath-abc', ['abc'])).toBeUndefined();
    expect(parseVmMapUuid('vmpath-101', [])).toBeUndefined();
    expect(parseVmMapUuid('vmpath--abc', [])).toBeUndefined();
  });

  it('refuses VM ids and WWIDs that cannot form a uuid', () => {
    expect(() => formatVmMapUuid('../x', 'abc')).toThrow(InvalidNameError);
    expect(() => formatVmMapUuid('101', '')).toThrow(InvalidNameError);
    expect(() => formatVmMapUuid('101', 'a b')).toThrow(InvalidNameError);
    expect(() => formatVmMapUuid('101', 'w'.repeat(200))).toThrow(InvalidNameError);
  });

  it('reads the WWID of a multipathd map uuid', () => {
    expect(wwidFromMpathUuid('mpath-1Linux_scsi_debug_2000')).toBe('1Linux_scsi_debug_2000');
    expect(wwidFromMpathUuid('part1-mpath-1Linux_scsi_debug_2000')).toBeUndefined();
    expect(wwidFromMpathUuid('mpath-')).toBeUndefined();
  });

  it('round-trips any valid VM id with any WWID the host knows', () => {
    const vmId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/).filter((s) => !s.includes('..'));
    const wwid = fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/);
    fc.assert(
      fc.property(
        vmId,
        wwid,
        fc.array(fc.stringMatching(/^[A-Za-z0-9_]{1,10}$/), { maxLength: 3 }),
        (v, w, others) => {
          expect(parseVmMapUuid(formatVmMapUuid(v, w), [...others, w])).toEqual({ vmId: v, wwid: w });
        },
      ),
    );
  });
});
