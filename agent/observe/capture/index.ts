/**
 * Capture and replay of a host (docs/observe.md): `captureHost` runs one observe through
 * recording seams and returns the archive with the snapshot it produced; `openCapture` turns an
 * archive back into seams that reproduce that snapshot.
 */
import type { HostSnapshot } from '../../model/snapshot';
import { observeHost, type ObserveContext, type ObserveOptions } from '../index';
import type { CaptureArchive } from './format';
import { RecordingCommandRunner, RecordingHostFs, archiveOf } from './recorder';

export * from './format';
export {
  openCapture,
  extractCapture,
  ReplayHostFs,
  CaptureCommandRunner,
  type OpenedCapture,
} from './replay';
export { RecordingHostFs, RecordingCommandRunner } from './recorder';
export { redactArg, redactCmdline, isForbiddenPath, REDACTED } from './redact';

export async function captureHost(
  ctx: ObserveContext,
  options?: ObserveOptions,
): Promise<{ archive: CaptureArchive; snapshot: HostSnapshot }> {
  const fs = new RecordingHostFs(ctx.fs);
  const runner = new RecordingCommandRunner(ctx.runner);
  const snapshot = await observeHost({ fs, runner, clock: ctx.clock }, options);
  return { archive: archiveOf(fs, runner, snapshot.takenAtMs), snapshot };
}
