/**
 * observeHost on NVMe native multipath as the real kernel lays it out (Linux 6.1, nvmet over
 * TCP, two controllers to one subsystem: test/fixtures/lab/nvme-*, captured by the lab's `nvme`
 * suite). The path devices nvme1c1n1 / nvme1c2n1 are hidden disks with no `dev` attribute.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { observeHost } from '../../../agent/observe';
import type { HostSnapshot } from '../../../agent/model/snapshot';
import { clock } from './host-tree';
import type { HostTree } from './host-tree';
import { LAB_FIXTURES, labSysfsTree, noMultipathRunner } from './lab-sysfs-tree';

const SUBNQN = 'nqn.2026-11.io.vmpath.lab:nvme-sub1';
const trees: HostTree[] = [];
afterAll(() => trees.forEach((t) => t.cleanup()));

async function observe(dir: string, tree = labSysfsTree(dir)): Promise<HostSnapshot> {
  trees.push(tree);
  return observeHost({ fs: tree.fs, runner: noMultipathRunner(), clock });
}

function nvmeDiagnostics(s: HostSnapshot): string[] {
  return s.diagnostics.filter((d) => d.subject !== 'multipathd').map((d) => `${d.subject}: ${d.message}`);
}

function summary(s: HostSnapshot): unknown[] {
  return s.paths.map((p) => [
    p.dev,
    p.devT,
    p.deviceState,
    p.accessState,
    p.transport.state,
    p.transport.adapter,
  ]);
}

describe('NVMe native multipath from real sysfs (lab fixtures)', () => {
  it('both paths live: two path devices, no dev_t, controller state, ANA optimized, subsystem and iopolicy', async () => {
    const s = await observe('nvme-live');
    expect(summary(s)).toEqual([
      ['nvme1c1n1', '0:0', 'live', 'active/optimized', 'live', 'nvme1'],
      ['nvme1c2n1', '0:0', 'live', 'active/optimized', 'live', 'nvme2'],
    ]);
    for (const p of s.paths) {
      expect(p.transport).toEqual({
        kind: 'nvme',
        state: 'live',
        adapter: p.transport.adapter,
        targetPort: SUBNQN,
        iopolicy: 'numa',
      });
    }
    expect(s.paths[0]!.stat).toMatchObject({ readIos: 34, readSectors: 672, inFlight: 0 });
    expect(s.paths[0]!.inflight).toEqual({ read: 0, write: 0 });
    expect(nvmeDiagnostics(s)).toEqual([]);
  });

  it('the head namespace and the PCIe root disk are not paths', async () => {
    const s = await observe('nvme-live');
    expect(s.paths.map((p) => p.dev)).not.toContain('nvme1n1');
    expect(s.paths.map((p) => p.dev)).not.toContain('nvme0n1');
  });

  it('head/path relation: paths nvme1cYn1 sit under head nvme1n1 (259:2) of nvme-subsys1, whose controllers they name', async () => {
    const t = labSysfsTree('nvme-live');
    trees.push(t);
    const fs = t.fs;
    expect((await fs.readFile('/sys/block/nvme1n1/dev')).trim()).toBe('259:2');
    expect((await fs.realpath('/sys/block/nvme1n1/device')).split('/').pop()).toBe('nvme-subsys1');
    const subsys = await fs.readdir('/sys/class/nvme-subsystem/nvme-subsys1');
    expect(subsys.filter((e) => /^nvme\d+(n\d+)?$/.test(e)).sort()).toEqual(['nvme1', 'nvme1n1', 'nvme2']);
    expect(await fs.readdir('/sys/class/nvme/nvme1')).toContain('nvme1c1n1');
    expect(await fs.readdir('/sys/class/nvme/nvme2')).toContain('nvme1c2n1');
    // no slaves/holders link heads and paths (that is dm's mechanism, not NVMe's)
    expect(await fs.readdir('/sys/block/nvme1n1/slaves')).toEqual([]);
    expect(await fs.readdir('/sys/block/nvme1c1n1/holders')).toEqual([]);
  });

  it('one port ANA group inaccessible: that path reports unavailable, its controller stays live', async () => {
    const s = await observe('nvme-ana-inaccessible');
    expect(summary(s)).toEqual([
      ['nvme1c1n1', '0:0', 'live', 'active/optimized', 'live', 'nvme1'],
      ['nvme1c2n1', '0:0', 'live', 'unavailable', 'live', 'nvme2'],
    ]);
    expect(nvmeDiagnostics(s)).toEqual([]);
  });

  it('one port removed: the controller is connecting and its path keeps the last ANA state', async () => {
    const s = await observe('nvme-port-removed');
    expect(summary(s)).toEqual([
      ['nvme1c1n1', '0:0', 'live', 'active/optimized', 'live', 'nvme1'],
      ['nvme1c2n1', '0:0', 'connecting', 'active/optimized', 'connecting', 'nvme2'],
    ]);
    expect(nvmeDiagnostics(s)).toEqual([]);
  });

  it('that controller deleted: one path left', async () => {
    const s = await observe('nvme-controller-deleted');
    expect(summary(s)).toEqual([['nvme1c1n1', '0:0', 'live', 'active/optimized', 'live', 'nvme1']]);
    expect(s.paths[0]!.transport).toMatchObject({ targetPort: SUBNQN, iopolicy: 'numa' });
    expect(nvmeDiagnostics(s)).toEqual([]);
  });

  it.each(['nvme-live', 'nvme-ana-inaccessible', 'nvme-port-removed', 'nvme-controller-deleted'])(
    '%s: the rebuilt tree gives what observeHost said on the guest (observe.json)',
    async (dir) => {
      const onGuest = JSON.parse(fs.readFileSync(path.join(LAB_FIXTURES, dir, 'observe.json'), 'utf8')) as {
        paths: HostSnapshot['paths'];
      };
      const pick = (ps: HostSnapshot['paths']) =>
        ps.map((p) => ({ dev: p.dev, devT: p.devT, st: p.deviceState, ana: p.accessState, t: p.transport }));
      expect(pick((await observe(dir)).paths)).toEqual(pick(onGuest.paths));
    },
  );
});
