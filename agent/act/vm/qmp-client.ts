/**
 * A one-shot QMP client over a unix socket: connect, read the greeting, `qmp_capabilities`, run
 * commands, disconnect. QMP serves ONE client at a time: while another client holds the socket,
 * the connection is accepted but no greeting comes — that is a QmpTimeoutError (retryable), so
 * callers connect, act and disconnect quickly and retry later.
 *
 * Errors: no greeting/reply in time → QmpTimeoutError; connection closed before the reply
 * (QEMU died or restarted) → QmpClosedError; socket missing → VmNotFoundError; connection
 * refused → QmpClosedError; `{"error": {class, desc}}` → QmpError with class and desc.
 */
import * as net from 'node:net';
import { QmpClosedError, QmpError, QmpTimeoutError, VmNotFoundError } from '../../model/errors';

export interface QmpOptions {
  /** Per step (greeting, each reply), milliseconds. Default 3000. */
  readonly timeoutMs?: number;
}

type Json = Record<string, unknown>;

export class QmpSession {
  private buffer = '';
  private readonly queue: Json[] = [];
  private waiter: ((v: Json | Error) => void) | undefined;
  private closedError: Error | undefined;
  private nextId = 1;

  private constructor(
    private readonly socket: net.Socket,
    private readonly path: string,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    const onGone = (err?: Error) =>
      this.fail(
        new QmpClosedError(`QMP ${path}: connection closed${err ? `: ${err.message}` : ''}`, { path }, err),
      );
    socket.on('close', () => onGone());
    socket.on('error', (err) => onGone(err));
  }

  /** Connect, wait for the greeting, negotiate capabilities. */
  static async connect(path: string, options: QmpOptions = {}): Promise<QmpSession> {
    const timeoutMs = options.timeoutMs ?? 3000;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection({ path });
      const timer = setTimeout(() => {
        s.destroy();
        reject(
          new QmpTimeoutError(`QMP ${path}: connect timed out after ${timeoutMs} ms`, { path, timeoutMs }),
        );
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err.code === 'ENOENT')
          reject(new VmNotFoundError(`QMP socket ${path} does not exist`, { path }, err));
        else
          reject(
            new QmpClosedError(`QMP ${path}: ${err.code ?? err.message}`, { path, errno: err.code }, err),
          );
      });
    });
    const session = new QmpSession(socket, path, timeoutMs);
    try {
      const greeting = await session.next('greeting (another QMP client may hold the socket)');
      if (!('QMP' in greeting)) throw new QmpError(`QMP ${path}: unexpected greeting`, { greeting });
      await session.execute('qmp_capabilities');
      return session;
    } catch (e) {
      session.close();
      throw e;
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: Json;
      try {
        msg = JSON.parse(line) as Json;
      } catch {
        continue; // QMP emits only JSON objects; ignore noise
      }
      if ('event' in msg) continue; // asynchronous events (STOP, RESUME, ...) are not replies
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(msg);
      } else this.queue.push(msg);
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(err);
    }
  }

  private next(what: string): Promise<Json> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(
          new QmpTimeoutError(`QMP ${this.path}: no ${what} within ${this.timeoutMs} ms`, {
            path: this.path,
          }),
        );
      }, this.timeoutMs);
      this.waiter = (v) => {
        clearTimeout(timer);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
    });
  }

  /** Run one command; resolves with its `return` value. */
  async execute(command: string, args?: Json): Promise<unknown> {
    if (this.closedError) throw this.closedError;
    const id = `vmpath-${this.nextId++}`;
    this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    for (;;) {
      const msg = await this.next(`reply to ${command}`);
      if (msg['id'] !== undefined && msg['id'] !== id) continue;
      if ('error' in msg) {
        const err = (msg['error'] ?? {}) as { class?: string; desc?: string };
        throw new QmpError(`QMP ${command}: ${err.class ?? 'Error'}: ${err.desc ?? ''}`, {
          path: this.path,
          command,
          class: err.class,
          desc: err.desc,
        });
      }
      if ('return' in msg) return msg['return'];
    }
  }

  close(): void {
    this.closedError ??= new QmpClosedError(`QMP ${this.path}: closed by vmpath`, { path: this.path });
    this.socket.destroy();
  }
}

/** connect → command → disconnect: the only way vmpath uses QMP (it must not hold the socket). */
export async function qmpCommand(
  path: string,
  command: string,
  args?: Json,
  options: QmpOptions = {},
): Promise<unknown> {
  const session = await QmpSession.connect(path, options);
  try {
    return await session.execute(command, args);
  } finally {
    session.close();
  }
}
