/**
 * The snapshot suite's measuring process: `node snapshot-probe.js JOB.json RESULT.json`.
 *
 * It observes a simulated host the way the agent observes a real one: the host's tree read
 * through a plain RootedHostFs, and the commands' outputs (recorded from the simulated daemons
 * just before) answered as a real daemon's would arrive through a pipe. The simulated host's
 * state lives in the parent process, as a real host's lives in the kernel and in multipathd: this
 * heap holds only vmpath's, and the CPU, wall time and peak RSS measured here are vmpath's own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { observeHost, type ObserveOptions } from '../../agent/observe';
import type { CommandResult } from '../../agent/model/seams';
import { RootedHostFs } from '../../agent/os/host-fs';
import { ReplayCommandRunner } from '../../agent/os/replay-runner';
import { measureAsync, measureInterleaved, type Measurement } from './harness';

export interface ProbeJob {
  readonly root: string;
  /** argv joined by spaces → the recorded result. */
  readonly answers: Record<string, CommandResult>;
  readonly expected: { readonly maps: number; readonly paths: number; readonly vms: number };
  readonly size: string;
  readonly runs: number;
  readonly warmup: number;
  /** Also measure sysfs on the main thread, interleaved with the default (the baseline). */
  readonly baseline: boolean;
}

export interface ProbeResult {
  readonly measurements: Measurement[];
  /** The default measured in alternation with the baseline (when `baseline`). */
  readonly paired?: Measurement;
}

export async function runProbe(job: ProbeJob): Promise<ProbeResult> {
  const ctx = {
    fs: new RootedHostFs(job.root),
    runner: new ReplayCommandRunner(job.answers),
    clock: { nowMs: () => Date.now() },
  };
  // The last snapshot stays referenced until the next one is taken, as the agent keeps it.
  let previous: unknown;
  const snapshot = async (options: ObserveOptions = {}): Promise<void> => {
    const s = await observeHost(ctx, options);
    const e = job.expected;
    // Every run must see the whole host: a faster snapshot that misses paths is no result.
    if (s.paths.length !== e.paths || s.maps.length !== e.maps || s.vms.length !== e.vms)
      throw new Error(
        `${job.size}: snapshot saw ${s.maps.length} maps, ${s.paths.length} paths, ${s.vms.length} VMs ` +
          `(${s.diagnostics
            .slice(0, 3)
            .map((d) => d.message)
            .join('; ')})`,
      );
    previous = s;
  };
  const measurements = [
    await measureAsync('snapshot', job.size, () => snapshot(), { runs: job.runs, warmup: job.warmup }),
  ];
  if (!job.baseline) return { measurements };
  const [paired, base] = await measureInterleaved(
    { name: 'snapshot', fn: () => snapshot() },
    { name: 'snapshot, sysfs on the main thread (baseline)', fn: () => snapshot({ sysfsThread: 'never' }) },
    job.size,
    { runs: job.runs, warmup: 1 },
  );
  void previous;
  return { measurements: [...measurements, base], paired };
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
