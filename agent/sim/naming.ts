/**
 * Kernel naming rules the simulator follows: sd disk names and their MAJ:MIN (drivers/scsi/sd.c),
 * LVM's dm names and uuids, LUN numbers in multipathd's `lun_hex`, and a seeded PRNG.
 */

/** sd disk name for a discovery index: 0 → sda, 25 → sdz, 26 → sdaa, ... */
export function sdName(index: number): string {
  let n = index;
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return 'sd' + s;
}

const SD_MAJORS = [8, 65, 66, 67, 68, 69, 70, 71, 128, 129, 130, 131, 132, 133, 134, 135];

/** sd MAJ:MIN for a discovery index: 16 disks per major, extended minors beyond 256 disks. */
export function sdDevT(index: number): string {
  const major = SD_MAJORS[(index & 0xf0) >> 4] as number;
  const minor = ((index & 0xf) << 4) | (index & 0xfff00);
  return `${major}:${minor}`;
}

/** LVM's dm name: VG and LV with `-` doubled, joined by `-`. */
export function lvDmName(vg: string, lv: string): string {
  return `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
}

/** SCSI LUN as multipathd prints `lun_hex` (single-level LUN addressing). */
export function lunHex(lun: number): string {
  const first = lun < 256 ? lun : 0x4000 | lun;
  return '0x' + first.toString(16).padStart(4, '0') + '000000000000';
}

/** mulberry32: small, fast, deterministic. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UUID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An LVM-style 32 character uuid (as in dm uuids `LVM-<vg><lv>`). */
export function lvmUuid(rng: () => number): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += UUID_CHARS[Math.floor(rng() * UUID_CHARS.length)];
  return s;
}

/** multipathd alias for a LUN index with user_friendly_names: mpatha, ..., mpathz, mpathaa. */
export function mpathAlias(index: number): string {
  return 'mpath' + sdName(index).slice(2);
}

/** Size as multipath -ll prints it: KiB-based units, one decimal below 10. */
export function formatSize(sectors: number): string {
  let s = sectors / 2;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let u = 0;
  while (s >= 1024 && u < units.length - 1) {
    s /= 1024;
    u++;
  }
  return `${s.toFixed(s < 10 ? 1 : 0)}${units[u]}`;
}
