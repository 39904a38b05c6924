/**
 * Kernel uevents from `udevadm monitor --kernel --property --subsystem-match=block`, parsed into
 * property maps. dm-multipath emits DM_ACTION=PATH_FAILED / PATH_REINSTATED with DM_PATH=MAJ:MIN
 * and DM_NAME within milliseconds of a path error under I/O (DESIGN §3.4). The monitor only turns
 * them into queue keys; it never acts itself. A dead monitor is restarted with backoff.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

export type Uevent = Readonly<Record<string, string>>;

/** Incremental parser: feed text chunks, get complete events (blank-line separated blocks). */
export class UeventParser {
  private buffer = '';
  private current: Record<string, string> = {};

  feed(chunk: string): Uevent[] {
    this.buffer += chunk;
    const events: Uevent[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line === '') {
        if (Object.keys(this.current).length > 0) events.push(Object.freeze(this.current));
        this.current = {};
        continue;
      }
      const eq = line.indexOf('=');
      if (eq > 0 && /^[A-Z0-9_]+$/.test(line.slice(0, eq)))
        this.current[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (this.buffer.length > 65536) this.buffer = ''; // garbage without newlines: drop, never grow
    return events;
  }
}

/** The queue key a uevent should wake, or undefined when it is not about multipath paths. */
export function ueventKey(ev: Uevent): string | undefined {
  const action = ev['DM_ACTION'];
  if (action === 'PATH_FAILED' || action === 'PATH_REINSTATED')
    return `map:${ev['DM_NAME'] ?? ev['DEVNAME'] ?? '?'}`;
  if (ev['SUBSYSTEM'] === 'block' && (ev['ACTION'] === 'add' || ev['ACTION'] === 'remove'))
    return `dev:${ev['DEVNAME'] ?? '?'}`;
  return undefined;
}

export interface UeventMonitorOptions {
  readonly argv?: readonly string[];
  readonly restartDelayMs?: number;
}

/** Emits 'uevent' (Uevent) and 'error' (Error, e.g. udevadm missing). */
export class UeventMonitor extends EventEmitter {
  private child?: ChildProcess;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(private readonly options: UeventMonitorOptions = {}) {
    super();
  }

  start(): void {
    this.stopped = false;
    const [program, ...args] = this.options.argv ?? [
      'udevadm',
      'monitor',
      '--kernel',
      '--property',
      '--subsystem-match=block',
    ];
    const parser = new UeventParser();
    const child = spawn(program as string, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      for (const ev of parser.feed(chunk)) this.emit('uevent', ev);
    });
    child.on('error', (e) => this.emit('error', e));
    child.on('close', () => {
      if (this.stopped) return;
      this.restartTimer = setTimeout(() => this.start(), this.options.restartDelayMs ?? 5_000);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child?.kill('SIGTERM');
  }
}
