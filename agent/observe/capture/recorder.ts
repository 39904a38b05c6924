/**
 * Recording decorators for the two seams: wrap the real HostFs and CommandRunner, run observe
 * through them, and what they saw becomes the capture archive — exactly what observe read, no
 * more. Reads of forbidden paths fail (EACCES) without touching the host; writes are refused
 * (a capture never changes the host); file contents are redacted as they are recorded.
 */
import { VmpathError } from '../../model/errors';
import type { CommandResult, CommandRunner, HostFs, HostFsSync, RunOptions } from '../../model/seams';
import { VERSION } from '../../version';
import { errnoOf } from '../read';
import {
  CAPTURE_FORMAT,
  CAPTURE_VERSION,
  type CaptureArchive,
  type CommandRecord,
  type FileRecord,
} from './format';
import { isForbiddenPath, redactFile } from './redact';

function errnoError(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

export class RecordingHostFs implements HostFs {
  readonly files = new Map<string, FileRecord>();

  constructor(private readonly inner: HostFs) {}

  get root(): string {
    return this.inner.root;
  }

  private record(path: string): FileRecord {
    let rec = this.files.get(path);
    if (!rec) {
      rec = {};
      this.files.set(path, rec);
    }
    return rec;
  }

  private async call<T>(
    path: string,
    op: () => Promise<T>,
    keep: (rec: FileRecord, value: T) => void,
  ): Promise<T> {
    if (isForbiddenPath(path)) throw errnoError('EACCES', path);
    try {
      const value = await op();
      keep(this.record(path), value);
      return value;
    } catch (err) {
      this.failed(path, err);
      throw err;
    }
  }

  private callSync<T>(path: string, op: () => T, keep: (rec: FileRecord, value: T) => void): T {
    if (isForbiddenPath(path)) throw errnoError('EACCES', path);
    try {
      const value = op();
      keep(this.record(path), value);
      return value;
    } catch (err) {
      this.failed(path, err);
      throw err;
    }
  }

  private failed(path: string, err: unknown): void {
    const code = errnoOf(err);
    if (code && code !== 'ENOENT' && code !== 'ENOTDIR') this.record(path).errno = code;
  }

  /** The inner synchronous reads, recorded (and redacted) exactly like the async ones. */
  get sync(): HostFsSync | undefined {
    const inner = this.inner.sync;
    if (!inner) return undefined;
    this.syncFacet ??= {
      readFile: (p) =>
        redactFile(
          p,
          this.callSync(
            p,
            () => inner.readFile(p),
            (rec, v) => (rec.content = redactFile(p, v)),
          ),
        ),
      readdir: (p) =>
        this.callSync(
          p,
          () => inner.readdir(p),
          (rec, v) => (rec.entries = [...v]),
        ),
      readlink: (p) =>
        this.callSync(
          p,
          () => inner.readlink(p),
          (rec, v) => (rec.link = v),
        ),
      realpath: (p) =>
        this.callSync(
          p,
          () => inner.realpath(p),
          (rec, v) => {
            if (v !== p) rec.realpath = v;
          },
        ),
      exists: (p) =>
        this.callSync(
          p,
          () => inner.exists(p),
          (rec, v) => (rec.exists = v),
        ),
    };
    return this.syncFacet;
  }
  private syncFacet: HostFsSync | undefined;

  readFile(p: string): Promise<string> {
    return this.call(
      p,
      () => this.inner.readFile(p),
      (rec, v) => (rec.content = redactFile(p, v)),
    ).then((v) => redactFile(p, v));
  }
  async writeFile(p: string, _data: string): Promise<void> {
    throw errnoError('EROFS', p);
  }
  readdir(p: string): Promise<string[]> {
    return this.call(
      p,
      () => this.inner.readdir(p),
      (rec, v) => (rec.entries = [...v]),
    );
  }
  readlink(p: string): Promise<string> {
    return this.call(
      p,
      () => this.inner.readlink(p),
      (rec, v) => (rec.link = v),
    );
  }
  realpath(p: string): Promise<string> {
    return this.call(
      p,
      () => this.inner.realpath(p),
      (rec, v) => {
        if (v !== p) rec.realpath = v;
      },
    );
  }
  exists(p: string): Promise<boolean> {
    return this.call(
      p,
      () => this.inner.exists(p),
      (rec, v) => (rec.exists = v),
    );
  }
  blockDevT(p: string): Promise<string | undefined> {
    return this.call(
      p,
      () => this.inner.blockDevT(p),
      (rec, v) => (rec.block = v ?? null),
    );
  }
}

export class RecordingCommandRunner implements CommandRunner {
  readonly commands = new Map<string, CommandRecord>();

  constructor(private readonly inner: CommandRunner) {}

  async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const key = argv.join(' ');
    try {
      const result = await this.inner.run(argv, options);
      this.commands.set(key, { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
      return result;
    } catch (err) {
      // CommandNotFoundError, CommandTimeoutError, InvalidNameError: replayed as the same error.
      if (err instanceof VmpathError) this.commands.set(key, { error: err.code, message: err.message });
      throw err;
    }
  }
}

/** Everything the two recorders saw, as an archive. */
export function archiveOf(
  fs: RecordingHostFs,
  runner: RecordingCommandRunner,
  createdAtMs: number,
): CaptureArchive {
  const files: Record<string, FileRecord> = {};
  for (const key of [...fs.files.keys()].sort()) files[key] = fs.files.get(key) as FileRecord;
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    createdAtMs,
    vmpath: VERSION,
    node: process.versions.node,
    sourceRoot: fs.root,
    files,
    commands: Object.fromEntries([...runner.commands].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
