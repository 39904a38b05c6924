/** Test doubles at the OS edge for act/ unit tests: a scripted runner, a fake VM control, a snapshot. */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandResult, CommandRunner, VmControl, VmRef } from '../../../agent/model/seams';
import type { HostSnapshot, MultipathMap } from '../../../agent/model/snapshot';
import type { Action, Plan } from '../../../agent/model/plan';
import { RootedHostFs } from '../../../agent/os/host-fs';
import { Journal, type ActContext } from '../../../agent/act';

export type Answer = CommandResult | string | ((argv: readonly string[]) => CommandResult | string);

/** Answers by exact argv (joined by spaces); a queue per key answers in order, the last repeats. */
export class ScriptedRunner implements CommandRunner {
  readonly calls: string[] = [];
  private readonly script = new Map<string, Answer[]>();

  on(argv: string, ...answers: Answer[]): this {
    this.script.set(argv, answers);
    return this;
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    const key = argv.join(' ');
    this.calls.push(key);
    const queue = this.script.get(key);
    if (!queue || queue.length === 0) throw new Error(`unexpected command: ${key}`);
    const a = (queue.length > 1 ? queue.shift() : queue[0]) as Answer;
    const v = typeof a === 'function' ? a(argv) : a;
    return typeof v === 'string' ? { exitCode: 0, stdout: v, stderr: '' } : v;
  }
}

export const fail = (stderr: string, exitCode = 1): CommandResult => ({ exitCode, stdout: '', stderr });

export class FakeVms implements VmControl {
  readonly calls: string[] = [];
  constructor(readonly states: Map<string, 'running' | 'paused'> = new Map()) {}
  async status(vm: VmRef) {
    this.calls.push(`status ${vm.id}`);
    const s = this.states.get(vm.id);
    if (!s) throw new Error(`no vm ${vm.id}`);
    return s;
  }
  async pause(vm: VmRef) {
    this.calls.push(`pause ${vm.id}`);
    this.states.set(vm.id, 'paused');
  }
  async resume(vm: VmRef) {
    this.calls.push(`resume ${vm.id}`);
    this.states.set(vm.id, 'running');
  }
  async migrate(vm: VmRef, target: string) {
    this.calls.push(`migrate ${vm.id} ${target}`);
  }
  async kill(vm: VmRef) {
    this.calls.push(`kill ${vm.id}`);
    this.states.delete(vm.id);
  }
}

export function map(name: string, extra: Partial<MultipathMap> = {}): MultipathMap {
  return {
    name,
    wwid: `3600a0b80000${name}`,
    dm: 'dm-0',
    devT: '253:0',
    sizeSectors: 131072,
    features: [],
    queueIfNoPath: false,
    queueMode: 'rq',
    hwHandler: '',
    groups: [
      {
        index: 1,
        state: 'active',
        selector: 'service-time',
        selectorArgs: [],
        paths: [{ dev: 'sda', devT: '8:0', dmState: 'active' }],
      },
      {
        index: 2,
        state: 'enabled',
        selector: 'service-time',
        selectorArgs: [],
        paths: [{ dev: 'sdb', devT: '8:16', dmState: 'active' }],
      },
    ],
    activeGroup: 1,
    nextGroup: 1,
    owner: 'multipathd',
    holders: [],
    ...extra,
  };
}

export function snapshot(maps: MultipathMap[], vms: HostSnapshot['vms'] = []): HostSnapshot {
  return {
    takenAtMs: 0,
    host: { hostname: 'h', cgroupMode: 'v1' },
    maps,
    paths: [
      {
        dev: 'sda',
        devT: '8:0',
        deviceState: 'running',
        inflight: { read: 0, write: 0 },
        transport: { kind: 'fc' },
      },
      {
        dev: 'sdb',
        devT: '8:16',
        deviceState: 'running',
        inflight: { read: 0, write: 0 },
        transport: { kind: 'fc' },
      },
    ],
    vms,
    diagnostics: [],
  };
}

export const plan = (...actions: Action[]): Plan => ({ actions, decisions: [], warnings: [] });

export const base = { reason: 'test', origins: [], trigger: 'automatic' as const };

const roots: string[] = [];
afterAll(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A fresh host root, removed after the test file. */
export function tmpRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmpath-act-unit-'));
  roots.push(root);
  return root;
}

export const clock = { nowMs: () => 1_700_000_000_000 };

export async function context(runner: CommandRunner, extra: Partial<ActContext> = {}): Promise<ActContext> {
  const root = tmpRoot();
  return {
    fs: new RootedHostFs(root),
    runner,
    vmControl: new FakeVms(),
    journal: await Journal.inMemory({ clock }),
    clock,
    mounts: { v1Blkio: '/sys/fs/cgroup/blkio', v2: '/sys/fs/cgroup' },
    ...extra,
  };
}
