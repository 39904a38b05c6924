import type { CliIo } from '../../../agent/cli/command';

/** A CliIo that keeps what a command prints. */
export function captureIo(stdin = ''): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTty: false,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    readStdin: async () => stdin,
  };
  return io;
}
