/**
 * The real CommandRunner: spawn with an argv array (never a shell), collect output, kill on
 * timeout. Output is capped so a runaway program cannot exhaust memory.
 */
import { spawn } from 'node:child_process';
import { CommandNotFoundError, CommandTimeoutError, InvalidNameError } from '../model/errors';
import type { CommandResult, CommandRunner, RunOptions } from '../model/seams';

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export class ProcessCommandRunner implements CommandRunner {
  constructor(private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const [program, ...args] = argv;
    if (!program || argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
      return Promise.reject(new InvalidNameError(`invalid argv: ${JSON.stringify(argv)}`));
    }
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<CommandResult>((resolve, reject) => {
      const child = spawn(program, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_OUTPUT_BYTES) into.push(chunk);
        else child.kill('SIGKILL');
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (e.code === 'ENOENT') reject(new CommandNotFoundError(`${program}: not found`, { argv }, e));
        else reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(
            new CommandTimeoutError(`${argv.join(' ')}: timed out after ${timeoutMs} ms`, {
              argv,
              timeoutMs,
            }),
          );
          return;
        }
        resolve({
          exitCode: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
  }
}
