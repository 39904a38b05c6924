/** The whole CLI surface in one table. Add a command here and in cli/commands/. */
import type { Command } from './command';
import { versionCommand } from './commands/version';

export const COMMANDS: readonly Command[] = [versionCommand];
