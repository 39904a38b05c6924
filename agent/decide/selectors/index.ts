/** The built-in selectors. plugins/builtin.ts registers them through the plugin API like any plugin. */
import type { PathSelector } from '../selector';
import { affinitySelector } from './affinity';
import { leastPendingSelector } from './least-pending';
import { roundRobinSelector } from './round-robin';
import { weightedShareSelector } from './weighted-share';

export const BUILTIN_SELECTORS: readonly PathSelector[] = Object.freeze([
  affinitySelector,
  leastPendingSelector,
  weightedShareSelector,
  roundRobinSelector,
]);
export { affinitySelector, leastPendingSelector, weightedShareSelector, roundRobinSelector };
