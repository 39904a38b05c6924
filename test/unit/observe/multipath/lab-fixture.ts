/** Real lab captures (test/fixtures/lab, see the README there). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const LAB = path.join(__dirname, '../../../fixtures/lab');

/** Scenario directories that hold multipath -ll / show topology / show paths captures. */
export const LAB_SCENARIOS: readonly string[] = [
  '3paths-all-down',
  '3paths-deleted-path',
  '3paths-failover',
  '3paths-group-by-prio',
  '3paths-multibus',
  'bio-map',
  'lvm-lv-on-per-vm-map',
  'lvm-on-multipath',
  'queueing-on',
  'queueing-on-all-down',
  'selector-queue-length',
  'selector-round-robin',
];

export function labFixture(dir: string, name: string): string {
  return readFileSync(path.join(LAB, dir, name), 'utf8');
}
