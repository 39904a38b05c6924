/**
 * The snapshot suite's measuring process: `node snapshot-probe.js JOB.json RESULT.json`.
 *
 * It observes a simulated host the way the agent observes a real one: the host's tree read
 * through a plain RootedHostFs, and the commands' outputs (recorded from the simulated daemons
 * just before, as `vmpath capture` records them) answered as a real daemon's would arrive through
 * a pipe. The simulated host's state lives in the parent process, as a real host's lives in the
 * kernel and in multipathd: this heap holds only vmpath's, and the CPU, wall time and peak RSS
 * measured here are vmpath's own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { observeHost, type ObserveContext, type ObserveOptions } from '../../agent/observe';
import {
  CaptureCommandRunner,
  RecordingCommandRunner,
  type CommandRecord,
} from '../../agent/observe/capture';
import type { HostSnapshot } from '../../agent/model/snapshot';
import { RootedHostFs } from '../../agent/os/host-fs';
import { measureAsync, measureInterleaved, type Measurement } from './harness';

/** How to measure: sizes are checked, so that a snapshot that misses part of the host fails. */
export interface SnapshotRuns {
  readonly expected: { readonly maps: number; readonly paths: number; readonly vms: number };
  readonly size: string;
  readonly runs: number;
  readonly warmup: number;
  /** Also measure sysfs on the main thread, interleaved with the default (the baseline). */
  readonly baseline: boolean;
}

export interface ProbeJob extends SnapshotRuns {
  readonly root: string;
  /** What each command answered (argv joined by spaces), as RecordingCommandRunner keeps it. */
  readonly commands: Record<string, CommandRecord>;
}

export interface ProbeResult {
  readonly measurements: Measurement[];
  /** The default measured in alternation with the baseline (when `baseline`). */
  readonly paired?: Measurement;
}

/** Every command one snapshot of `ctx` runs, with what it answered. */
export async function recordCommands(ctx: ObserveContext): Promise<Record<string, CommandRecord>> {
  const runner = new RecordingCommandRunner(ctx.runner);
  await observeHost({ ...ctx, runner });
  return Object.fromEntries(runner.commands);
}

/** Snapshots of `ctx` measured as `runs` says; the last one stays referenced, as the agent keeps it. */
export async function measureSnapshots(ctx: ObserveContext, runs: SnapshotRuns): Promise<ProbeResult> {
  const kept: { last?: HostSnapshot } = {};
  const snapshot = async (options: ObserveOptions = {}): Promise<void> => {
    const s = await observeHost(ctx, options);
    const e = runs.expected;
    // Every run must see the whole host: a faster snapshot that misses paths is no result.
    if (s.paths.length !== e.paths || s.maps.length !== e.maps || s.vms.length !== e.vms)
      throw new Error(
        `${runs.size}: snapshot saw ${s.maps.length} maps, ${s.paths.length} paths, ${s.vms.length} VMs ` +
          `(${s.diagnostics
            .slice(0, 3)
            .map((d) => d.message)
            .join('; ')})`,
      );
    kept.last = s;
  };
  const measurements = [
    await measureAsync('snapshot', runs.size, () => snapshot(), { runs: runs.runs, warmup: runs.warmup }),
  ];
  if (!runs.baseline) return { measurements };
  const [paired, base] = await measureInterleaved(
    { name: 'snapshot', fn: () => snapshot() },
    { name: 'snapshot, sysfs on the main thread (baseline)', fn: () => snapshot({ sysfsThread: 'never' }) },
    runs.size,
    { runs: runs.runs, warmup: 1 },
  );
  return { measurements: [...measurements, base], paired };
}

/** The probe: the job's tree and recorded commands, measured in this process. */
export function runProbe(job: ProbeJob): Promise<ProbeResult> {
  const ctx: ObserveContext = {
    fs: new RootedHostFs(job.root),
    runner: new CaptureCommandRunner(job.commands),
    clock: { nowMs: () => Date.now() },
  };
  return measureSnapshots(ctx, job);
}

if (require.main === module) {
  const [jobFile, resultFile] = process.argv.slice(2);
  if (!jobFile || !resultFile) {
    process.stderr.write('usage: snapshot-probe JOB.json RESULT.json\n');
    process.exit(2);
  }
  runProbe(JSON.parse(readFileSync(jobFile, 'utf8')) as ProbeJob).then(
    (result) => writeFileSync(resultFile, JSON.stringify(result)),
    (err: unknown) => {
      process.stderr.write(`snapshot-probe: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
