import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../agent/cli/run-cli';
import { COMMANDS } from '../../../agent/cli/commands';
import { VERSION } from '../../../agent/version';
import { captureIo } from './capture-io';

describe('vmpath CLI surface', () => {
  it('--help lists every command in the table and nothing else', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    const listed = io.stdout
      .split('Commands:\n')[1]!
      .split('\n\n')[0]!
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0]);
    expect(listed).toEqual(COMMANDS.map((c) => c.name));
  });

  it('every command has --help with its usage', async () => {
    for (const c of COMMANDS) {
      const io = captureIo();
      expect(await runCli([c.name, '--help'], io)).toBe(0);
      expect(io.stdout).toContain(`Usage: ${c.usage}`);
      expect(io.stdout).toContain('--json');
    }
  });

  it('unknown command and unknown option are usage errors (exit 2) with a typed code', async () => {
    const io = captureIo();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.stderr).toContain('VMPATH_E_USAGE');
    const io2 = captureIo();
    expect(await runCli(['version', '--bogus', '--json'], io2)).toBe(2);
    expect(JSON.parse(io2.stdout).error.code).toBe('VMPATH_E_USAGE');
  });

  it('version matches package.json', async () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    const io = captureIo();
    await runCli(['version', '--json'], io);
    expect(JSON.parse(io.stdout).vmpath).toBe(pkg.version);
  });
});
