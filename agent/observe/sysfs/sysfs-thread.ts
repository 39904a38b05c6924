/**
 * Reading a large host's sysfs on a second thread. A snapshot of 4,096 paths makes ~15,000
 * synchronous sysfs reads (~10 µs each); on the main thread they would sit between multipathd's
 * answer and the VMs' /proc reads. A worker thread (scan-thread.ts) reads them with the same code
 * while the main thread does the rest, and sends back plain data.
 *
 * Used only when the HostFs says another thread may read its tree directly (`directRoot`), the
 * host has at least THREAD_MIN_DEVICES block devices (below that a round trip costs more than it
 * saves) and the compiled worker script exists (the TypeScript sources under test have none).
 * Anything wrong with the thread (it cannot start, crashes, answers an error, or takes longer than
 * the timeout) costs one `info` diagnostic and the scan runs on the main thread as before, so the
 * snapshot is never worse than without the thread.
 *
 * One worker per process, started on first use and kept for the next snapshot (the agent takes
 * one per reconcile); it holds the process open only while a scan is pending.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HostFs } from '../../model/seams';
import type { DiagnosticSink } from '../diagnostics';
import { BlockIndex } from './block-index';
import { diskstatsOf, readDiskstats, readDiskstatsText } from './diskstats';
import type { ScanReply, ScanRequest } from './scan-thread';
import { decodeScan } from './scan-codec';
import { scanSysfs, type SysfsScan } from './scan';

export type SysfsThreadMode = 'auto' | 'always' | 'never';

/** Fewer /sys/block entries than this: scan on the main thread (mode `auto`). */
export const THREAD_MIN_DEVICES = 256;

/** After this many failures in a row the thread is not tried again in this process. */
export const MAX_THREAD_FAILURES = 3;

export const DEFAULT_SCAN_SCRIPT = path.join(__dirname, 'scan-thread.js');

export interface SysfsReadOptions {
  readonly mode: SysfsThreadMode;
  /** The compiled scan-thread.js to run. Default: beside this file. */
  readonly script?: string;
  readonly timeoutMs: number;
}

interface Waiter {
  readonly resolve: (reply: ScanReply) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

class ScanThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  /** Failed scans since the last good one. */
  failuresInARow = 0;

  constructor(private readonly script: string) {}

  scan(req: Omit<ScanRequest, 'id'>, timeoutMs: number): Promise<ScanReply> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<ScanReply>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      worker.ref();
      worker.postMessage({ ...req, id } satisfies ScanRequest);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (reply: ScanReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      clearTimeout(w.timer);
      if (this.waiting.size === 0) worker.unref();
      w.resolve(reply);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`scan thread exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Reject everything pending and drop the worker; the next scan starts a fresh one. */
  private fail(err: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiting.clear();
    if (worker) {
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
    }
  }
}

const threads = new Map<string, ScanThread>();

function deviceCount(fs: HostFs): number {
  try {
    return fs.sync?.readdir('/sys/block').length ?? 0;
  } catch {
    return 0;
  }
}

function useThread(
  fs: HostFs,
  opts: SysfsReadOptions,
  script: string,
): fs is HostFs & { directRoot: string } {
  if (opts.mode === 'never' || fs.directRoot === undefined || !existsSync(script)) return false;
  return opts.mode === 'always' || deviceCount(fs) >= THREAD_MIN_DEVICES;
}

/** scanSysfs, on the scan thread when it pays (see the file comment); same result either way. */
export async function readSysfs(
  fs: HostFs,
  diag: DiagnosticSink,
  concurrency: number,
  opts: SysfsReadOptions,
): Promise<SysfsScan> {
  const script = opts.script ?? DEFAULT_SCAN_SCRIPT;
  if (!useThread(fs, opts, script)) return scanSysfs(fs, diag, concurrency, await readDiskstats(fs, diag));
  // Read here, through this HostFs: a simulated host serves fresh counters only through it.
  const text = await readDiskstatsText(fs, diag);
  let thread = threads.get(script);
  if (!thread) threads.set(script, (thread = new ScanThread(script)));
  if (thread.failuresInARow >= MAX_THREAD_FAILURES)
    return scanSysfs(fs, diag, concurrency, diskstatsOf(text, diag));
  try {
    const reply = await thread.scan(
      { root: fs.directRoot, concurrency, diskstatsText: text },
      opts.timeoutMs,
    );
    if ('error' in reply) throw new Error(reply.error);
    const result = decodeScan(reply.json);
    thread.failuresInARow = 0;
    const index = new BlockIndex(fs, diag, concurrency);
    for (const node of result.nodes) index.add(node);
    for (const d of result.diagnostics) diag.add(d.level, d.subject, d.message, d.code);
    return { index, paths: new Map(result.paths.map((p) => [p.device.dev, p])) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const given = ++thread.failuresInARow >= MAX_THREAD_FAILURES;
    diag.add(
      given ? 'warn' : 'info',
      'host',
      `sysfs read on the main thread: the scan thread failed (${why})` +
        (given ? `; not tried again in this process after ${MAX_THREAD_FAILURES} failures in a row` : ''),
    );
    return scanSysfs(fs, diag, concurrency, diskstatsOf(text, diag));
  }
}
