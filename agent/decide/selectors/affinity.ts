/**
 * `affinity`: honour pins in pin order (path, adapter, fabric, target port, group); among equally
 * pinned paths, and for unpinned VMs, spread VMs across paths (fewest VMs already steered there),
 * preferring the VM's previous paths on ties so VMs stay put.
 */
import type { PathSelector } from '../selector';
import { pinRank, sortBy } from './pins';

export const affinitySelector: PathSelector = {
  id: 'affinity',
  description: 'pins first, then spread VMs evenly across paths (sticky)',
  select(req) {
    const prev = new Set(req.previous);
    const pinned = (r: number): number => (r < 0 ? req.pins.length : r);
    return sortBy(
      req.candidates,
      (c) => pinned(pinRank(c, req.pins)) * 1e9 + c.assignedVms * 2 + (prev.has(c.dev) ? 0 : 1),
    )
      .slice(0, req.want)
      .map((c) => c.dev);
  },
};
