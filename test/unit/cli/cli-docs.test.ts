import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../../agent/cli/commands';
import { cliReferenceMarkdown } from '../../../agent/cli/help';

describe('docs/cli.md', () => {
  it('is the reference generated from the command table (run: node dist/agent/cli/main.js help --markdown > docs/cli.md)', () => {
    const doc = readFileSync(path.join(__dirname, '../../../docs/cli.md'), 'utf8');
    expect(doc).toBe(cliReferenceMarkdown(COMMANDS));
  });
});
