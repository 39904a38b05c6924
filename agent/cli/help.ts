import type { Command, OptionSpec } from './command';
import { GLOBAL_OPTIONS } from './command';

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' VALUE' : ''}`;
    return `  ${flag.padEnd(28)} ${spec.description}`;
  });
}

export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `vmpath ${version} - VM-aware storage multipathing for Proxmox VE and libvirt/QEMU hosts`,
    '',
    'Usage: vmpath <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    '',
    'Options:',
    '  -h, --help                   show help (also: vmpath <command> --help)',
    '      --version                print the version',
    '',
    'Docs: docs/cli.md; every command accepts --json.',
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    ...(command.description ? ['', command.description] : []),
    '',
    'Options:',
    ...optionLines({ ...command.options, ...GLOBAL_OPTIONS }),
    '',
  ].join('\n');
}
