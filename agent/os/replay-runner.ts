/**
 * A CommandRunner that answers from recorded outputs (captures, fixtures, tests). Keys are
 * argv joined by a single space. Unknown commands answer like a missing program.
 */
import { CommandNotFoundError } from '../model/errors';
import type { CommandResult, CommandRunner } from '../model/seams';

export class ReplayCommandRunner implements CommandRunner {
  readonly calls: string[][] = [];
  private readonly answers: Map<string, CommandResult>;

  constructor(answers: Record<string, CommandResult | string>) {
    this.answers = new Map(
      Object.entries(answers).map(([k, v]) => [
        k,
        typeof v === 'string' ? { exitCode: 0, stdout: v, stderr: '' } : v,
      ]),
    );
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    this.calls.push([...argv]);
    const answer = this.answers.get(argv.join(' '));
    if (!answer) throw new CommandNotFoundError(`no recorded output for: ${argv.join(' ')}`, { argv });
    return answer;
  }
}
