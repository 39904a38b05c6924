import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../agent/cli/run-cli';
import { captureIo } from '../cli/capture-io';
import { twoPathScenario } from './fixtures';

function scenarioFile(content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vmpath-sim-'));
  const file = path.join(dir, 'scenario.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('vmpath sim', () => {
  it('prints per-VM, per-path and total figures as JSON for one policy', async () => {
    const io = captureIo();
    const file = scenarioFile(twoPathScenario({ durationS: 0.5 }));
    expect(await runCli(['sim', '--scenario', file, '--policy', 'queue-length', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(out.runs).toHaveLength(1);
    const vm = out.runs[0].vms[0];
    for (const k of [
      'throughputMBps',
      'iops',
      'latencyMsP50',
      'latencyMsP99',
      'pausedS',
      'ioErrors',
      'stallS',
    ])
      expect(typeof vm[k]).toBe('number');
    expect(typeof out.runs[0].paths[0].utilization).toBe('number');
    expect(out.runs[0].totals.throughputMBps).toBeGreaterThan(0);
    expect(out.ideal.totalMBps).toBeGreaterThan(0);
  });

  it('runs every policy and the ideal without --policy', async () => {
    const io = captureIo();
    const file = scenarioFile(twoPathScenario({ durationS: 0.3 }));
    expect(await runCli(['sim', '--scenario', file], io)).toBe(0);
    for (const p of [
      'ideal',
      'vmpath',
      'round-robin',
      'queue-length',
      'service-time',
      'historical-service-time',
    ])
      expect(io.stdout).toContain(p);
  });

  it('reports an invalid scenario with its error code and field', async () => {
    const io = captureIo();
    const file = scenarioFile(twoPathScenario({ durationS: -1 }));
    expect(await runCli(['sim', '--scenario', file, '--json'], io)).toBe(1);
    const out = JSON.parse(io.stdout);
    expect(out.error.code).toBe('VMPATH_E_SCENARIO_INVALID');
    expect(out.error.details.field).toBe('durationS');
  });

  it('rejects an unknown policy as a usage error', async () => {
    const io = captureIo();
    const file = scenarioFile(twoPathScenario());
    expect(await runCli(['sim', '--scenario', file, '--policy', 'magic'], io)).toBe(2);
  });
});
