/**
 * libvirt through the real `virsh` against libvirt's in-process test driver (test:///default: no
 * daemon, a predefined running domain `test`): status mapping, a suspend/resume that libvirt
 * accepts, and the error paths (unknown domain → VmNotFoundError, unreachable URI → LibvirtError).
 * The native binding is not installed here, so LibvirtVmControl must fall back to virsh.
 * Each virsh run is a new connection, so the test driver's state does not carry between calls.
 */
import { spawnSync } from 'node:child_process';
import { LibvirtVmControl } from '../../../agent/act/vm/libvirt-control';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import type { VmRef } from '../../../agent/model/seams';

const test: VmRef = { id: 'test', kind: 'libvirt', name: 'test', pid: 0 };

describe('libvirt via virsh (test driver)', () => {
  beforeAll(() => {
    const r = spawnSync('virsh', ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('virsh missing: scripts/install-test-deps installs libvirt-clients');
  });
  const c = new LibvirtVmControl({ runner: new ProcessCommandRunner(), uri: 'test:///default' });

  it('reads the domain state and drives suspend/resume/destroy', async () => {
    expect(await c.status(test)).toBe('running');
    await c.pause(test);
    await expect(c.resume(test)).rejects.toMatchObject({ code: 'VMPATH_E_LIBVIRT' }); // fresh connection: not paused
    await c.kill(test);
  });

  it('an unknown domain is VmNotFoundError', async () => {
    await expect(c.pause({ ...test, id: 'nope', name: 'nope' })).rejects.toMatchObject({
      code: 'VMPATH_E_VM_NOT_FOUND',
    });
  });

  it('an unreachable libvirt is LibvirtError', async () => {
    const down = new LibvirtVmControl({
      runner: new ProcessCommandRunner(),
      uri: 'qemu+unix:///system?socket=/nonexistent/sock',
    });
    await expect(down.status(test)).rejects.toMatchObject({ code: 'VMPATH_E_LIBVIRT' });
  });
});
