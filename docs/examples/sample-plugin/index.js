// Sample vmpath plugin (CommonJS, no dependencies). Types: agent/plugins/api.ts
// (shipped as dist/agent/plugins/api.d.ts). Contributions must be pure and deterministic.
'use strict';

/** @type {import('../../../agent/plugins/api').PathSelector} */
const adapterSpread = {
  id: 'sample.adapter-spread',
  description: 'fewest VMs per host adapter, then fewest in-flight requests',
  select(req) {
    const perAdapter = new Map();
    for (const c of req.candidates) {
      const key = c.adapter || c.dev;
      perAdapter.set(key, (perAdapter.get(key) || 0) + c.assignedVms);
    }
    const score = (c) => perAdapter.get(c.adapter || c.dev) * 1000 + c.inflight;
    return [...req.candidates]
      .sort((a, b) => score(a) - score(b) || (a.dev < b.dev ? -1 : 1))
      .slice(0, req.want)
      .map((c) => c.dev);
  },
};

/** @type {import('../../../agent/plugins/api').PolicySource} */
const goldNames = {
  id: 'sample.gold-names',
  policyFor(vm) {
    return vm.name.startsWith('gold-') ? { priority: 90 } : undefined;
  },
};

/** @param {import('../../../agent/plugins/api').PluginContext} ctx */
function activate(ctx) {
  ctx.subscriptions.push(ctx.registerPathSelector(adapterSpread));
  ctx.subscriptions.push(ctx.registerPolicySource(goldNames));
  ctx.log.info('activated');
}

module.exports = { activate };
