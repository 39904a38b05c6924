/** Argument dispatch, separated from process concerns so tests can call it directly. */
import { parseArgs } from 'node:util';
import { VmpathError, UsageError, asVmpathError } from '../model/errors';
import type { CliIo, Command } from './command';
import { GLOBAL_OPTIONS } from './command';
import { COMMANDS } from './commands';
import { cliReferenceMarkdown, commandHelp, mainHelp } from './help';
import { VERSION } from '../version';

export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0] === '--markdown') {
    io.out(cliReferenceMarkdown(commands));
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' && rest[0] ? commands.find((c) => c.name === rest[0]) : undefined;
    io.out(target ? commandHelp(target) : mainHelp(commands, VERSION));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  const wantsJson = rest.includes('--json');
  try {
    if (!command) throw new UsageError(`unknown command '${name}'. Run 'vmpath --help' for the list.`);
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(parsed, io);
  } catch (e) {
    const err = asVmpathError(e);
    if (wantsJson) io.out(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
    else io.err(`vmpath: ${err.message} [${err.code}]\n`);
    if (!(e instanceof VmpathError)) io.err(`${(e as Error)?.stack ?? ''}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

function parseCommandArgs(command: Command, args: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...command.options, ...GLOBAL_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    throw new UsageError(`${command.name}: ${(e as Error).message}. Run 'vmpath ${command.name} --help'.`);
  }
}
