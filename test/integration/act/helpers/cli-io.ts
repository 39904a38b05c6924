/** A CliIo that collects what a command prints (stdout and stderr together). */
import type { CliIo } from '../../../../agent/cli/command';

export function captureIo(): CliIo & { text: () => string } {
  let out = '';
  return {
    out: (t) => (out += t),
    err: (t) => (out += t),
    readStdin: async () => '',
    isTty: false,
    text: () => out,
  };
}
