/**
 * Pure parsers for block-layer sysfs attributes: `dev`, `stat`, `inflight`, and the dm uuid
 * conventions that tell what a dm device is (multipath map, kpartx partition, LVM LV, vmpath
 * per-VM map). Malformed input throws ParseError (details name the source).
 */
import { ParseError } from '../../model/errors';
import type { DevT, IoCounters } from '../../model/snapshot';

const DEV_T = /^(\d{1,4}):(\d{1,7})$/;

/** `/sys/block/X/dev`: `MAJ:MIN\n`. */
export function parseDevT(raw: string, source = 'dev'): DevT {
  const text = raw.trim();
  if (!DEV_T.test(text)) throw new ParseError(`${source}: not MAJ:MIN`, { source, text: text.slice(0, 40) });
  return text;
}

function numbers(raw: string, source: string): number[] {
  const fields = raw.trim().split(/\s+/);
  if (fields.length === 1 && fields[0] === '') return [];
  return fields.map((f, i) => {
    if (!/^\d{1,20}$/.test(f))
      throw new ParseError(`${source}: field ${i + 1} is not a number`, { source, field: i + 1 });
    return Number(f);
  });
}

/**
 * `/sys/block/X/stat`: 11 fields (before 4.18), 15 (+discard, 4.18) or 17 (+flush, 5.5); more are
 * tolerated for future kernels, fewer than 11 throw.
 */
export function parseBlockStat(raw: string, source = 'stat'): IoCounters {
  const f = numbers(raw, source);
  if (f.length < 11) throw new ParseError(`${source}: ${f.length} fields, expected 11, 15 or 17`, { source });
  return countersOf(f);
}

/**
 * IoCounters from the kernel's block statistics fields (those of `stat`, and of a `/proc/diskstats`
 * line after MAJ MIN NAME), `offset` fields into `f`; the caller checked there are at least 11.
 */
export function countersOf(f: readonly number[], offset = 0): IoCounters {
  const at = (i: number) => f[offset + i] as number;
  return {
    readIos: at(0),
    readSectors: at(2),
    writeIos: at(4),
    writeSectors: at(6),
    inFlight: at(8),
    ioTicksMs: at(9),
  };
}

/** `/sys/block/X/inflight`: `READS WRITES`. */
export function parseInflight(raw: string, source = 'inflight'): { read: number; write: number } {
  const f = numbers(raw, source);
  if (f.length !== 2) throw new ParseError(`${source}: expected 2 fields, got ${f.length}`, { source });
  return { read: f[0] as number, write: f[1] as number };
}

/** What a dm device is, from its `dm/uuid`. */
export type DmRole =
  | { readonly kind: 'multipath'; readonly wwid: string }
  | { readonly kind: 'kpartx'; readonly partition: number; readonly wwid: string }
  | { readonly kind: 'vm-map'; readonly vmId: string; readonly wwid: string }
  | { readonly kind: 'lv' }
  | { readonly kind: 'dm-other' };

/**
 * multipathd maps: `mpath-<wwid>`; kpartx partitions of them: `partN-mpath-<wwid>`; vmpath
 * per-VM maps: `vmpath-<vmid>-<wwid>` (the vmid is everything up to the first `-`); LVM:
 * `LVM-<vg uuid><lv uuid>[-suffix]`. Anything else (crypt, raw dmsetup) is `dm-other`.
 */
export function classifyDmUuid(uuid: string | undefined): DmRole {
  const u = uuid ?? '';
  let m = /^mpath-(.+)$/.exec(u);
  if (m) return { kind: 'multipath', wwid: m[1] as string };
  m = /^part(\d+)-mpath-(.+)$/.exec(u);
  if (m) return { kind: 'kpartx', partition: Number(m[1]), wwid: m[2] as string };
  m = /^vmpath-([^-]+)-(.+)$/.exec(u);
  if (m) return { kind: 'vm-map', vmId: m[1] as string, wwid: m[2] as string };
  if (u.startsWith('LVM-')) return { kind: 'lv' };
  return { kind: 'dm-other' };
}
