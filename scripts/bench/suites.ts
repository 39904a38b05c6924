/** Every benchmark suite, in the order `npm run bench` runs them. */
import type { BenchSuite } from './suite';
import { SIM_SUITES } from './sim-suite';

export const SUITES: readonly BenchSuite[] = [...SIM_SUITES];
