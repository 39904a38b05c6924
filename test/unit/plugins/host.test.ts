import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide } from '../../../agent/decide';
import { EMPTY_MEMORY } from '../../../agent/model';
import { PluginActivationError, PluginManifestError } from '../../../agent/model/errors';
import { createPluginHost, loadPluginDir } from '../../../agent/plugins';
import { buildHost, policies } from '../decide/host';

function pluginDir(manifest: unknown, code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmpath-plugin-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'vmpath-plugin.json'),
    typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
  );
  writeFileSync(join(dir, 'index.js'), code);
  return dir;
}
const manifest = (id: string) => ({
  id,
  version: '1.0.0',
  engines: { vmpath: '>=1 <2' },
  contributes: { pathSelectors: [{ id: `${id}.sel` }] },
});
const host1 = () =>
  buildHost({
    paths: { sda: {}, sdb: {} },
    maps: { mpatha: { groups: [['sda'], ['sdb']] } },
    vms: { '101': { maps: ['mpatha'], raw: true } },
  });

describe('PluginHost', () => {
  it('registers the built-ins through the plugin API, as plugin vmpath.builtin', () => {
    const host = createPluginHost();
    expect(host.records()).toMatchObject([
      {
        id: 'vmpath.builtin',
        state: 'active',
        selectors: ['affinity', 'least-pending', 'weighted-share', 'round-robin'],
      },
    ]);
    expect(host.selectors.list().map((s) => [s.selector.id, s.owner])).toEqual([
      ['affinity', 'vmpath.builtin'],
      ['least-pending', 'vmpath.builtin'],
      ['round-robin', 'vmpath.builtin'],
      ['weighted-share', 'vmpath.builtin'],
    ]);
  });

  it('a bad manifest is recorded as failed before any code runs', async () => {
    const host = createPluginHost();
    const dir = pluginDir(
      { ...manifest('bad'), engines: { vmpath: '^9' } },
      'throw new Error("must not load")',
    );
    const rec = await loadPluginDir(host, dir);
    expect(rec.state).toBe('failed');
    expect(rec.error).toBeInstanceOf(PluginManifestError);
    const broken = await loadPluginDir(host, pluginDir('{not json', ''));
    expect(broken.error).toBeInstanceOf(PluginManifestError);
  });

  it('a plugin that throws in activate is marked failed and its registrations are disposed', async () => {
    const host = createPluginHost();
    const code = `exports.activate = (ctx) => {
      ctx.subscriptions.push(ctx.registerPathSelector({ id: 'boom.sel', select: () => [] }));
      throw new Error('kaput');
    };`;
    const rec = await loadPluginDir(host, pluginDir(manifest('boom'), code));
    expect(rec.state).toBe('failed');
    expect(rec.error).toBeInstanceOf(PluginActivationError);
    expect(rec.error?.message).toMatch(/boom: activate failed: kaput/);
    expect(host.selectors.get('boom.sel')).toBeUndefined();
    expect(host.record('vmpath.builtin')?.state).toBe('active');
  });

  it('registering an undeclared contribution fails the plugin', async () => {
    const host = createPluginHost();
    const code = `exports.activate = (ctx) => { ctx.registerPathSelector({ id: 'other', select: () => [] }); };`;
    const rec = await loadPluginDir(host, pluginDir(manifest('sneaky'), code));
    expect(rec.error?.message).toMatch(/not declared in contributes\.pathSelectors/);
  });

  it('a plugin cannot take over a built-in selector id', async () => {
    const host = createPluginHost();
    const m = { ...manifest('thief'), contributes: { pathSelectors: [{ id: 'affinity' }] } };
    const rec = await loadPluginDir(
      host,
      pluginDir(
        m,
        `exports.activate = (ctx) => { ctx.registerPathSelector({ id: 'affinity', select: () => [] }); };`,
      ),
    );
    expect(rec.state).toBe('failed');
    expect(host.selectors.get('affinity')?.owner).toBe('vmpath.builtin');
  });

  it('a selector that throws during decide: fallback + warning, then the plugin is marked failed', async () => {
    const host = createPluginHost();
    const code = `exports.activate = (ctx) => [ctx.registerPathSelector({ id: 'flaky.sel', select: () => { throw new Error('oops'); } })];`;
    const rec = await loadPluginDir(host, pluginDir(manifest('flaky'), code));
    expect(rec.state).toBe('active');
    const input = {
      snapshot: host1(),
      policies: policies({ '101': { selector: 'flaky.sel' } }),
      memory: EMPTY_MEMORY,
      nowMs: 0,
      selectors: host.selectors,
    };
    const plan = decide(input);
    expect(plan.warnings.map((w) => [w.subject, w.code])).toEqual([
      ['plugin flaky', 'VMPATH_E_PLUGIN_ACTIVATION'],
      ['vm 101', 'selector-fallback'],
    ]);
    expect(plan.decisions[0]?.paths).toEqual({ mpatha: ['sda'] });
    const failed = host.noteFailures(plan);
    expect(failed.map((r) => [r.id, r.state])).toEqual([['flaky', 'failed']]);
    expect(host.selectors.get('flaky.sel')).toBeUndefined();
    expect(decide(input).warnings.map((w) => w.code)).toEqual(['selector-fallback']);
  });

  it('deactivateAll disposes everything', () => {
    const host = createPluginHost();
    host.deactivateAll();
    expect(host.selectors.list()).toEqual([]);
    expect(host.record('vmpath.builtin')?.state).toBe('disposed');
  });
});
