/**
 * Worker-thread entry: runs scanSysfs on a RootedHostFs of the root it is sent and posts back plain
 * data (BlockNodes, path devices without counters, diagnostics). One request at a time is the
 * usual case; each carries an id and is answered exactly once, even when it fails.
 *
 * Protocol: ScanRequest in, ScanReply out (sysfs-thread.ts is the other side).
 */
import { parentPort } from 'node:worker_threads';
import type { Diagnostic } from '../../model/snapshot';
import { RootedHostFs } from '../../os/host-fs';
import { DiagnosticSink } from '../diagnostics';
import type { BlockNode } from './block-index';
import { diskstatsOf } from './diskstats';
import type { PathDeviceRead } from './path-devices';
import { scanSysfs } from './scan';

export interface ScanRequest {
  readonly id: number;
  readonly root: string;
  readonly concurrency: number;
  /** /proc/diskstats as the caller read it (undefined: absent or unreadable). */
  readonly diskstatsText: string | undefined;
}

/** What the scan found: plain, JSON-serialisable data (like the snapshot it goes into). */
export interface ScanResult {
  readonly nodes: readonly BlockNode[];
  readonly paths: readonly PathDeviceRead[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * `json` is the ScanResult as JSON text: decoding it with JSON.parse on the main thread measured
 * 12.9 ms against 18.6 ms for the structured clone of the same result (4,653 block devices, 4,096
 * paths), and the main thread is waiting for it.
 */
export type ScanReply =
  { readonly id: number; readonly json: string } | { readonly id: number; readonly error: string };

export async function answer(req: ScanRequest): Promise<ScanReply> {
  try {
    const diag = new DiagnosticSink();
    const fs = new RootedHostFs(req.root);
    const { index, paths } = await scanSysfs(fs, diag, req.concurrency, diskstatsOf(req.diskstatsText, diag));
    const result: ScanResult = {
      nodes: [...index.byName.values()],
      paths: [...paths.values()],
      diagnostics: diag.list(),
    };
    return { id: req.id, json: JSON.stringify(result) };
  } catch (err) {
    return { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
}

parentPort?.on('message', (req: ScanRequest) => {
  void answer(req).then((reply) => parentPort?.postMessage(reply));
});
