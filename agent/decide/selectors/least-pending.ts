/** `least-pending`: fewest requests in flight plus VMs already steered to the path in this plan. */
import type { PathSelector } from '../selector';
import { sortBy } from './pins';

export const leastPendingSelector: PathSelector = {
  id: 'least-pending',
  description: 'paths with the least in-flight I/O plus already-assigned VMs',
  select(req) {
    return sortBy(req.candidates, (c) => c.inflight + c.assignedVms)
      .slice(0, req.want)
      .map((c) => c.dev);
  },
};
