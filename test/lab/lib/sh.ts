/**
 * Small synchronous process helpers for the in-guest suites: argv arrays only (never a shell),
 * a timeout on every call, background processes writing to files (never to our pipes, or the
 * guest could not power off while they live).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ShOptions {
  readonly timeoutMs?: number;
  /** Do not throw on a non-zero exit status. */
  readonly allowFail?: boolean;
  readonly input?: string;
}

export class CommandFailed extends Error {}

/** Runs argv; throws CommandFailed on a non-zero status (unless allowFail) or a timeout. */
export function sh(argv: readonly string[], options: ShOptions = {}): Ran {
  const [program, ...args] = argv;
  if (!program) throw new CommandFailed('empty argv');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const r = spawnSync(program, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    input: options.input ?? '',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (r.error) throw new CommandFailed(`${argv.join(' ')}: ${r.error.message}`);
  const status = r.status ?? 128;
  if (r.signal)
    throw new CommandFailed(`${argv.join(' ')}: killed by ${r.signal} (timeout ${timeoutMs} ms?)`);
  if (status !== 0 && !options.allowFail) {
    throw new CommandFailed(
      `${argv.join(' ')}: exit ${status}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
    );
  }
  return { status, stdout: r.stdout, stderr: r.stderr };
}

/** stdout of argv, trimmed. */
export function out(argv: readonly string[], options: ShOptions = {}): string {
  return sh(argv, options).stdout.trim();
}

/** Starts argv in the background with stdout+stderr appended to logFile (stdin /dev/null). */
export function background(argv: readonly string[], logFile: string): ChildProcess {
  const [program, ...args] = argv;
  if (!program) throw new CommandFailed('empty argv');
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn(program, args, { stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' } });
    child.on('error', () => undefined);
    return child;
  } finally {
    fs.closeSync(fd);
  }
}

/** Kills a background child and waits (up to 5 s) for it to be gone. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await Promise.race([gone, sleep(5000)]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Seconds since boot (the clock the kernel stamps uevents with). */
export function uptime(): number {
  return Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/** Polls fn every intervalMs until it returns a value other than undefined; throws after timeoutMs. */
export async function until<T>(
  what: string,
  fn: () => T | undefined,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Writes a sysfs/cgroupfs attribute the way the kernel wants it (one write, newline ended). */
export function writeAttr(path: string, value: string): void {
  fs.writeFileSync(path, value.endsWith('\n') ? value : `${value}\n`);
}

export function readAttr(path: string): string {
  return fs.readFileSync(path, 'utf8').trim();
}
