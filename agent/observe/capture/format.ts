/**
 * The capture archive: everything one observe run read, as gzipped JSON (node:zlib, no tar).
 *
 *   { format: 'vmpath-capture', version: 1, createdAtMs, vmpath, node, sourceRoot,
 *     files:    { '<host path>': FileRecord },
 *     commands: { '<argv joined by one space>': CommandRecord } }
 *
 * A FileRecord holds what each HostFs call on that path returned: `content` (readFile),
 * `entries` (readdir), `link` (readlink), `realpath` (when it differs from the path), `block`
 * (blockDevT: MAJ:MIN, or null for "not a block device"), `exists`, or `errno` for a call that
 * failed with something other than ENOENT (EACCES, EIO, ...). See docs/observe.md.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { CaptureInvalidError } from '../../model/errors';
import type { CommandResult } from '../../model/seams';

export const CAPTURE_FORMAT = 'vmpath-capture';
export const CAPTURE_VERSION = 1;

export interface FileRecord {
  content?: string;
  entries?: string[];
  link?: string;
  realpath?: string;
  block?: string | null;
  exists?: boolean;
  errno?: string;
}

export type CommandRecord = CommandResult | { readonly error: string; readonly message: string };

export interface CaptureArchive {
  readonly format: typeof CAPTURE_FORMAT;
  readonly version: number;
  readonly createdAtMs: number;
  readonly vmpath: string;
  readonly node: string;
  readonly sourceRoot: string;
  readonly files: Readonly<Record<string, FileRecord>>;
  readonly commands: Readonly<Record<string, CommandRecord>>;
}

export function encodeCapture(archive: CaptureArchive): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(archive), 'utf8'));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Parse and validate an archive (gzipped or plain JSON). Throws CaptureInvalidError. */
export function decodeCapture(data: Buffer): CaptureArchive {
  let parsed: unknown;
  try {
    const text =
      data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data).toString('utf8') : data.toString('utf8');
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CaptureInvalidError(`not a capture archive: ${(err as Error).message}`, {}, err);
  }
  if (!isObject(parsed) || parsed.format !== CAPTURE_FORMAT) {
    throw new CaptureInvalidError(`not a capture archive (format is not ${CAPTURE_FORMAT})`);
  }
  if (parsed.version !== CAPTURE_VERSION) {
    throw new CaptureInvalidError(`unsupported capture version ${JSON.stringify(parsed.version)}`, {
      version: parsed.version,
    });
  }
  if (!isObject(parsed.files) || !isObject(parsed.commands)) {
    throw new CaptureInvalidError('capture archive lacks files or commands');
  }
  for (const [path, rec] of Object.entries(parsed.files)) {
    if (!path.startsWith('/') || path.split('/').includes('..') || path.includes('\0') || !isObject(rec)) {
      throw new CaptureInvalidError(`capture archive: bad file entry ${JSON.stringify(path.slice(0, 100))}`);
    }
    if (rec.content !== undefined && typeof rec.content !== 'string') {
      throw new CaptureInvalidError(`capture archive: ${path}: content must be a string`);
    }
    if (
      rec.entries !== undefined &&
      !(Array.isArray(rec.entries) && rec.entries.every((e) => typeof e === 'string'))
    ) {
      throw new CaptureInvalidError(`capture archive: ${path}: entries must be strings`);
    }
    for (const key of ['link', 'realpath', 'errno'] as const) {
      if (rec[key] !== undefined && typeof rec[key] !== 'string') {
        throw new CaptureInvalidError(`capture archive: ${path}: ${key} must be a string`);
      }
    }
  }
  for (const [argv, rec] of Object.entries(parsed.commands)) {
    const ok =
      isObject(rec) &&
      ((typeof rec.exitCode === 'number' &&
        typeof rec.stdout === 'string' &&
        typeof rec.stderr === 'string') ||
        (typeof rec.error === 'string' && typeof rec.message === 'string'));
    if (!ok)
      throw new CaptureInvalidError(
        `capture archive: bad command entry ${JSON.stringify(argv.slice(0, 100))}`,
      );
  }
  return parsed as unknown as CaptureArchive;
}
