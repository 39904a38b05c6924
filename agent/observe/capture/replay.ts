/**
 * Replaying a capture: the archive is extracted into a temp directory laid out like the host
 * (symlinks relative, so reads through them stay inside; block device nodes and fds as
 * `block MAJ:MIN` files, as RootedHostFs expects under a non-/ root), read through
 * ReplayHostFs (RootedHostFs plus the recorded non-ENOENT errors, e.g. EACCES), and commands
 * answered by CaptureCommandRunner from the recorded outputs.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandFailedError, CommandNotFoundError, CommandTimeoutError } from '../../model/errors';
import type { Clock, CommandResult, CommandRunner } from '../../model/seams';
import { RootedHostFs } from '../../os/host-fs';
import { ReplayCommandRunner } from '../../os/replay-runner';
import { decodeCapture, type CaptureArchive, type FileRecord } from './format';

const P = path.posix;
const FD = /^\/proc\/\d+\/fd\/\d+$/;

function errnoError(code: string, p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${p} (recorded in the capture)`), { code });
}

/** RootedHostFs over an extracted capture, failing where the host failed (EACCES, EIO, ...). */
export class ReplayHostFs extends RootedHostFs {
  constructor(
    root: string,
    private readonly errnos: ReadonlyMap<string, string>,
  ) {
    super(root);
  }
  /** Reads must come here: the recorded errors are not in the tree. */
  override get directRoot(): string | undefined {
    return undefined;
  }
  private check(p: string): void {
    const code = this.errnos.get(P.normalize('/' + p));
    if (code) throw errnoError(code, p);
  }
  override async readFile(p: string): Promise<string> {
    this.check(p);
    return super.readFile(p);
  }
  override async readdir(p: string): Promise<string[]> {
    this.check(p);
    return super.readdir(p);
  }
  override async readlink(p: string): Promise<string> {
    this.check(p);
    return super.readlink(p);
  }
  override async realpath(p: string): Promise<string> {
    this.check(p);
    return super.realpath(p);
  }
  override readFileSync(p: string): string {
    this.check(p);
    return super.readFileSync(p);
  }
  override readdirSync(p: string): string[] {
    this.check(p);
    return super.readdirSync(p);
  }
  override readlinkSync(p: string): string {
    this.check(p);
    return super.readlinkSync(p);
  }
  override realpathSync(p: string): string {
    this.check(p);
    return super.realpathSync(p);
  }
}

/** Answers recorded commands; recorded failures (not found, timeout) are thrown again. */
export class CaptureCommandRunner implements CommandRunner {
  private readonly replay: ReplayCommandRunner;
  private readonly errors = new Map<string, { error: string; message: string }>();

  constructor(commands: CaptureArchive['commands']) {
    const ok: Record<string, CommandResult> = {};
    for (const [key, rec] of Object.entries(commands)) {
      if ('error' in rec) this.errors.set(key, rec);
      else ok[key] = rec;
    }
    this.replay = new ReplayCommandRunner(ok);
  }

  get calls(): readonly string[][] {
    return this.replay.calls;
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    const failure = this.errors.get(argv.join(' '));
    if (!failure) return this.replay.run(argv);
    this.replay.calls.push([...argv]);
    const details = { argv: [...argv], recorded: true };
    if (failure.error === CommandTimeoutError.spec.code)
      throw new CommandTimeoutError(failure.message, details);
    if (failure.error === CommandNotFoundError.spec.code)
      throw new CommandNotFoundError(failure.message, details);
    throw new CommandFailedError(failure.message, { ...details, code: failure.error });
  }
}

async function ensureDir(real: string): Promise<void> {
  await fsp.mkdir(real, { recursive: true });
}

