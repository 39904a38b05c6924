/** VM control plumbing: libvirt lazy loading and virsh fallback, routing by kind, bounded retries. */
import { LibvirtVmControl, type LibvirtHypervisor } from '../../../agent/act/vm/libvirt-control';
import { RoutingVmControl } from '../../../agent/act/vm/routing-control';
import { RetryingVmControl, withRetry } from '../../../agent/act/vm/retry';
import { QmpTimeoutError, QmpError } from '../../../agent/model/errors';
import type { VmRef } from '../../../agent/model/seams';
import { FakeVms, ScriptedRunner, fail } from './helpers';

const dom: VmRef = { id: 'web1', kind: 'libvirt', name: 'web1', pid: 0 };
const pve: VmRef = { id: '101', kind: 'proxmox', name: '101', pid: 0 };

describe('libvirt', () => {
  it('the binding is absent here: without fallback every call is LibvirtUnavailableError', async () => {
    const c = new LibvirtVmControl({ runner: new ScriptedRunner(), virshFallback: false });
    await expect(c.status(dom)).rejects.toMatchObject({ code: 'VMPATH_E_LIBVIRT_UNAVAILABLE' });
  });

  it('falls back to virsh (argv, state mapping, not-found)', async () => {
    const runner = new ScriptedRunner()
      .on('virsh -c qemu:///system domstate web1', 'paused\n\n')
      .on('virsh -c qemu:///system resume web1', 'Domain web1 resumed\n')
      .on('virsh -c qemu:///system domstate nope', fail("error: failed to get domain 'nope'\n"))
      .on('virsh -c qemu:///system migrate --live web1 qemu+ssh://node2/system', '');
    const c = new LibvirtVmControl({ runner });
    expect(await c.status(dom)).toBe('paused');
    await c.resume(dom);
    await expect(c.status({ ...dom, id: 'nope', name: 'nope' })).rejects.toMatchObject({
      code: 'VMPATH_E_VM_NOT_FOUND',
    });
    await c.migrate(dom, 'node2');
    await expect(c.migrate(dom, 'node2;rm -rf /')).rejects.toMatchObject({ code: 'VMPATH_E_LIBVIRT' });
    expect(runner.calls).toHaveLength(4);
  });

  it('uses the binding when it loads, and maps its failures to LibvirtError', async () => {
    const states = new Map([['web1', 1]]);
    const hv: LibvirtHypervisor = {
      connectOpen: async () => undefined,
      connectClose: async () => undefined,
      domainLookupByName: async (n) => {
        if (!states.has(n)) throw new Error(`Domain not found: no domain with matching name '${n}'`);
        return n;
      },
      domainGetInfo: async (d) => ({ state: states.get(d as string) as number }),
      domainSuspend: async (d) => void states.set(d as string, 3),
      domainResume: async (d) => void states.set(d as string, 1),
      domainDestroy: async (d) => void states.delete(d as string),
    };
    const c = new LibvirtVmControl({ runner: new ScriptedRunner(), factory: async () => hv });
    await c.pause(dom);
    expect(await c.status(dom)).toBe('paused');
    await c.resume(dom);
    expect(await c.status(dom)).toBe('running');
    await expect(c.status({ ...dom, name: 'x' })).rejects.toMatchObject({ code: 'VMPATH_E_LIBVIRT' });
  });
});

describe('routing', () => {
  it('proxmox → QMP (migrate → Proxmox API), libvirt → libvirt, missing backend → typed error', async () => {
    const qmp = new FakeVms(new Map([['101', 'running']]));
    const api = new FakeVms(new Map([['101', 'running']]));
    const lv = new FakeVms(new Map([['web1', 'running']]));
    const r = new RoutingVmControl({ qmp, proxmoxApi: api, libvirt: lv });
    await r.pause(pve);
    await r.migrate(pve, 'pve2');
    await r.pause(dom);
    expect(qmp.calls).toEqual(['pause 101']);
    expect(api.calls).toEqual(['migrate 101 pve2']);
    expect(lv.calls).toEqual(['pause web1']);
    await expect(new RoutingVmControl({ qmp }).migrate(pve, 'pve2')).rejects.toMatchObject({
      code: 'VMPATH_E_VM_CONTROL_UNSUPPORTED',
    });
  });

  it('preferApi (the API configured): Proxmox VMs go through the API, plain QEMU stays on QMP', async () => {
    const qmp = new FakeVms(
      new Map([
        ['101', 'running'],
        ['vm7', 'running'],
      ]),
    );
    const api = new FakeVms(new Map([['101', 'running']]));
    const r = new RoutingVmControl({ qmp, proxmoxApi: api, preferApi: true });
    await r.pause(pve);
    await r.pause({ id: 'vm7', kind: 'qemu', name: 'vm7', pid: 0 });
    expect(api.calls).toEqual(['pause 101']);
    expect(qmp.calls).toEqual(['pause vm7']);
  });
});

describe('retries', () => {
  it('retries retryable errors with backoff, bounded; terminal errors at once', async () => {
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    let n = 0;
    expect(
      await withRetry(
        async () => {
          if (++n < 3) throw new QmpTimeoutError('busy');
          return 'ok';
        },
        { sleep, baseDelayMs: 100 },
      ),
    ).toBe('ok');
    expect(sleeps).toEqual([100, 200]);
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new QmpError('GenericError');
        },
        { sleep },
      ),
    ).rejects.toBeInstanceOf(QmpError);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new QmpTimeoutError('busy');
        },
        { sleep, attempts: 3 },
      ),
    ).rejects.toBeInstanceOf(QmpTimeoutError);
    expect(calls).toBe(3);
  });

  it('RetryingVmControl does not retry migrate (it may have started)', async () => {
    let calls = 0;
    const inner = {
      ...new FakeVms(),
      status: async () => 'running' as const,
      pause: async () => undefined,
      resume: async () => undefined,
      kill: async () => undefined,
      migrate: async () => {
        calls++;
        throw new QmpTimeoutError('slow');
      },
    };
    await expect(
      new RetryingVmControl(inner, { sleep: async () => undefined }).migrate(pve, 'x'),
    ).rejects.toBeInstanceOf(QmpTimeoutError);
    expect(calls).toBe(1);
  });
});
