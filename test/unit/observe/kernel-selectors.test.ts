import { observeHost } from '../../../agent/observe';
import { DiagnosticSink } from '../../../agent/observe/diagnostics';
import { readKernelSelectors, selectorsInModuleList } from '../../../agent/observe/kernel-selectors';
import { createSimHost, scaleSpec } from '../../../agent/sim';
import { clock, fixtureRunner, treeMaker } from './host-tree';

const tree = treeMaker();

// modules.dep lines as depmod writes them: `path.ko[.xz]: deps...`; modules.builtin: one path per line.
const DEBIAN_CLOUD_DEP = [
  'kernel/drivers/md/dm-mod.ko:',
  'kernel/drivers/md/dm-multipath.ko: kernel/drivers/md/dm-mod.ko',
  'kernel/drivers/md/dm-round-robin.ko: kernel/drivers/md/dm-multipath.ko kernel/drivers/md/dm-mod.ko',
  'kernel/drivers/md/dm-queue-length.ko: kernel/drivers/md/dm-multipath.ko kernel/drivers/md/dm-mod.ko',
  'kernel/drivers/md/dm-service-time.ko: kernel/drivers/md/dm-multipath.ko kernel/drivers/md/dm-mod.ko',
  'kernel/drivers/scsi/device_handler/scsi_dh_alua.ko:',
].join('\n');

describe('path selectors the kernel can load', () => {
  it('reads them from depmod lines, compressed modules included; a dependency is not a module', () => {
    expect(selectorsInModuleList(DEBIAN_CLOUD_DEP)).toEqual(['round-robin', 'queue-length', 'service-time']);
    expect(
      selectorsInModuleList(
        'kernel/drivers/md/dm-historical-service-time.ko.zst: kernel/drivers/md/dm-multipath.ko.zst\n',
      ),
    ).toEqual(['historical-service-time']);
    expect(selectorsInModuleList('kernel/drivers/md/dm-io-affinity.ko\n')).toEqual(['io-affinity']);
    // Named only as a dependency of another module: not evidence of the module itself.
    expect(selectorsInModuleList('extra/foo.ko: kernel/drivers/md/dm-service-time.ko\n')).toEqual([]);
    expect(selectorsInModuleList('kernel/drivers/md/dm-service-time.korr:\n')).toEqual([]);
  });

  it('combines modules.builtin, modules.dep and loaded modules; unknown without the lists', async () => {
    const t = tree()
      .file('/lib/modules/6.1.0-56-cloud-amd64/modules.dep', DEBIAN_CLOUD_DEP + '\n')
      .file('/lib/modules/6.1.0-56-cloud-amd64/modules.builtin', 'kernel/drivers/md/dm-io-affinity.ko\n')
      .dir('/sys/module/dm_historical_service_time');
    const diag = new DiagnosticSink();
    expect(await readKernelSelectors(t.fs, '6.1.0-56-cloud-amd64', diag)).toEqual([
      'historical-service-time',
      'io-affinity',
      'queue-length',
      'round-robin',
      'service-time',
    ]);
    expect(await readKernelSelectors(t.fs, '6.18.44-fc-v782', diag)).toBeUndefined();
    expect(await readKernelSelectors(t.fs, '../../etc', diag)).toBeUndefined();
    expect(diag.list().map((d) => d.message)).toEqual([expect.stringContaining('not a usable name')]);
  });

  it('lists in the snapshot what the Debian 12 cloud kernel has: no historical-service-time', async () => {
    const t = tree()
      .file('/proc/sys/kernel/osrelease', '6.1.0-56-cloud-amd64\n')
      .file('/lib/modules/6.1.0-56-cloud-amd64/modules.dep', DEBIAN_CLOUD_DEP + '\n');
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.host.pathSelectors).toEqual(['queue-length', 'round-robin', 'service-time']);
  });

  it('the simulated kernel loads every selector the simulator implements', async () => {
    const sim = createSimHost(scaleSpec({ vms: 1, luns: 1, pathsPerLun: 2 }));
    try {
      const s = await observeHost({ fs: sim.fs, runner: sim.runner, clock: sim.clock });
      expect(s.host.pathSelectors).toEqual([
        'historical-service-time',
        'queue-length',
        'round-robin',
        'service-time',
      ]);
    } finally {
      sim.dispose();
    }
  });
});
