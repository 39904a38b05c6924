/**
 * The simulated host's CommandRunner: multipathd, multipath and dmsetup, answering in their
 * real formats and with their real failure modes (multipathd `fail`, help text with exit 0 for
 * unknown commands; dmsetup ioctl errors on stderr with exit 1). Any other program is not
 * installed (CommandNotFoundError), as on a host without it.
 */
import { CommandNotFoundError } from '../model/errors';
import type { CommandResult, CommandRunner } from '../model/seams';
import type { SimCtx } from './dm-kernel';
import { findDmPath } from './dm-kernel';
import type { DmErrno, DmResult } from './dm-lifecycle';
import { dmCreate, dmLoad, dmMessage, dmRemove, dmResume, dmSuspend, openCount } from './dm-lifecycle';
import { infoBlocks, infoColumns, lsLines, statusLines, tableLines } from './format-dmsetup';
import { showMapJson, showMaps, showMapsJson, showPaths, topology } from './format-multipathd';
import { managedMaps, operatorFail, operatorReinstate, operatorSwitch } from './multipathd';
import type { DmDev } from './state';

export const VERSION_LINE = 'multipath-tools v0.9.4 (12/19, 2022)';

const MULTIPATHD_HELP =
  `${VERSION_LINE}\nCLI commands reference:\n` +
  [
    'list|show paths',
    'list|show paths format $format',
    'list|show paths raw format $format',
    'list|show path $path',
    'list|show maps|multipaths',
    'list|show maps|multipaths json',
    'list|show maps|multipaths topology',
    'list|show map|multipath $map json',
    'list|show map|multipath $map topology',
    'list|show topology',
    'list|show status',
    'list|show daemon',
    'list|show config',
    'add path $path',
    'remove|del path $path',
    'switch|switchgroup map|multipath $map group $group',
    'reconfigure',
    'fail path $path',
    'reinstate path $path',
    'suspend map|multipath $map',
    'resume map|multipath $map',
    'quit|exit',
  ]
    .map((l) => ` ${l}\n`)
    .join('');

const MULTIPATH_USAGE =
  `${VERSION_LINE}\nUsage:\n` +
  '  multipath [-v level] [-B|-d|-i|-q|-r] [-b file] [-p policy] [device]\n' +
  '  multipath [-v level] [-l|-ll] [device]\n' +
  '  multipath [-h|-t|-T]\n';

const ERRNO_TEXT: Record<DmErrno, string> = {
  EBUSY: 'Device or resource busy',
  ENXIO: 'No such device or address',
  EINVAL: 'Invalid argument',
};

const out = (stdout: string, exitCode = 0): CommandResult => ({ exitCode, stdout, stderr: '' });
const err = (stderr: string, exitCode = 1): CommandResult => ({ exitCode, stdout: '', stderr });
const dmFail = (ioctl: string, name: string, errno: DmErrno): CommandResult =>
  err(`device-mapper: ${ioctl} ioctl on ${name}  failed: ${ERRNO_TEXT[errno]}\nCommand failed.\n`);

export interface RunnerHooks {
  /** Texts of /etc/multipath.conf and /etc/multipath/conf.d/*.conf under the root. */
  readConfigs(): string[];
  /** Reconfigure with those texts (multipathd). */
  reconfigure(confs: string[]): void;
  /** Called after every command that may have changed state. */
  changed(): void;
}

export class SimCommandRunner implements CommandRunner {
  /** Every argv run, for tests and the demo's log. */
  readonly calls: string[][] = [];

  constructor(
    private readonly ctx: SimCtx,
    private readonly hooks: RunnerHooks,
  ) {}

  async run(argv: readonly string[]): Promise<CommandResult> {
    return this.runSync(argv);
  }

