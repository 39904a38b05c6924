/** The README's configuration example must be a valid config file (the README stays true). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfigText } from '../../../agent/config';
import { resolvePolicy, layersForVm } from '../../../agent/decide';

describe('README configuration example', () => {
  it('parses, and its values resolve with file:line origins', () => {
    const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(json).toBeDefined();
    const parsed = parseConfigText(json!, '/etc/vmpath/config.json');
    const set = { allVms: parsed.allVms, byVm: parsed.byVm };
    const p101 = resolvePolicy(layersForVm(set, '101'), '101');
    expect(p101.priority.value).toBe(90);
    expect(p101.priority.origin.source).toMatch(/^\/etc\/vmpath\/config\.json:\d+$/);
    expect(p101.pin.value).toEqual([{ kind: 'fabric', fabric: '0x100000051e4e5b01' }]);
    expect(resolvePolicy(layersForVm(set, '105'), '105').onAllPathsDown.value).toEqual({ action: 'pause' });
    expect(resolvePolicy(layersForVm(set, '999'), '999').onAllPathsDown.value).toEqual({
      action: 'queue',
      forSeconds: 30,
    });
    expect(parsed.engine.holdDownSeconds).toBe(30);
    expect(parsed.control.proxmoxApi).toMatchObject({
      tokenId: 'root@pam!vmpath',
      port: 8006,
      host: 'localhost',
    });
  });
});
