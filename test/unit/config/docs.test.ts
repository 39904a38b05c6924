/** docs/policy.md documents every policy key, every engine setting and every tag key. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_SCHEMA } from '../../../agent/config';
import { DEFAULT_ENGINE_CONFIG } from '../../../agent/decide';
import { POLICY_DEFAULTS } from '../../../agent/model';

const doc = readFileSync(join(__dirname, '../../../docs/policy.md'), 'utf8');

describe('docs/policy.md', () => {
  it.each(Object.keys(POLICY_DEFAULTS))('documents policy key %s', (key) =>
    expect(doc).toContain(`| \`${key}\` |`),
  );
  it.each(Object.keys(ENGINE_SCHEMA))('documents engine setting %s with its default', (key) => {
    const value = (DEFAULT_ENGINE_CONFIG as unknown as Record<string, unknown>)[key];
    expect(doc).toContain(`| \`${key}\` | \`${typeof value === 'string' ? value : String(value)}\` |`);
  });
  it.each(['prio', 'shares', 'minpaths', 'selector', 'pin', 'limit', 'resv', 'apd', 'resume', 'migrate'])(
    'documents tag vmpath-%s',
    (key) => expect(doc).toContain(`vmpath-${key}-`),
  );
});
