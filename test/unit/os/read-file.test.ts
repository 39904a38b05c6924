import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readWholeFile } from '../../../agent/os/read-async';
import { readWholeFileSync } from '../../../agent/os/read-sync';

describe('readWholeFile / readWholeFileSync', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmpath-read-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['short', '8:16\n'],
    ['exactly one chunk', 'a'.repeat(64 * 1024)],
    ['several chunks, multi-byte UTF-8 across a chunk edge', 'x'.repeat(64 * 1024 - 1) + 'é'.repeat(70_000)],
  ];

  it.each(cases)('reads a %s file whole', async (_, content) => {
    const file = path.join(dir, `f${content.length}`);
    fs.writeFileSync(file, content);
    expect(await readWholeFile(file)).toBe(content);
    expect(readWholeFileSync(file)).toBe(content);
  });

  it('reads procfs files (size 0 in stat) like fs.readFile', async () => {
    for (const f of ['/proc/self/cmdline', '/proc/self/cgroup', '/proc/self/mountinfo']) {
      expect(await readWholeFile(f)).toBe(fs.readFileSync(f, 'utf8'));
      expect(readWholeFileSync(f)).toBe(fs.readFileSync(f, 'utf8'));
    }
  });

  it('rejects with the errno code fs.readFile gives, and leaks no descriptor', async () => {
    const missing = path.join(dir, 'missing');
    await expect(readWholeFile(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readWholeFile(dir)).rejects.toMatchObject({ code: 'EISDIR' });
    expect(() => readWholeFileSync(missing)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const before = fs.readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 50; i++) await readWholeFile(dir).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(before);
  });
});
