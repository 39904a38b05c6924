import { observeHost } from '../../../agent/observe';
import { HostTree, clock, fixtureRunner } from './host-tree';

const trees: HostTree[] = [];
afterAll(() => trees.forEach((t) => t.cleanup()));

function mapOver(t: HostTree, a: string, b: string): HostTree {
  return t.dm('dm-0', '253:0', { name: 'mpatha', uuid: 'mpath-1Linux_scsi_debug_2000', slaves: [a, b] });
}

describe('path transports from sysfs', () => {
  it('FC: remote port state and timeouts, host port, H:C:T:L; transport-offline device state', async () => {
    const t = new HostTree();
    trees.push(t);
    const dev = (h: number) =>
      `/sys/devices/pci0000:00/0000:00:03.0/host${h}/rport-${h}:0-0/target${h}:0:0/${h}:0:0:1`;
    mapOver(t, 'sda', 'sdb')
      .disk('sda', '8:0', { devicePath: dev(3), state: 'transport-offline', access: 'standby' })
      .disk('sdb', '8:16', { devicePath: dev(4), state: 'blocked' })
      .file('/sys/class/fc_remote_ports/rport-3:0-0/port_state', 'Blocked\n')
      .file('/sys/class/fc_remote_ports/rport-3:0-0/port_name', '0x500a098188f7d0a1\n')
      .file('/sys/class/fc_remote_ports/rport-3:0-0/dev_loss_tmo', '60\n')
      .file('/sys/class/fc_remote_ports/rport-3:0-0/fast_io_fail_tmo', '5\n')
      .file('/sys/class/fc_host/host3/port_name', '0x10000090fa1b2c3d\n')
      .file('/sys/class/fc_host/host3/fabric_name', '0x100000051e4e5b01\n')
      .file('/sys/class/fc_host/host4/fabric_name', '0x0\n')
      .file('/sys/class/fc_remote_ports/rport-4:0-0/port_state', 'Online\n')
      .file('/sys/class/fc_remote_ports/rport-4:0-0/fast_io_fail_tmo', 'off\n');
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    const [a, b] = s.paths;
    expect(a).toMatchObject({
      dev: 'sda',
      hcil: '3:0:0:1',
      deviceState: 'transport-offline',
      accessState: 'standby',
    });
    expect(a!.transport).toEqual({
      kind: 'fc',
      state: 'Blocked',
      adapter: 'host3',
      targetPort: '0x500a098188f7d0a1',
      hostPort: '0x10000090fa1b2c3d',
      devLossTmo: 60,
      fastIoFailTmo: 5,
    });
    expect(a!.fabric).toBe('0x100000051e4e5b01');
    expect(b!.fabric).toBeUndefined(); // 0x0: point-to-point, no fabric
    expect(b!.deviceState).toBe('blocked');
    expect(b!.transport).toEqual({ kind: 'fc', state: 'Online', adapter: 'host4' });
  });

  it('iSCSI: session state, target name and recovery_tmo', async () => {
    const t = new HostTree();
    trees.push(t);
    const dev = (h: number, s: number) =>
      `/sys/devices/platform/host${h}/session${s}/target${h}:0:0/${h}:0:0:0`;
    mapOver(t, 'sda', 'sdb')
      .disk('sda', '8:0', { devicePath: dev(5, 1) })
      .disk('sdb', '8:16', { devicePath: dev(6, 2) })
      .file('/sys/class/iscsi_session/session1/state', 'LOGGED_IN\n')
      .file('/sys/class/iscsi_session/session1/targetname', 'iqn.2003-01.org.linux-iscsi.t1:sn.1\n')
      .file('/sys/class/iscsi_session/session1/recovery_tmo', '5\n')
      .file('/sys/class/iscsi_session/session1/ifacename', 'iface-san-a\n')
      .file('/sys/class/iscsi_session/session2/state', 'FAILED\n');
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.paths.map((p) => p.transport)).toEqual([
      {
        kind: 'iscsi',
        state: 'LOGGED_IN',
        adapter: 'host5',
        targetPort: 'iqn.2003-01.org.linux-iscsi.t1:sn.1',
        recoveryTmo: 5,
      },
      { kind: 'iscsi', state: 'FAILED', adapter: 'host6' },
    ]);
    expect(s.paths.map((p) => p.fabric)).toEqual(['iface-san-a', undefined]);
  });

  it('SAS end devices', async () => {
    const t = new HostTree();
    trees.push(t);
    const dev = '/sys/devices/pci0000:00/0000:00:1f.2/host2/port-2:0/end_device-2:0/target2:0:0/2:0:0:0';
    mapOver(t, 'sda', 'sdb').disk('sda', '8:0', { devicePath: dev }).disk('sdb', '8:16');
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.paths.map((p) => p.transport.kind)).toEqual(['sas', 'scsi']);
  });

  it('NVMe native multipath paths: controller state, ANA state, subsystem iopolicy (read-only)', async () => {
    const t = new HostTree();
    trees.push(t);
    t.file('/sys/block/nvme0n1/dev', '259:0\n')
      .file('/sys/block/nvme0c0n1/dev', '259:1\n')
      .file('/sys/block/nvme0c0n1/ana_state', 'optimized\n')
      .file('/sys/block/nvme0c0n1/inflight', '1 2\n')
      .file('/sys/block/nvme0c0n1/stat', '1 0 8 0 2 0 16 0 3 3 0\n')
      .link('/sys/block/nvme0c0n1/device', '/sys/devices/virtual/nvme-fabrics/ctl/nvme0')
      .file('/sys/devices/virtual/nvme-fabrics/ctl/nvme0/state', 'live\n')
      .file('/sys/block/nvme1c1n1/dev', '259:2\n')
      .file('/sys/block/nvme1c1n1/ana_state', 'inaccessible\n')
      .link('/sys/block/nvme1c1n1/device', '/sys/devices/virtual/nvme-fabrics/ctl/nvme1')
      .file('/sys/devices/virtual/nvme-fabrics/ctl/nvme1/state', 'connecting\n')
      .file('/sys/class/nvme-subsystem/nvme-subsys0/iopolicy', 'round-robin\n')
      .file('/sys/class/nvme-subsystem/nvme-subsys0/subsysnqn', 'nqn.2014-08.org.example:sub0\n')
      .dir('/sys/class/nvme-subsystem/nvme-subsys0/nvme0')
      .dir('/sys/class/nvme-subsystem/nvme-subsys0/nvme1');
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.paths.map((p) => [p.dev, p.deviceState, p.accessState, p.transport.iopolicy])).toEqual([
      ['nvme0c0n1', 'live', 'active/optimized', 'round-robin'],
      ['nvme1c1n1', 'connecting', 'unavailable', 'round-robin'],
    ]);
    expect(s.paths[0]!.transport).toMatchObject({
      kind: 'nvme',
      adapter: 'nvme0',
      targetPort: 'nqn.2014-08.org.example:sub0',
    });
    expect(s.paths[0]!.inflight).toEqual({ read: 1, write: 2 });
  });

  it('reads the read/write in-flight split only when stat says requests are in flight', async () => {
    const t = new HostTree();
    trees.push(t);
    mapOver(t, 'sda', 'sdb')
      .disk('sda', '8:0', { stat: '1 0 8 0 2 0 16 0 0 3 0\n', inflight: 'garbage that is never read\n' })
      .disk('sdb', '8:16', { stat: '1 0 8 0 2 0 16 0 5 3 0\n', inflight: '2 3\n' });
    const s = await observeHost({ fs: t.fs, runner: fixtureRunner(), clock });
    expect(s.paths.map((p) => [p.dev, p.stat?.inFlight, p.inflight])).toEqual([
      ['sda', 0, { read: 0, write: 0 }],
      ['sdb', 5, { read: 2, write: 3 }],
    ]);
    expect(s.diagnostics).toEqual([]);
  });
});
