/**
 * Test helper: builds a small host tree (sysfs, procfs, cgroupfs, Proxmox files) in a temp dir,
 * laid out the way docs/host-interface.md says, for RootedHostFs. Symlinks are written relative
 * so that reads through them stay inside the tree. Device nodes and fds are `block MAJ:MIN` files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { ReplayCommandRunner } from '../../../agent/os/replay-runner';
import type { CommandResult } from '../../../agent/model';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/multipath-tools-0.9.4');

export function fixture(name: string): string {
  const file = path.join(FIXTURES, name);
  if (!fs.existsSync(file)) throw new Error(`fixture missing: ${file} (the shared fixtures must be present)`);
  return fs.readFileSync(file, 'utf8');
}

export const MOUNTS_V2 = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n';
export const MOUNTS_V1 = [
  'cgroup /sys/fs/cgroup/blkio cgroup rw,nosuid,nodev,noexec,relatime,blkio 0 0',
  'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0',
  '',
].join('\n');
export const MOUNTS_HYBRID =
  MOUNTS_V1 + 'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n';

export interface DiskOptions {
  readonly state?: string;
  readonly access?: string;
  readonly stat?: string;
  readonly inflight?: string;
  /** Host path of the SCSI device dir (target of the `device` link). */
  readonly devicePath?: string;
}

export interface DmOptions {
  readonly name: string;
  readonly uuid: string;
  readonly slaves?: readonly string[];
  readonly holders?: readonly string[];
  readonly suspended?: boolean;
}

export interface QemuOptions {
  readonly argv: readonly string[];
  readonly cgroup: string;
  /** fd number → MAJ:MIN (block) or null (not a block device). */
  readonly fds?: Readonly<Record<number, string | null>>;
  readonly state?: string;
}

export class HostTree {
  readonly root: string;

