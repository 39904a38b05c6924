/** Every benchmark suite, in the order `npm run bench` runs them. */
import { CORE_SUITES } from './core-suites';
import type { BenchSuite } from './suite';
import { SIM_SUITES } from './sim-suite';

export const SUITES: readonly BenchSuite[] = [...CORE_SUITES, ...SIM_SUITES];
