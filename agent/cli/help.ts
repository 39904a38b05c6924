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

/** docs/cli.md, generated from the command table so the reference never drifts. */
export function cliReferenceMarkdown(commands: readonly Command[]): string {
  const out = [
    '# vmpath CLI reference',
    '',
    'Generated from the command table (`vmpath help --markdown > docs/cli.md`); a unit test keeps it in step.',
    'Every command accepts `--json` (machine-readable output; errors as `{"error": {"code", "message", ...}}`)',
    'and `--help`. Exit codes: 0 success, 1 failure (a typed `VMPATH_E_*` error, docs/errors.md), 2 usage error.',
    '',
    '| command | what it does |',
    '|---|---|',
    ...commands.map((c) => `| [\`${c.name}\`](#${c.name}) | ${c.summary} |`),
    '',
  ];
  for (const c of commands) {
    out.push(`## ${c.name}`, '', '```', c.usage, '```', '', c.summary + '.', '');
    if (c.description) out.push('```', c.description, '```', '');
    const opts = Object.entries(c.options);
    if (opts.length) {
      out.push('| option | meaning |', '|---|---|');
      for (const [name, spec] of opts)
        out.push(
          `| \`${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ' VALUE' : ''}\` | ${spec.description} |`,
        );
      out.push('');
    }
  }
  return out.join('\n');
}
