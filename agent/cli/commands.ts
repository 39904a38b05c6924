/** The whole CLI surface in one table. Add a command here and in cli/commands/. */
import type { Command } from './command';
import { demoCommand } from './commands/demo';
import { versionCommand } from './commands/version';
import { simCommand } from './commands/sim';

export const COMMANDS: readonly Command[] = [demoCommand, versionCommand, simCommand];
