import { PluginManifestError } from '../../../agent/model/errors';
import { validateManifest } from '../../../agent/plugins/manifest';

const good = {
  id: 'acme.latency',
  version: '1.2.3',
  engines: { vmpath: '^1.0.0' },
  contributes: { pathSelectors: [{ id: 'acme.latency' }] },
};

describe('plugin manifest validation (before any code loads)', () => {
  it('accepts a good manifest', () => {
    expect(validateManifest(good, 'x').id).toBe('acme.latency');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['bad id', { id: 'Acme Latency' }, /manifest id/],
    ['bad version', { version: '1.2' }, /manifest version/],
    ['missing engines', { engines: undefined }, /engines\.vmpath/],
    [
      'incompatible API range',
      { engines: { vmpath: '^2.0.0' } },
      /does not include this vmpath's plugin API 1\.0\.0/,
    ],
    ['malformed range', { engines: { vmpath: 'soon' } }, /not a valid range/],
    ['main escaping the directory', { main: '../evil.js' }, /manifest main/],
    ['unknown contribution point', { contributes: { themes: [] } }, /contributes\.themes/],
    ['declares nothing', { contributes: {} }, /declares nothing/],
    [
      'duplicate contribution id',
      { contributes: { pathSelectors: [{ id: 'a' }, { id: 'a' }] } },
      /duplicates a/,
    ],
  ])('%s → PluginManifestError', (_n, patch, msg) => {
    const run = () => validateManifest({ ...good, ...patch }, 'dir');
    expect(run).toThrow(PluginManifestError);
    expect(run).toThrow(msg);
  });

  it('rejects a non-object', () => expect(() => validateManifest([], 'dir')).toThrow(PluginManifestError));
});
