import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderVmpathConf } from '../../../agent/model/vmpath-conf';
import { DiagnosticSink } from '../../../agent/observe/diagnostics';
import { readVmpathConf } from '../../../agent/observe/vmpath-conf-read';
import { RootedHostFs } from '../../../agent/os/host-fs';

describe("observe reads vmpath's own vmpath.conf", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmpath-conf-read-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const fs = new RootedHostFs(root);

  it('no file: no settings, no diagnostic', async () => {
    const diag = new DiagnosticSink();
    expect(await readVmpathConf(fs, diag)).toEqual(new Map());
    expect(diag.list()).toEqual([]);
  });

  it('the settings per WWID as act wrote them', async () => {
    mkdirSync(path.join(root, 'etc/multipath/conf.d'), { recursive: true });
    writeFileSync(
      path.join(root, 'etc/multipath/conf.d/vmpath.conf'),
      renderVmpathConf(
        new Map([
          ['3600a', { failback: 'manual' as const }],
          ['3600b', { failback: 'manual' as const, noPathRetry: 'queue' as const }],
        ]),
      ),
    );
    expect(await readVmpathConf(fs, new DiagnosticSink())).toEqual(
      new Map([
        ['3600a', { failback: 'manual' }],
        ['3600b', { failback: 'manual', noPathRetry: 'queue' }],
      ]),
    );
  });

  it('unreadable (a directory in its place): a warning and no settings', async () => {
    rmSync(path.join(root, 'etc/multipath/conf.d/vmpath.conf'));
    mkdirSync(path.join(root, 'etc/multipath/conf.d/vmpath.conf'));
    const diag = new DiagnosticSink();
    expect(await readVmpathConf(fs, diag)).toEqual(new Map());
    expect(diag.list()[0]).toMatchObject({ level: 'warn', subject: 'multipathd config' });
  });
});