  constructor(mounts = MOUNTS_V2) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmpath-observe-'));
    this.file('/proc/mounts', mounts);
    this.file('/proc/sys/kernel/hostname', 'pve1\n');
    this.file('/proc/sys/kernel/osrelease', '6.1.0-26-amd64\n');
    this.dir('/sys/block');
    for (const line of mounts.split('\n')) {
      const mountPoint = line.split(' ')[1];
      if (mountPoint) this.dir(mountPoint);
    }
  }

  get fs(): RootedHostFs {
    return new RootedHostFs(this.root);
  }

  private real(p: string): string {
    return path.join(this.root, p);
  }

  file(p: string, content: string): this {
    fs.mkdirSync(path.dirname(this.real(p)), { recursive: true });
    fs.writeFileSync(this.real(p), content);
    return this;
  }

  dir(p: string): this {
    fs.mkdirSync(this.real(p), { recursive: true });
    return this;
  }

  /** A symlink at host path `p` pointing at host path `target` (written relative). */
  link(p: string, target: string): this {
    fs.mkdirSync(path.dirname(this.real(p)), { recursive: true });
    fs.mkdirSync(this.real(target), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(p), target), this.real(p));
    return this;
  }

  remove(p: string): this {
    fs.rmSync(this.real(p), { recursive: true, force: true });
    return this;
  }

  /** A whole SCSI (or other) disk in /sys/block. */
  disk(name: string, devT: string, o: DiskOptions = {}): this {
    const base = `/sys/block/${name}`;
    this.file(`${base}/dev`, `${devT}\n`);
    this.file(`${base}/inflight`, o.inflight ?? '       0        0\n');
    this.file(`${base}/stat`, o.stat ?? '  120 0 960 10 40 0 320 5 0 20 15 0 0 0 0 0 0\n');
    if (name.startsWith('sd')) {
      const dev =
        o.devicePath ?? `/sys/devices/pseudo_0/adapter0/host0/target0:0:0/0:0:0:${devT.split(':')[1]}`;
      this.link(`${base}/device`, dev);
      this.file(`${dev}/state`, `${o.state ?? 'running'}\n`);
      if (o.access !== undefined) this.file(`${dev}/access_state`, `${o.access}\n`);
    }
    return this;
  }

  partition(disk: string, part: string, devT: string, n: number, holders: readonly string[] = []): this {
    const base = `/sys/block/${disk}/${part}`;
    this.file(`${base}/dev`, `${devT}\n`).file(`${base}/partition`, `${n}\n`).dir(`${base}/holders`);
    for (const h of holders) this.dir(`${base}/holders/${h}`);
    return this;
  }

  dm(kname: string, devT: string, o: DmOptions): this {
    const base = `/sys/block/${kname}`;
    this.file(`${base}/dev`, `${devT}\n`)
      .file(`${base}/dm/name`, `${o.name}\n`)
      .file(`${base}/dm/uuid`, `${o.uuid}\n`)
      .file(`${base}/dm/suspended`, o.suspended ? '1\n' : '0\n')
      .dir(`${base}/slaves`)
      .dir(`${base}/holders`);
    for (const s of o.slaves ?? []) this.dir(`${base}/slaves/${s}`);
    for (const h of o.holders ?? []) this.dir(`${base}/holders/${h}`);
    return this;
  }

  qemu(pid: number, o: QemuOptions): this {
    const base = `/proc/${pid}`;
    this.file(`${base}/cmdline`, o.argv.join('\0') + '\0');
    this.file(
      `${base}/stat`,
      `${pid} (qemu-system-x86) ${o.state ?? 'S'} 1 ${pid} ${pid} 0 -1 4194560 0 0\n`,
    );
    this.file(`${base}/cgroup`, o.cgroup);
    this.dir(`${base}/fd`);
    for (const [fd, devT] of Object.entries(o.fds ?? {})) {
      this.file(`${base}/fd/${fd}`, devT === null ? 'socket:[1234]' : `block ${devT}`);
    }
    return this;
  }

  /** A non-QEMU process. */
  process(pid: number, argv: readonly string[]): this {
    this.file(`/proc/${pid}/cmdline`, argv.join('\0') + '\0');
    this.file(`/proc/${pid}/stat`, `${pid} (x) S 1\n`);
    return this;
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

const ok = (stdout: string): CommandResult => ({ exitCode: 0, stdout, stderr: '' });

/** The 4 observe commands answering with the healthy two-path fixture (mpatha on sda 8:0, sdb 8:16). */
export function fixtureRunner(overrides: Record<string, CommandResult | string> = {}): ReplayCommandRunner {
  return new ReplayCommandRunner({
    'multipathd show maps json': ok(fixture('maps.json')),
    'dmsetup table --target multipath': ok(fixture('dmsetup-table.txt')),
    'dmsetup status --target multipath': ok(fixture('dmsetup-status.txt')),
    'multipath -h': { exitCode: 1, stdout: '', stderr: 'multipath-tools v0.9.4 (12/19, 2022)\nUsage:\n' },
    'dmsetup table': ok(fixture('dmsetup-table.txt')),
    ...overrides,
  });
}

/**
 * A HostTree maker for one test file: every tree it makes is removed after the file's tests
 * (call it at the top level of the file).
 */
export function treeMaker(): (mounts?: string) => HostTree {
  const trees: HostTree[] = [];
  afterAll(() => trees.forEach((t) => t.cleanup()));
  return (mounts) => {
    const t = new HostTree(mounts);
    trees.push(t);
    return t;
  };
}

/** A Proxmox QEMU's argv (`/usr/bin/kvm -id ID -name vmID`). */
export const kvmArgv = (id: string): string[] => ['/usr/bin/kvm', '-id', id, '-name', `vm${id}`];

export const FIXTURE_WWID = '1Linux_scsi_debug_2000';
export const clock = { nowMs: () => 1_700_000_000_000 };

/** mpatha over sda/sdb exactly as the fixture describes it. */
export function withFixtureMap(tree: HostTree, holders: readonly string[] = []): HostTree {
  return tree
    .disk('sda', '8:0', { access: 'active/optimized' })
    .disk('sdb', '8:16', { access: 'active/non-optimized' })
    .dm('dm-0', '253:0', { name: 'mpatha', uuid: `mpath-${FIXTURE_WWID}`, slaves: ['sda', 'sdb'], holders });
}
