/** Every benchmark suite, in the order `npm run bench` runs them. */
import type { BenchSuite } from './suite';

export const SUITES: readonly BenchSuite[] = [];
