/** The whole CLI surface in one table. Add a command here and in cli/commands/. */
import type { Command } from './command';
import { agentCommand } from './commands/agent';
import { demoCommand } from './commands/demo';
import { versionCommand } from './commands/version';
import { simCommand } from './commands/sim';
import { releaseCommand } from './commands/release';
import { pauseCommand } from './commands/pause';
import { resumeCommand } from './commands/resume';
import { planCommand } from './commands/plan';
import { applyCommand } from './commands/apply';
import { snapshotCommand } from './commands/snapshot';
import { captureCommand } from './commands/capture';
import { parseCommand } from './commands/parse';
import { explainCommand } from './commands/explain';

export const COMMANDS: readonly Command[] = [
  agentCommand,
  snapshotCommand,
  explainCommand,
  planCommand,
  applyCommand,
  pauseCommand,
  resumeCommand,
  releaseCommand,
  captureCommand,
  parseCommand,
  demoCommand,
  simCommand,
  versionCommand,
];
