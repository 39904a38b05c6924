/**
 * `vmpath sim --scenario FILE [--policy P] [--json]`: run the discrete-event I/O simulator
 * (agent/sim/des) on a scenario file (docs/simulator-scenarios.md). With --policy, one policy;
 * without, every policy side by side with the ideal allocation and ratios to it.
 */
import { readFile } from 'node:fs/promises';
import { ScenarioInvalidError, UsageError } from '../../model/errors';
import type { Command } from '../command';
import { compare } from '../../sim/des/compare';
import { comparisonJson, formatComparison } from '../../sim/des/format';
import type { PolicyName } from '../../sim/des/results';
import { POLICIES } from '../../sim/des/results';
import { parseScenario } from '../../sim/des/scenario';

async function loadScenario(file: string): Promise<ReturnType<typeof parseScenario>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`sim: cannot read scenario ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioInvalidError(`scenario ${file}: not valid JSON: ${(e as Error).message}`, {
      field: '',
    });
  }
  return parseScenario(json);
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'simulate a scenario: vmpath vs the kernel path selectors vs the ideal',
  usage: `vmpath sim --scenario FILE [--policy ${POLICIES.join('|')}] [--json]`,
  options: {
    scenario: { type: 'string', description: 'scenario JSON file (docs/simulator-scenarios.md)' },
    policy: {
      type: 'string',
      description: `one of ${POLICIES.join(', ')}; default: all of them and the ideal`,
    },
  },
  description:
    'Runs the seeded discrete-event I/O simulator. Prints per VM throughput MB/s (and its ratio to\n' +
    'the weighted max-min fair ideal), IOPS, p50/p99 latency, paused and stall seconds, guest I/O\n' +
    'errors; per path utilization; totals. Same file and seed, same output.',
  async run(args, io) {
    const file = args.values.scenario;
    if (typeof file !== 'string')
      throw new UsageError("sim: --scenario FILE is required. Run 'vmpath sim --help'.");
    const policy = args.values.policy;
    if (policy !== undefined && !(POLICIES as readonly unknown[]).includes(policy))
      throw new UsageError(`sim: unknown --policy ${String(policy)}; one of ${POLICIES.join(', ')}`);
    const scenario = await loadScenario(file);
    const c = compare(scenario, policy ? [policy as PolicyName] : POLICIES);
    if (args.values.json) io.out(JSON.stringify(comparisonJson(c), null, 2) + '\n');
    else io.out(formatComparison(c));
    return 0;
  },
};
