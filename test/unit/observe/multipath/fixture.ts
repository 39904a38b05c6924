/** Real multipath-tools 0.9.4 / Linux 6.1 output captured in the lab (see the README there). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const FIXTURES = path.join(__dirname, '../../../fixtures/multipath-tools-0.9.4');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}
