/** `udevadm monitor --kernel --property` into a file, parsed into events with the kernel's timestamps. */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { background, stop, until } from './sh';

export interface Uevent {
  /** Seconds since boot, as the kernel stamped it (same clock as /proc/uptime). */
  readonly ts: number;
  readonly action: string;
  readonly devpath: string;
  readonly props: Readonly<Record<string, string>>;
}

export class UeventMonitor {
  private constructor(
    private readonly child: ChildProcess,
    readonly file: string,
  ) {}

  static async start(file: string): Promise<UeventMonitor> {
    fs.writeFileSync(file, '');
    const child = background(
      ['udevadm', 'monitor', '--kernel', '--property', '--subsystem-match=block'],
      file,
    );
    await until('udevadm monitor to start', () =>
      fs.readFileSync(file, 'utf8').includes('KERNEL - the kernel uevent') ? true : undefined,
    );
    return new UeventMonitor(child, file);
  }

  events(): Uevent[] {
    const text = fs.readFileSync(this.file, 'utf8');
    const evs: Uevent[] = [];
    for (const block of text.split(/\n\s*\n/)) {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      const head = lines.findIndex((l) => l.startsWith('KERNEL['));
      if (head < 0) continue;
      const m = /^KERNEL\[([\d.]+)\]\s+(\S+)\s+(\S+)/.exec(lines[head] ?? '');
      if (!m) continue;
      const props: Record<string, string> = {};
      for (const l of lines.slice(head + 1)) {
        const eq = l.indexOf('=');
        if (eq > 0) props[l.slice(0, eq)] = l.slice(eq + 1);
      }
      evs.push({ ts: Number(m[1]), action: m[2] ?? '', devpath: m[3] ?? '', props });
    }
    return evs;
  }

  /** Waits for a dm uevent DM_ACTION=action for path devt (MAJ:MIN) stamped at or after since. */
  waitFor(action: string, devt: string, since: number, timeoutMs = 30_000): Promise<Uevent> {
    return until(
      `uevent DM_ACTION=${action} DM_PATH=${devt}`,
      () =>
        this.events().find((e) => e.ts >= since && e.props.DM_ACTION === action && e.props.DM_PATH === devt),
      timeoutMs,
      20,
    );
  }

  stop(): Promise<void> {
    return stop(this.child);
  }
}
