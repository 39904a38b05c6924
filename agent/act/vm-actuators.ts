/**
 * pause-vm, resume-vm, migrate-vm, kill-vm through VmControl.
 * Rules: a pause by vmpath is journaled (memory.pausedByVmpath) so it is always resumed or handed
 * to the resume policy, also after a crash; an automatic resume-vm of a VM vmpath did not pause
 * is skipped — vmpath never resumes someone else's pause. An operator resume (`vmpath resume
 * --force`) may.
 */
import type { Action } from '../model/plan';
import { validateVmId } from '../model/names';
import type { ActEnv, Prepared } from './types';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

export async function preparePause(env: ActEnv, a: Of<'pause-vm' | 'resume-vm'>): Promise<Prepared> {
  const vm = await env.vmRef(validateVmId(a.vmId));
  const state = await env.vmControl.status(vm);
  if (state === 'paused') {
    const ours = env.journal.memory().pausedByVmpath[a.vmId] !== undefined;
    return ours
      ? { unchanged: true, message: 'paused by vmpath' }
      : { unchanged: 'skip', message: 'already paused by someone else: not taken over' };
  }
  const key = `paused:${a.vmId}`;
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: pause (${a.reason})`,
    undo: {
      key,
      vmId: a.vmId,
      inverse: {
        kind: 'resume-vm',
        vmId: a.vmId,
        id: `release:${key}`,
        reason: 'release',
        trigger: 'operator',
        origins: [],
      },
    },
    run: async () => {
      await env.vmControl.pause(vm);
    },
  };
}

export async function prepareResume(
  env: ActEnv,
  a: Of<'pause-vm' | 'resume-vm'>,
  force = false,
): Promise<Prepared> {
  const vm = await env.vmRef(validateVmId(a.vmId));
  const ours = env.journal.memory().pausedByVmpath[a.vmId] !== undefined;
  const state = await env.vmControl.status(vm);
  if (state === 'running') return { unchanged: true, message: 'running' };
  if (!ours && !force) return { unchanged: 'skip', message: 'not paused by vmpath: never resumed by it' };
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: resume (${a.reason})`,
    run: async () => {
      await env.vmControl.resume(vm);
    },
  };
}

export async function prepareMigrate(env: ActEnv, a: Of<'migrate-vm'>): Promise<Prepared> {
  const vm = await env.vmRef(validateVmId(a.vmId));
  const inFlight = env.journal.memory().migrations[a.vmId];
  if (inFlight?.target === a.target) return { unchanged: true, message: `migrating to ${a.target}` };
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: live-migrate to ${a.target}`,
    run: async () => {
      await env.vmControl.migrate(vm, a.target);
    },
  };
}

export async function prepareKill(env: ActEnv, a: Of<'kill-vm'>): Promise<Prepared> {
  const vm = await env.vmRef(validateVmId(a.vmId));
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: hard stop (${a.reason})`,
    run: async () => {
      await env.vmControl.kill(vm);
    },
  };
}
