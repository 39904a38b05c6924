/** The host config's `cluster` section (node health exchange, docs/cluster.md): checked keys, file:line errors. */
import { parseConfigText } from '../../../agent/config';
import { ConfigInvalidError } from '../../../agent/model/errors';

const parse = (cluster: unknown) =>
  parseConfigText(JSON.stringify({ cluster }, null, 2), '/etc/vmpath/config.json').cluster;

describe('config: cluster section', () => {
  it('accepts dir, staleSeconds and node; absent means {}', () => {
    expect(parse({ dir: '/etc/pve/vmpath/nodes', staleSeconds: 90, node: 'pve-1' })).toEqual({
      dir: '/etc/pve/vmpath/nodes',
      staleSeconds: 90,
      node: 'pve-1',
    });
    expect(parseConfigText('{}', 'f').cluster).toEqual({});
  });

  it.each([
    ['a relative dir', { dir: 'pve/nodes' }, /cluster\.dir/],
    ['a dir with ..', { dir: '/etc/pve/../shadow' }, /cluster\.dir/],
    ['staleSeconds below 5', { staleSeconds: 1 }, /cluster\.staleSeconds/],
    ['a fractional staleSeconds', { staleSeconds: 1.5 }, /cluster\.staleSeconds/],
    ['a node name with a slash', { node: 'a/b' }, /cluster\.node/],
    ['an unknown key', { dirs: '/x' }, /unknown key "cluster\.dirs"/],
    ['not an object', ['/x'], /cluster must be an object/],
  ])('rejects %s with file:line', (_why, cluster, message) => {
    let err: unknown;
    try {
      parse(cluster);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect((err as Error).message).toMatch(/^\/etc\/vmpath\/config\.json:2: /);
    expect((err as Error).message).toMatch(message);
  });
});