/** Write the archive's files under `root` (which must be empty or not exist). */
export async function extractCapture(archive: CaptureArchive, dir: string): Promise<void> {
  await ensureDir(dir);
  const root = await fsp.realpath(dir);
  const real = (p: string) => path.join(root, p);
  const entries = Object.entries(archive.files) as [string, FileRecord][];
  const known = new Set(entries.map(([p]) => p));
  // 1. symlinks, shallow first, so that deeper paths are created through them. A QEMU fd
  //    (/proc/PID/fd/N) keeps its link text verbatim and is never followed: one that was stat'ed
  //    becomes a `block MAJ:MIN` (or empty) file in step 3 instead, as RootedHostFs reads fds.
  const links = entries
    .filter(
      ([p, r]) =>
        (r.link !== undefined || r.realpath !== undefined) && !(FD.test(p) && r.block !== undefined),
    )
    .sort(([a], [b]) => a.split('/').length - b.split('/').length);
  for (const [p, r] of links) {
    const parent = path.dirname(real(p));
    await ensureDir(parent);
    if (FD.test(p) && r.link !== undefined) {
      await fsp.symlink(r.link, real(p)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      continue;
    }
    // A readlink target is kept verbatim (it is relative to the link's directory on the host
    // too); a resolved realpath becomes a link relative to where the parent really is.
    const target = r.link ?? (r.realpath as string);
    const absolute = target.startsWith('/') ? target : P.resolve(P.dirname(p), target);
    const targetIsFile = archive.files[absolute]?.content !== undefined;
    await ensureDir(targetIsFile ? path.dirname(real(absolute)) : real(absolute));
    const text =
      r.link !== undefined && !r.link.startsWith('/')
        ? r.link
        : path.relative(await fsp.realpath(parent), real(absolute));
    await fsp.symlink(text, real(p)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
  // 2. directories: listed ones, parents of everything, and paths that merely existed.
  const parents = new Set<string>();
  for (const p of known) for (let d = P.dirname(p); d !== '/'; d = P.dirname(d)) parents.add(d);
  for (const [p, r] of entries) {
    if (r.entries !== undefined || (r.exists === true && r.content === undefined && r.block === undefined))
      parents.add(p);
  }
  for (const d of [...parents].sort()) await ensureDir(real(d));
  // 3. files: contents, device nodes/fds, and listed names nobody read (so readdir sees them).
  for (const [p, r] of entries) {
    if (r.content !== undefined) await fsp.writeFile(real(p), r.content);
    else if (typeof r.block === 'string') await fsp.writeFile(real(p), `block ${r.block}\n`);
    else if (r.block === null && !parents.has(p)) await fsp.writeFile(real(p), '');
  }
  for (const [p, r] of entries) {
    for (const name of r.entries ?? []) {
      const child = P.join(p, name);
      if (known.has(child) || parents.has(child)) continue;
      await fsp.writeFile(real(child), '').catch(() => undefined);
    }
  }
}

export interface OpenedCapture {
  readonly archive: CaptureArchive;
  readonly fs: ReplayHostFs;
  readonly runner: CaptureCommandRunner;
  /** Fixed at the capture's creation time. */
  readonly clock: Clock;
  /** Removes the extracted tree. */
  dispose(): Promise<void>;
}

/** Decode, validate and extract a capture into a fresh temp dir, ready for observeHost. */
export async function openCapture(data: Buffer): Promise<OpenedCapture> {
  const archive = decodeCapture(data);
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'vmpath-replay-'));
  try {
    await extractCapture(archive, root);
  } catch (err) {
    await fsp.rm(root, { recursive: true, force: true });
    throw err;
  }
  const errnos = new Map(
    Object.entries(archive.files).flatMap(([p, r]) => (r.errno ? [[p, r.errno] as [string, string]] : [])),
  );
  return {
    archive,
    fs: new ReplayHostFs(root, errnos),
    runner: new CaptureCommandRunner(archive.commands),
    clock: { nowMs: () => archive.createdAtMs },
    dispose: () => fsp.rm(root, { recursive: true, force: true }),
  };
}
