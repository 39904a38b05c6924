/**
 * Reading a QEMU command line: is it QEMU at all, and what does it say about its identity
 * (-name, -uuid, Proxmox's -id, -pidfile, monitor socket paths). Pure; never throws.
 */

/** QEMU executables: qemu-system-*, Proxmox's /usr/bin/kvm, RHEL's qemu-kvm. */
export function isQemuArgv(argv: readonly string[]): boolean {
  const exe = argv[0];
  if (!exe) return false;
  const base = exe.slice(exe.lastIndexOf('/') + 1);
  return base.startsWith('qemu-system-') || base === 'kvm' || base === 'qemu-kvm';
}

/**
 * QEMU's `key=value,key=value` option syntax: `,,` is a literal comma; a first item without `=`
 * is the value of `impliedKey` (e.g. `-name vm1,debug-threads=on` → guest=vm1).
 */
export function parseQemuOptString(text: string, impliedKey?: string): Map<string, string> {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === ',' && text[i + 1] === ',') {
      current += ',';
      i++;
    } else if (ch === ',') {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  const out = new Map<string, string>();
  items.forEach((item, i) => {
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (i === 0 && impliedKey) out.set(impliedKey, item);
      else if (item) out.set(item, 'on');
    } else out.set(item.slice(0, eq), item.slice(eq + 1));
  });
  return out;
}

export interface QemuIdentityArgs {
  /** `-name` guest name. */
  readonly name?: string;
  readonly uuid?: string;
  /** Proxmox's `-id N` (a pve-qemu option; upstream QEMU rejects it). */
  readonly id?: string;
  readonly pidfile?: string;
  /** Paths mentioned by -chardev/-qmp/-monitor sockets and -pidfile. */
  readonly paths: readonly string[];
  /**
   * The QMP (control-mode) monitor's unix socket: `-qmp unix:PATH,...`, or a `-chardev
   * socket,id=ID,path=PATH` used by `-mon chardev=ID,mode=control`.
   */
  readonly qmpSocket?: string;
}

/** `--opt` and `-opt` are the same to QEMU; `-opt=value` is not QEMU syntax and is ignored. */
function optionName(arg: string): string | undefined {
  if (!arg.startsWith('-')) return undefined;
  return arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
}

const SOCKET_PATH = /(?:^|,)path=([^,]+)/;

export function qemuIdentityArgs(argv: readonly string[]): QemuIdentityArgs {
  let name: string | undefined;
  let uuid: string | undefined;
  let id: string | undefined;
  let pidfile: string | undefined;
  let qmpSocket: string | undefined;
  const paths: string[] = [];
  const chardevs = new Map<string, string>();
  const controlMons: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const opt = optionName(argv[i] as string);
    const value = argv[i + 1];
    if (opt === undefined || value === undefined) continue;
    switch (opt) {
      case 'name':
        name = parseQemuOptString(value, 'guest').get('guest') || name;
        break;
      case 'uuid':
        uuid = value;
        break;
      case 'id':
        id = value;
        break;
      case 'pidfile':
        pidfile = value;
        paths.push(value);
        break;
      case 'chardev':
      case 'qmp':
      case 'qmp-pretty':
      case 'monitor': {
        const m = SOCKET_PATH.exec(value) ?? /^unix:([^,]+)/.exec(value);
        if (m) paths.push(m[1] as string);
        if (m && opt === 'chardev') {
          const chardevId = parseQemuOptString(value, 'backend').get('id');
          if (chardevId) chardevs.set(chardevId, m[1] as string);
        }
        if (m && opt.startsWith('qmp')) qmpSocket ??= m[1] as string;
        break;
      }
      case 'mon': {
        const mon = parseQemuOptString(value, 'chardev');
        const dev = mon.get('chardev');
        if (dev && mon.get('mode') === 'control') controlMons.push(dev);
        break;
      }
      default:
        continue;
    }
    i++;
  }
  return {
    ...(name !== undefined ? { name } : {}),
    ...(uuid !== undefined ? { uuid } : {}),
    ...(id !== undefined ? { id } : {}),
    ...(pidfile !== undefined ? { pidfile } : {}),
    paths,
    ...(() => {
      const fromMon = controlMons.map((d) => chardevs.get(d)).find((p) => p !== undefined);
      const qmp = qmpSocket ?? fromMon;
      return qmp !== undefined ? { qmpSocket: qmp } : {};
    })(),
  };
}
