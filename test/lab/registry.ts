/** Every lab suite by name (test/lab/suites/NAME.ts): add a suite here and it can be run. */
import type { LabCase } from './lib/case';
import * as smoke from './suites/smoke';

export const suites: Readonly<Record<string, readonly LabCase[]>> = {
  smoke: smoke.cases,
};
