/** `round-robin`: the n-th VM of a map starts at candidate n (mod count), by device name. */
import type { PathSelector } from '../selector';

export const roundRobinSelector: PathSelector = {
  id: 'round-robin',
  description: 'rotate VMs over the paths in device-name order',
  select(req) {
    const n = req.candidates.length;
    const out: string[] = [];
    for (let i = 0; i < Math.min(req.want, n); i++) {
      const c = req.candidates[(req.ordinal + i) % n];
      if (c) out.push(c.dev);
    }
    return out;
  },
};
