/**
 * `vmpath plan` / `vmpath apply --dry-run` on this machine (real observe: no device-mapper, so no
 * maps; a real QEMU would be a VM only under Proxmox/libvirt paths): the whole chain observe →
 * decide → dry-run act runs and reports, changing nothing (no journal file is created).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../agent/cli/run-cli';
import { captureIo } from './helpers/cli-io';

describe('vmpath plan on the real host', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmpath-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('observes, decides and shows the plan without creating the journal', async () => {
    const journal = path.join(dir, 'journal.jsonl');
    const a = captureIo();
    const code = await runCli(['plan', '--json', '--journal', journal], a);
    const out = JSON.parse(a.text()) as { plan: { actions: unknown[] }; results: unknown[] };
    expect(code).toBe(0);
    expect(Array.isArray(out.plan.actions)).toBe(true);
    expect(out.results).toHaveLength(out.plan.actions.length);
    expect(existsSync(journal)).toBe(false);
  }, 60_000);
});
