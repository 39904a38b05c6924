import { parseProxmoxTags } from '../../../agent/config';

describe('Proxmox tag grammar', () => {
  it.each<[string, Record<string, unknown>]>([
    ['vmpath-prio-80', { priority: 80 }],
    ['vmpath-shares-250', { shares: 250 }],
    ['vmpath-minpaths-2', { minPaths: 2 }],
    ['vmpath-selector-least-pending', { selector: 'least-pending' }],
    ['vmpath-pin-fabric-a', { pin: [{ kind: 'fabric', fabric: 'a' }] }],
    ['vmpath-pin-path-sdc', { pin: [{ kind: 'path', dev: 'sdc' }] }],
    ['vmpath-pin-adapter-host3', { pin: [{ kind: 'adapter', adapter: 'host3' }] }],
    ['vmpath-pin-port-0x500a0981', { pin: [{ kind: 'target-port', port: '0x500a0981' }] }],
    ['vmpath-pin-group-2', { pin: [{ kind: 'group', index: 2 }] }],
    ['vmpath-limit-mbps-300', { limit: { readMBps: 300, writeMBps: 300 } }],
    ['vmpath-limit-riops-5000', { limit: { readIops: 5000 } }],
    ['vmpath-resv-wmbps-50', { reservation: { writeMBps: 50 } }],
    ['vmpath-apd-queue-30', { onAllPathsDown: { action: 'queue', forSeconds: 30 } }],
    ['vmpath-apd-migrate', { onAllPathsDown: { action: 'migrate' } }],
    ['vmpath-pause', { onAllPathsDown: { action: 'pause' } }],
    ['vmpath-resume-leave', { resume: { mode: 'leave-paused' } }],
    ['vmpath-resume-kill-120', { resume: { mode: 'kill-after', seconds: 120 } }],
    ['vmpath-migrate-node2', { migrateTargets: ['node2'] }],
  ])('%s', (tag, values) => {
    const r = parseProxmoxTags([tag]);
    expect(r.problems).toEqual([]);
    expect(r.layers).toEqual([{ origin: { kind: 'proxmox-tag', source: `tag ${tag}` }, values }]);
  });

  it('accumulates pins, limits and targets; first wins for the rest; reports unknown tags; ignores others', () => {
    const r = parseProxmoxTags([
      'web',
      'vmpath-pin-fabric-a',
      'vmpath-pin-path-sdc',
      'vmpath-limit-rmbps-100',
      'vmpath-limit-wiops-200',
      'vmpath-prio-10',
      'vmpath-prio-90',
      'vmpath-migrate-node3',
      'vmpath-migrate-node2',
      'vmpath-wat',
    ]);
    expect(r.layers.map((l) => [l.origin.source, l.values])).toEqual([
      ['tag vmpath-prio-10', { priority: 10 }],
      ['tag vmpath-limit-rmbps-100 vmpath-limit-wiops-200', { limit: { readMBps: 100, writeIops: 200 } }],
      [
        'tag vmpath-pin-fabric-a vmpath-pin-path-sdc',
        {
          pin: [
            { kind: 'fabric', fabric: 'a' },
            { kind: 'path', dev: 'sdc' },
          ],
        },
      ],
      ['tag vmpath-migrate-node3 vmpath-migrate-node2', { migrateTargets: ['node3', 'node2'] }],
    ]);
    expect(r.problems).toEqual([
      'tag vmpath-prio-90: priority already set by tag vmpath-prio-10; ignored',
      'tag vmpath-wat: not understood (see docs/policy.md, Proxmox tags)',
    ]);
  });
});
