/**
 * Pure parsers for procfs files observe reads: /proc/PID/cmdline, /proc/PID/stat,
 * /proc/PID/cgroup and /proc/mounts. They never throw on odd input except where noted: garbage
 * lines are skipped and counted so callers can report them.
 */
import { ParseError } from '../../model/errors';

/** argv from /proc/PID/cmdline (NUL-separated, usually NUL-terminated). Empty for kernel threads. */
export function parseCmdline(raw: string): string[] {
  if (raw === '') return [];
  const parts = raw.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** One letter: R S D Z T t X I ... */
  readonly state: string;
  /**
   * Field 22, clock ticks after boot when the process started (digits, as written): with the pid
   * it names one process for its whole life. Absent when the line is shorter.
   */
  readonly startTime?: string;
}

/**
 * /proc/PID/stat: `pid (comm) state ...`. comm may contain spaces and `)`, so the state is the
 * first field after the LAST `)`. Throws ParseError when the line has no such shape.
 */
export function parseProcStat(raw: string): ProcStat {
  const open = raw.indexOf('(');
  const close = raw.lastIndexOf(')');
  const pid = Number(raw.slice(0, open).trim());
  const after =
    close > open
      ? raw
          .slice(close + 1)
          .trim()
          .split(/\s+/)
      : [];
  const state = after[0];
  if (open < 1 || !Number.isInteger(pid) || pid <= 0 || !state || !/^[A-Za-z]$/.test(state)) {
    throw new ParseError('malformed /proc/PID/stat', { source: 'proc-stat', text: raw.slice(0, 80) });
  }
  // `after` starts at field 3 (state): field 22 is after[19].
  const start = after[19];
  const startTime = start !== undefined && /^\d{1,20}$/.test(start) ? start : undefined;
  return { pid, comm: raw.slice(open + 1, close), state, ...(startTime !== undefined ? { startTime } : {}) };
}

export interface ProcCgroupEntry {
  /** Hierarchy id; 0 is the cgroup v2 unified hierarchy. */
  readonly hierarchy: number;
  /** v1 controllers on that hierarchy (`blkio`, `cpu,cpuacct`, `name=systemd`); empty for v2. */
  readonly controllers: readonly string[];
  /** Path relative to the hierarchy root; ` (deleted)` suffix removed (see `deleted`). */
  readonly path: string;
  readonly deleted: boolean;
}

export interface ParsedProcCgroup {
  readonly entries: readonly ProcCgroupEntry[];
  readonly badLines: number;
}

/** /proc/PID/cgroup: `ID:controllers:path` per line. The path may itself contain `:`. */
export function parseProcCgroup(raw: string): ParsedProcCgroup {
  const entries: ProcCgroupEntry[] = [];
  let badLines = 0;
  for (const line of raw.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    const idText = line.slice(0, a);
    let path = b < 0 ? '' : line.slice(b + 1);
    if (a <= 0 || b < 0 || !/^\d+$/.test(idText) || !path.startsWith('/')) {
      badLines++;
      continue;
    }
    const deleted = path.endsWith(' (deleted)');
    if (deleted) path = path.slice(0, -' (deleted)'.length);
    const ctl = line.slice(a + 1, b);
    entries.push({ hierarchy: Number(idText), controllers: ctl ? ctl.split(',') : [], path, deleted });
  }
  return { entries, badLines };
}

export interface MountEntry {
  readonly source: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: readonly string[];
}

/** Undo /proc/mounts octal escapes (`\040` for a space). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** /proc/mounts lines: `source mountpoint fstype options dump pass`. Short lines are skipped. */
export function parseMounts(raw: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of raw.split('\n')) {
    const f = line.split(' ');
    if (f.length < 4 || !f[1]?.startsWith('/')) continue;
    out.push({
      source: unescapeMount(f[0] as string),
      mountPoint: unescapeMount(f[1]),
      fsType: f[2] as string,
      options: (f[3] as string).split(','),
    });
  }
  return out;
}

export interface CgroupMounts {
  readonly mode: 'v1' | 'v2' | 'hybrid' | 'none';
  /** Where the v1 blkio controller is mounted, if it is. */
  readonly v1Blkio?: string;
  /** Where cgroup2 is mounted (prefers /sys/fs/cgroup, then /sys/fs/cgroup/unified). */
  readonly v2?: string;
}

/**
 * Cgroup layout from /proc/mounts: `v2` = only cgroup2, `v1` = only v1 hierarchies, `hybrid` =
 * both (e.g. systemd's /sys/fs/cgroup/unified next to v1 controllers), `none` = neither.
 */
export function cgroupMountsOf(mounts: readonly MountEntry[]): CgroupMounts {
  const v1 = mounts.filter((m) => m.fsType === 'cgroup');
  const v2s = mounts.filter((m) => m.fsType === 'cgroup2').map((m) => m.mountPoint);
  const v2 =
    v2s.find((p) => p === '/sys/fs/cgroup') ?? v2s.find((p) => p === '/sys/fs/cgroup/unified') ?? v2s[0];
  const blkio = v1.find((m) => m.options.includes('blkio'))?.mountPoint;
  const mode = v1.length && v2 ? 'hybrid' : v1.length ? 'v1' : v2 ? 'v2' : 'none';
  return {
    mode,
    ...(blkio !== undefined ? { v1Blkio: blkio } : {}),
    ...(v2 !== undefined ? { v2 } : {}),
  };
}
