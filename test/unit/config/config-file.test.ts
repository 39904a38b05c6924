import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, loadOptionalConfigFile, parseConfigText } from '../../../agent/config';
import { ConfigInvalidError, PolicyInvalidError } from '../../../agent/model/errors';

const TEXT = `{
  // engine thresholds
  "engine": { "holdDownSeconds": 20, "perVmMaps": "pinned-or-limited" },
  "defaults": {
    "onAllPathsDown": "queue:45",
    "resume": "kill-after:300"
  },
  "vms": {
    "101": {
      "priority": 80,
      "pin": ["fabric:A", "group:2"],
      "limit": { "readMBps": 200, "writeIops": 5000 },
      "reservation": "readMBps=50"
    }
  },
  "plugins": ["/usr/lib/vmpath/plugins/acme"]
}`;

describe('config file', () => {
  it('parses engine, defaults, per-VM policy and plugins, with file:line origins per key', () => {
    const c = parseConfigText(TEXT, '/etc/vmpath/config.json');
    expect(c.engine).toEqual({ holdDownSeconds: 20, perVmMaps: 'pinned-or-limited' });
    expect(c.plugins).toEqual(['/usr/lib/vmpath/plugins/acme']);
    expect(c.allVms).toEqual([
      {
        origin: { kind: 'host-config', source: '/etc/vmpath/config.json:5' },
        values: { onAllPathsDown: { action: 'queue', forSeconds: 45 } },
      },
      {
        origin: { kind: 'host-config', source: '/etc/vmpath/config.json:6' },
        values: { resume: { mode: 'kill-after', seconds: 300 } },
      },
    ]);
    expect(c.byVm['101']?.map((l) => [l.origin.source, l.values])).toEqual([
      ['/etc/vmpath/config.json:10', { priority: 80 }],
      [
        '/etc/vmpath/config.json:11',
        {
          pin: [
            { kind: 'fabric', fabric: 'A' },
            { kind: 'group', index: 2 },
          ],
        },
      ],
      ['/etc/vmpath/config.json:12', { limit: { readMBps: 200, writeIops: 5000 } }],
      ['/etc/vmpath/config.json:13', { reservation: { readMBps: 50 } }],
    ]);
  });

  it('cluster files use the same schema with origin cluster', () => {
    const c = parseConfigText('{"vms": {"7": {"shares": 300}}}', '/etc/pve/vmpath.json', 'cluster');
    expect(c.byVm['7']?.[0]?.origin).toEqual({ kind: 'cluster', source: '/etc/pve/vmpath.json:1' });
  });

  it.each<[string, string, RegExp]>([
    ['syntax', '{\n "vms": {\n  "1": { "priority": 5, }\n }\n}', /c\.json:3: expected a "key"/],
    ['unknown top-level key', '{\n"vm": {}\n}', /c\.json:2: unknown key "vm"/],
    ['unknown policy key', '{"vms": {"1": {\n"prio": 5}}}', /c\.json:2: unknown policy key "prio" in vms\.1/],
    ['malformed value', '{"defaults": {\n\n"pin": "rack:3"}}', /c\.json:3: defaults\.pin: expected a pin/],
    [
      'engine range',
      '{"engine": {"reservableFraction": 2}}',
      /engine\.reservableFraction: expected a fraction 0\.\.1/,
    ],
    ['duplicate key', '{"vms": {}, \n"vms": {}}', /c\.json:2: duplicate key "vms"/],
    ['relative plugin dir', '{"plugins": ["plug"]}', /absolute directory/],
  ])('%s → ConfigInvalidError with file:line', (_n, text, msg) => {
    expect(() => parseConfigText(text, 'c.json')).toThrow(ConfigInvalidError);
    expect(() => parseConfigText(text, 'c.json')).toThrow(msg);
  });

  it('out-of-range and contradictory policy → PolicyInvalidError naming VM, key and origin', () => {
    expect(() => parseConfigText('{"vms": {"101": {\n"priority": 101}}}', 'c.json')).toThrow(
      /vm 101: policy priority from host-config \(c\.json:2\): expected an integer 0\.\.100, got 101/,
    );
    const contradiction =
      '{"defaults": {"limit": {"readMBps": 10}},\n"vms": {"102": {\n"reservation": {"readMBps": 20}}}}';
    expect(() => parseConfigText(contradiction, 'c.json')).toThrow(PolicyInvalidError);
    expect(() => parseConfigText(contradiction, 'c.json')).toThrow(
      /vm 102: policy reservation\.readMBps=20 from host-config \(c\.json:3\) exceeds limit\.readMBps=10 from host-config \(c\.json:1\)/,
    );
  });

  it('load.ts reads files; a missing optional file means no settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmpath-cfg-'));
    const f = join(dir, 'config.json');
    writeFileSync(f, TEXT);
    expect(loadConfigFile(f).byVm['101']).toHaveLength(4);
    expect(loadOptionalConfigFile(join(dir, 'nope.json')).byVm).toEqual({});
    expect(() => loadConfigFile(join(dir, 'nope.json'))).toThrow(ConfigInvalidError);
  });
});
