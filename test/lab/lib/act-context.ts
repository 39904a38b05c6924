/**
 * act/ in the guest: an ActContext over the real host (RootedHostFs('/'), real commands, a
 * journal file of the case's own) with a fresh snapshot, and VM control that does nothing (the lab
 * cases that use it have no VMs to pause).
 */
import { Journal, type ActContext } from '../../../agent/act';
import type { Plan } from '../../../agent/model/plan';
import type { VmControl } from '../../../agent/model/seams';
import { observeHost } from '../../../agent/observe';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { RootedHostFs } from '../../../agent/os/host-fs';

export const clock = { nowMs: () => Date.now() };

export const noVms: VmControl = {
  status: async () => 'unknown',
  pause: async () => undefined,
  resume: async () => undefined,
  migrate: async () => undefined,
  kill: async () => undefined,
};

/** What every lab action carries besides its own fields. */
export const labBase = { reason: 'lab', origins: [], trigger: 'operator' as const };

export const plan = (...actions: Plan['actions']): Plan => ({ actions, decisions: [], warnings: [] });

/** Timeouts raised: TCG on a busy 2-core host is ~50× slower than hardware. */
export async function labActContext(journalFile: string): Promise<ActContext> {
  const runner = new ProcessCommandRunner(60_000);
  const fsys = new RootedHostFs('/');
  const snapshot = await observeHost({ fs: fsys, runner, clock }, { readTimeoutMs: 30_000 });
  return {
    fs: fsys,
    runner,
    clock,
    vmControl: noVms,
    snapshot,
    journal: await Journal.open('/', journalFile, { clock }),
  };
}
