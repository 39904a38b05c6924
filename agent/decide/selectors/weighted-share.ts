/**
 * `weighted-share`: place the VM where its shares take the smallest fraction of the path's
 * capacity, counting the shares already steered there (proportional spreading by weight).
 */
import type { PathSelector } from '../selector';
import { sortBy } from './pins';

export const weightedShareSelector: PathSelector = {
  id: 'weighted-share',
  description: 'spread by shares relative to path capacity',
  select(req) {
    return sortBy(req.candidates, (c) => (c.assignedShares + req.shares) / Math.max(c.capacityMBps, 1))
      .slice(0, req.want)
      .map((c) => c.dev);
  },
};
