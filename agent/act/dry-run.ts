/**
 * Dry run: the same actuators against seams that record instead of changing the host. Reads go
 * to the real host (so desired-vs-observed is real); writes, mutating commands and VM control
 * calls are recorded as effects and answered as if they had worked. dm tables created or loaded
 * during the dry run are remembered, so `dmsetup table` after a dry `load`+`resume` shows the
 * new table (the move-lv verification passes as it would for real).
 */
import type { CommandResult, CommandRunner, HostFs, RunOptions, VmControl, VmRef } from '../model/seams';
import type { ConfigFiles } from './config-files';

/** Commands that only read: passed through. Everything else is recorded. */
function isReadOnly(argv: readonly string[]): boolean {
  const [prog, sub] = argv;
  if (prog === 'dmsetup') return ['table', 'status', 'info', 'ls', 'deps', 'version'].includes(sub ?? '');
  if (prog === 'multipathd') return sub === 'show' || sub === 'list';
  if (prog === 'multipath') return sub === '-h' || sub === '-ll' || sub === '-l';
  return false;
}

export class EffectLog {
  readonly effects: string[] = [];
  record(effect: string): void {
    this.effects.push(effect);
  }
  /** Effects recorded since `mark`. */
  since(mark: number): string[] {
    return this.effects.slice(mark);
  }
}

export class DryRunRunner implements CommandRunner {
  private readonly tables = new Map<string, string>();
  private readonly loaded = new Map<string, string>();
  constructor(
    private readonly real: CommandRunner,
    private readonly log: EffectLog,
  ) {}

  async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const [prog, sub, name] = argv;
    if (prog === 'dmsetup' && sub === 'table' && name && this.tables.has(name)) {
      return { exitCode: 0, stdout: `${this.tables.get(name)}\n`, stderr: '' };
    }
    if (isReadOnly(argv)) return this.real.run(argv, options);
    this.log.record(`run: ${argv.join(' ')}`);
    const tableArg = argv.indexOf('--table');
    if (prog === 'dmsetup' && name && tableArg > 0) {
      const t = argv[tableArg + 1] ?? '';
      if (sub === 'create') this.tables.set(name, t);
      if (sub === 'load') this.loaded.set(name, t);
    }
    if (prog === 'dmsetup' && sub === 'resume' && name && this.loaded.has(name)) {
      this.tables.set(name, this.loaded.get(name) as string);
    }
    return { exitCode: 0, stdout: prog === 'multipathd' ? 'ok\n' : '', stderr: '' };
  }
}

export class DryRunFs implements HostFs {
  constructor(
    private readonly real: HostFs,
    private readonly log: EffectLog,
  ) {}
  get root(): string {
    return this.real.root;
  }
  readFile(p: string) {
    return this.real.readFile(p);
  }
  async writeFile(p: string, data: string): Promise<void> {
    this.log.record(`write: ${p} <- ${JSON.stringify(data.trimEnd())}`);
  }
  readdir(p: string) {
    return this.real.readdir(p);
  }
  readlink(p: string) {
    return this.real.readlink(p);
  }
  realpath(p: string) {
    return this.real.realpath(p);
  }
  exists(p: string) {
    return this.real.exists(p);
  }
  blockDevT(p: string) {
    return this.real.blockDevT(p);
  }
}

export class DryRunFiles implements ConfigFiles {
  constructor(
    private readonly real: ConfigFiles,
    private readonly log: EffectLog,
  ) {}
  read(p: string) {
    return this.real.read(p);
  }
  async write(p: string, data: string): Promise<void> {
    this.log.record(`write file: ${p} (${data.split('\n').length - 1} lines)`);
  }
  async remove(p: string): Promise<void> {
    this.log.record(`remove file: ${p}`);
  }
}

export class DryRunVmControl implements VmControl {
  constructor(
    private readonly real: VmControl,
    private readonly log: EffectLog,
  ) {}
  status(vm: VmRef) {
    return this.real.status(vm);
  }
  async pause(vm: VmRef) {
    this.log.record(`vm ${vm.id} (${vm.kind}): pause`);
  }
  async resume(vm: VmRef) {
    this.log.record(`vm ${vm.id} (${vm.kind}): resume`);
  }
  async migrate(vm: VmRef, target: string) {
    this.log.record(`vm ${vm.id} (${vm.kind}): migrate to ${target}`);
  }
  async kill(vm: VmRef) {
    this.log.record(`vm ${vm.id} (${vm.kind}): kill`);
  }
}