  runSync(argv: readonly string[]): CommandResult {
    this.calls.push([...argv]);
    const [prog, ...args] = argv;
    const base = (prog ?? '').replace(/^.*\//, '');
    let r: CommandResult;
    if (base === 'multipathd') r = this.multipathd(args);
    else if (base === 'multipath') r = this.multipath(args);
    else if (base === 'dmsetup') r = this.dmsetup(args);
    else throw new CommandNotFoundError(`${prog ?? ''}: not found`, { argv });
    this.hooks.changed();
    return r;
  }

  private maps(): DmDev[] {
    return managedMaps(this.ctx).sort((a, b) => a.minor - b.minor);
  }

  private multipathd(args: readonly string[]): CommandResult {
    const w = args.length === 1 ? (args[0] ?? '').split(/\s+/).filter(Boolean) : [...args];
    const now = this.ctx.nowMs();
    const verb = w[0] === 'list' ? 'show' : w[0];
    const key = [verb, ...w.slice(1)].join(' ');
    const reply = (ok: boolean): CommandResult => (ok ? out('ok\n') : out('fail\n', 1));
    const { state } = this.ctx;
    if (key === 'show maps json' || key === 'show multipaths json')
      return out(showMapsJson(this.maps(), now));
    if (key === 'show maps' || key === 'show multipaths') return out(showMaps(this.maps()));
    if (key === 'show topology' || key === 'show maps topology') return out(topology(this.maps(), 'daemon'));
    if (key === 'show paths')
      return out(
        showPaths(
          state.paths,
          (p) => {
            const dm = state.dm.get(p.lun.alias);
            return dm?.mpd ? findDmPath(dm, p.devT) : undefined;
          },
          now,
        ),
      );
    if (key === 'show daemon') return out('pid 295 idle\n');
    if (key === 'show status') {
      const up = state.paths.filter((p) => !p.deleted && p.checker === 'ready').length;
      const down = state.paths.filter((p) => !p.deleted && p.checker === 'faulty').length;
      let s = 'path checker states:\n';
      if (up) s += `${'up'.padEnd(20)}${up}\n`;
      if (down) s += `${'down'.padEnd(20)}${down}\n`;
      return out(`${s}\npaths: ${up + down}\nbusy: False\n`);
    }
    if (key === 'reconfigure') {
      this.hooks.reconfigure(this.hooks.readConfigs());
      return out('ok\n');
    }
    const m = /^show (?:map|multipath) (\S+) json$/.exec(key);
    if (m) {
      const dm = state.dm.get(m[1] as string);
      return dm?.mpd ? out(showMapJson(dm, now)) : reply(false);
    }
    const sg = /^(?:switch|switchgroup) (?:map|multipath) (\S+) group (\S+)$/.exec(key);
    if (sg) {
      const dm = state.dm.get(sg[1] as string);
      return reply(!!dm?.mpd && /^\d+$/.test(sg[2] as string) && operatorSwitch(this.ctx, dm, Number(sg[2])));
    }
    const fp = /^(fail|reinstate) path (\S+)$/.exec(key);
    if (fp) {
      const name = (fp[2] as string).replace(/^\/dev\//, '');
      const p = state.paths.find((x) => !x.deleted && (x.dev === name || x.devT === name));
      if (!p) return reply(false);
      return reply(fp[1] === 'fail' ? operatorFail(this.ctx, p) : operatorReinstate(this.ctx, p));
    }
    return out(MULTIPATHD_HELP);
  }

  private multipath(args: readonly string[]): CommandResult {
    if (args.length === 1 && args[0] === '-h') return { exitCode: 0, stdout: '', stderr: MULTIPATH_USAGE };
    if (args[0] === '-ll' || args[0] === '-l') {
      const target = args[1];
      const maps = this.maps().filter(
        (d) =>
          !target || d.name === target || d.mpd?.lun.wwid === target || `/dev/mapper/${d.name}` === target,
      );
      return out(topology(maps, 'll'));
    }
    return { exitCode: 1, stdout: '', stderr: MULTIPATH_USAGE };
  }

  private dmsetup(args: readonly string[]): CommandResult {
    const opts = new Map<string, string>();
    const flags = new Set<string>();
    const pos: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '--target' || a === '--uuid' || a === '--table' || a === '-u') {
        const v = args[++i];
        if (v === undefined) return err(`dmsetup: option '${a}' requires an argument\n`);
        opts.set(a === '-u' ? '--uuid' : a, v);
      } else if (a.startsWith('-')) flags.add(a);
      else pos.push(a);
    }
    const [cmd, name, ...rest] = pos;
    const { state } = this.ctx;
    const all = (): DmDev[] => {
      const target = opts.get('--target');
      return [...state.dm.values()]
        .filter((d) => !target || d.live.kind === target)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    };
    // A name, or a path as libdevmapper accepts one (/dev/mapper/NAME, /dev/dm-N); a bare
    // kernel name (dm-3) is just a name that does not exist, as with the real dmsetup.
    const one = (n: string): DmDev | undefined => {
      const kernel = /^\/dev\/dm-(\d+)$/.exec(n)?.[1];
      if (kernel !== undefined) return state.dmByDevT.get(`253:${kernel}`);
      return state.dm.get(n.replace(/^\/dev\/mapper\//, ''));
    };
    const result = (r: DmResult, n: string): CommandResult => (r.ok ? out('') : dmFail(r.ioctl, n, r.errno));
    const inflight = (): number => 0;
    const open = (d: DmDev): number => openCount(this.ctx, d);

    switch (cmd) {
      case 'table':
      case 'status': {
        const fmt = cmd === 'table' ? tableLines : (d: DmDev[], p: boolean) => statusLines(d, p, inflight);
        if (!name) return out(fmt(all(), true));
        const dm = one(name);
        if (!dm) return dmFail(cmd, name, 'ENXIO');
        const target = opts.get('--target');
        return out(fmt(target && dm.live.kind !== target ? [] : [dm], false));
      }
      case 'ls':
        return out(lsLines(all()));
      case 'info': {
        const devs = name ? [one(name)].filter((d): d is DmDev => !!d) : all();
        if (name && devs.length === 0)
          return { exitCode: 1, stdout: 'Device does not exist.\n', stderr: 'Command failed.\n' };
        return out(
          flags.has('-c') || flags.has('--columns') ? infoColumns(devs, open) : infoBlocks(devs, open),
        );
      }
      case 'create': {
        const table = opts.get('--table');
        if (!name || table === undefined) return err('dmsetup create: missing name or --table\n');
        return result(dmCreate(this.ctx, name, opts.get('--uuid') ?? '', table), name);
      }
      case 'load':
      case 'reload': {
        const table = opts.get('--table');
        if (!name || table === undefined) return err(`dmsetup ${cmd}: missing name or --table\n`);
        const dm = one(name);
        return dm ? result(dmLoad(this.ctx, dm, table), name) : dmFail('reload', name, 'ENXIO');
      }
      case 'remove':
      case 'suspend':
      case 'resume': {
        if (!name) return err(`dmsetup ${cmd}: missing device name\n`);
        const dm = one(name);
        if (!dm) return dmFail(cmd, name, 'ENXIO');
        const op = cmd === 'remove' ? dmRemove : cmd === 'suspend' ? dmSuspend : dmResume;
        return result(op(this.ctx, dm), name);
      }
      case 'message': {
        const [sector, ...words] = rest;
        if (!name || sector === undefined || words.length === 0)
          return err('dmsetup message: missing arguments\n');
        const dm = one(name);
        if (!dm) return dmFail('message', name, 'ENXIO');
        return result(dmMessage(this.ctx, dm, words), name);
      }
      default:
        return err('Unknown command\nCommand failed.\n');
    }
  }
}
