/**
 * The CLI command contract. Every command is one entry in the table in commands.ts (so
 * `vmpath --help` lists exactly what exists) and one file under cli/commands/.
 */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { readonly description: string };

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stdin as text (for `-` arguments). */
  readStdin(): Promise<string>;
  readonly isTty: boolean;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** e.g. `vmpath parse <kind> [FILE|-] [--json]` */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Longer help: what it does, examples. */
  readonly description?: string;
  /** Returns the process exit code. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'machine-readable JSON output' },
  help: { type: 'boolean', short: 'h', description: 'show help for this command' },
};
