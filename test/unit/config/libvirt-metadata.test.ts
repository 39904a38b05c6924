import { parseLibvirtMetadata } from '../../../agent/config';
import { ConfigInvalidError } from '../../../agent/model/errors';

const DOMAIN = `<domain type='kvm'>
  <name>web1</name>
  <metadata>
    <other:thing xmlns:other="http://example.com/x"><other:priority>1</other:priority></other:thing>
    <vp:policy xmlns:vp="https://vmpath.dev/xmlns/policy/1">
      <!-- operator notes -->
      <vp:priority>80</vp:priority>
      <vp:limit readMBps="200" writeIops='5000'/>
      <vp:pin>fabric:A</vp:pin>
      <vp:pin>path:sdc</vp:pin>
      <vp:onAllPathsDown>queue:30</vp:onAllPathsDown>
      <vp:resume>kill-after:120</vp:resume>
      <vp:migrateTarget>node2</vp:migrateTarget>
      <vp:migrateTarget>node3</vp:migrateTarget>
      <vp:selector>least&#45;pending</vp:selector>
    </vp:policy>
  </metadata>
</domain>`;

describe('libvirt <metadata> policy', () => {
  it('extracts the vmpath element by namespace, whatever its prefix', () => {
    expect(parseLibvirtMetadata(DOMAIN, 'web1')).toEqual({
      origin: { kind: 'libvirt-metadata', source: 'domain web1 metadata line 5' },
      values: {
        priority: 80,
        limit: { readMBps: 200, writeIops: 5000 },
        pin: [
          { kind: 'fabric', fabric: 'A' },
          { kind: 'path', dev: 'sdc' },
        ],
        onAllPathsDown: { action: 'queue', forSeconds: 30 },
        resume: { mode: 'kill-after', seconds: 120 },
        migrateTargets: ['node2', 'node3'],
        selector: 'least-pending',
      },
    });
  });

  it('default namespace form works; no vmpath element → undefined', () => {
    const xml =
      '<metadata><policy xmlns="https://vmpath.dev/xmlns/policy/1"><shares>300</shares></policy></metadata>';
    expect(parseLibvirtMetadata(xml, 'd')?.values).toEqual({ shares: 300 });
    expect(parseLibvirtMetadata('<domain><metadata/></domain>', 'd')).toBeUndefined();
    expect(parseLibvirtMetadata('<policy><shares>3</shares></policy>', 'd')).toBeUndefined();
  });

  it('malformed values → ConfigInvalidError naming domain and line', () => {
    const xml =
      '<metadata>\n<v:policy xmlns:v="https://vmpath.dev/xmlns/policy/1">\n<v:resume>sometimes</v:resume></v:policy></metadata>';
    expect(() => parseLibvirtMetadata(xml, 'db')).toThrow(ConfigInvalidError);
    expect(() => parseLibvirtMetadata(xml, 'db')).toThrow(
      /libvirt domain db metadata line 3: <resume> expected auto/,
    );
    const unknown =
      '<v:policy xmlns:v="https://vmpath.dev/xmlns/policy/1"><v:colour>red</v:colour></v:policy>';
    expect(() => parseLibvirtMetadata(unknown, 'db')).toThrow(/unknown element <colour>/);
  });
});
