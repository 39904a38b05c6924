/**
 * NVMe native multipath on the real kernel, read-only for vmpath: an nvmet subsystem (configfs,
 * one file-backed namespace) exported on two TCP ports on 127.0.0.1 and connected twice through
 * /dev/nvme-fabrics gives one head namespace over two path devices `nvmeXcYnZ`. The sysfs that
 * observe reads is saved (files/nvme-*, test/fixtures/lab/README.md) with both paths live, with
 * one port's ANA group inaccessible, with one port removed (controller reconnecting) and with
 * that controller deleted. No packages beyond the image's: configfs, sysfs and the fabrics device.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { observeHost } from '../../../agent/observe';
import { ProcessCommandRunner } from '../../../agent/os/command-runner';
import { RootedHostFs } from '../../../agent/os/host-fs';
import type { HostSnapshot } from '../../../agent/model/snapshot';
import type { CaseContext, LabCase } from '../lib/case';
import { sysfsTreeListing } from '../lib/capture';
import { out, readAttr, sh, until, writeAttr } from '../lib/sh';

const CONFIGFS = '/sys/kernel/config';
const NVMET = `${CONFIGFS}/nvmet`;
const SUBNQN = 'nqn.2026-11.io.vmpath.lab:nvme-sub1';
const HOSTNQN = 'nqn.2026-11.io.vmpath.lab:host1';
const HOSTID = '5e1c7a9d-3b2f-4d8e-9a61-766d70617468';
const NS_UUID = '0b6f3c2a-9d41-4e7f-8c15-766d70617468';
const BACKING = '/tmp/nvme-ns1.img';
const PORTS = [
  { id: '1', trsvcid: '4420' },
  { id: '2', trsvcid: '4421' },
] as const;
const PATH_DEV = /^nvme\d+c\d+n\d+$/;
const HEAD_DEV = /^nvme\d+n\d+$/;

function ls(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** One controller: writes the option string to /dev/nvme-fabrics in a child node (timeout) and returns its reply. */
function connect(trsvcid: string): string {
  const options = `transport=tcp,traddr=127.0.0.1,trsvcid=${trsvcid},nqn=${SUBNQN},hostnqn=${HOSTNQN},hostid=${HOSTID}`;
  const script = [
    "const fs = require('node:fs');",
    "const fd = fs.openSync('/dev/nvme-fabrics', 'r+');",
    'fs.writeSync(fd, process.argv[1]);',
    'const b = Buffer.alloc(256);',
    'const n = fs.readSync(fd, b, 0, b.length, 0);',
    "process.stdout.write(b.toString('utf8', 0, n));",
  ].join(' ');
  return out([process.execPath, '-e', script, options], { timeoutMs: 90_000 });
}

interface Controller {
  readonly name: string;
  readonly trsvcid: string;
}

function controllerOf(reply: string, trsvcid: string): Controller {
  const m = /instance=(\d+)/.exec(reply);
  assert.ok(m, `no instance in the fabrics reply ${JSON.stringify(reply)}`);
  return { name: `nvme${m[1]}`, trsvcid };
}

/** The subsystem directory of our controllers and its head namespace. */
function subsystemOf(ctrl: string): { subsys: string; heads: string[] } | undefined {
  for (const s of ls('/sys/class/nvme-subsystem')) {
    const entries = ls(`/sys/class/nvme-subsystem/${s}`);
    if (entries.includes(ctrl)) return { subsys: s, heads: entries.filter((e) => HEAD_DEV.test(e)) };
  }
  return undefined;
}

function pathsOf(ctrl: string): string[] {
  return ls(`/sys/class/nvme/${ctrl}`).filter((e) => PATH_DEV.test(e));
}

/** What observe reads for NVMe, as an absolute-path listing (lib/capture.ts sysfsTreeListing). */
function nvmeSysfs(): string {
  const starts = [
    ...ls('/sys/block')
      .filter((n) => n.startsWith('nvme'))
      .map((n) => `/sys/block/${n}`),
    ...ls('/sys/class/nvme').map((n) => `/sys/class/nvme/${n}`),
    ...ls('/sys/class/nvme-subsystem').map((n) => `/sys/class/nvme-subsystem/${n}`),
  ];
  // /sys/block itself: only its nvme entries (the listing rebuilds a tree observe can scan).
  const listing = sysfsTreeListing(starts);
  return `/sys/block/\n${listing}`;
}

function observed(): Promise<HostSnapshot> {
  return observeHost(
    {
      fs: new RootedHostFs('/'),
      runner: new ProcessCommandRunner(60_000),
      clock: { nowMs: () => Date.now() },
    },
    { readTimeoutMs: 30_000 },
  );
}

async function capture(ctx: CaseContext, dir: string, ctrls: readonly Controller[]): Promise<void> {
  ctx.save(`${dir}/sysfs.txt`, nvmeSysfs());
  ctx.save(
    `${dir}/lsblk.txt`,
    sh(['lsblk', '-o', 'NAME,KNAME,MAJ:MIN,TYPE,SIZE,RO'], { allowFail: true }).stdout,
  );
  ctx.save(`${dir}/proc-partitions.txt`, fs.readFileSync('/proc/partitions', 'utf8'));
  ctx.save(`${dir}/proc-diskstats.txt`, fs.readFileSync('/proc/diskstats', 'utf8'));
  const snap = await observed();
  ctx.save(
    `${dir}/observe.json`,
    `${JSON.stringify({ paths: snap.paths, diagnostics: snap.diagnostics }, null, 2)}\n`,
  );
  const kernelPaths = ctrls.flatMap((c) => pathsOf(c.name)).sort();
  const seen = snap.paths.filter((p) => p.transport.kind === 'nvme');
  assert.deepEqual(seen.map((p) => p.dev).sort(), kernelPaths, `${dir}: observe's NVMe paths`);
  for (const p of seen) {
    assert.equal(p.deviceState, readAttr(`/sys/block/${p.dev}/device/state`), `${dir}: ${p.dev} state`);
  }
  const states: Record<string, unknown> = {};
  for (const c of ctrls) {
    const base = `/sys/class/nvme/${c.name}`;
    states[c.name] = exists(base)
      ? {
          state: readAttr(`${base}/state`),
          paths: Object.fromEntries(pathsOf(c.name).map((p) => [p, readAttr(`/sys/block/${p}/ana_state`)])),
        }
      : 'gone';
  }
  ctx.fact(`${dir}`, states);
}

/**
 * The lab's init leaves `lo` down (ENETUNREACH on connect) and the image has no iproute2: set
 * IFF_UP with one SIOCSIFFLAGS ioctl from python3 (in the image); the kernel adds 127.0.0.1.
 */
function loopbackUp(ctx: CaseContext): void {
  const flags = () => Number.parseInt(readAttr('/sys/class/net/lo/flags'), 16);
  if (flags() & 1) return;
  const script = [
    'import fcntl, socket, struct',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    "f = struct.unpack('16sH22x', fcntl.ioctl(s, 0x8913, struct.pack('16sH22x', b'lo', 0)))[1]",
    "fcntl.ioctl(s, 0x8914, struct.pack('16sH22x', b'lo', f | 1))",
  ].join('\n');
  sh(['python3', '-c', script]);
  ctx.fact('lo', `was down; flags now 0x${flags().toString(16)}`);
}

function setupTarget(ctx: CaseContext): void {
  loopbackUp(ctx);
  if (!fs.readFileSync('/proc/mounts', 'utf8').includes(` ${CONFIGFS} configfs `)) {
    sh(['modprobe', 'configfs'], { allowFail: true });
    sh(['mount', '-t', 'configfs', 'none', CONFIGFS]);
  }
  for (const m of ['nvmet', 'nvmet-tcp', 'nvme-fabrics', 'nvme-tcp'])
    sh(['modprobe', m], { timeoutMs: 60_000 });
  ctx.fact(
    'modules',
    out(['lsmod'])
      .split('\n')
      .filter((l) => /^nvme/.test(l))
      .map((l) => l.split(/\s+/)[0]),
  );
  sh(['truncate', '-s', '32M', BACKING]);
  const sub = `${NVMET}/subsystems/${SUBNQN}`;
  fs.mkdirSync(sub);
  writeAttr(`${sub}/attr_allow_any_host`, '1');
  const ns = `${sub}/namespaces/1`;
  fs.mkdirSync(ns);
  writeAttr(`${ns}/device_path`, BACKING);
  writeAttr(`${ns}/device_uuid`, NS_UUID);
  writeAttr(`${ns}/buffered_io`, '1'); // tmpfs has no O_DIRECT on 6.1
  writeAttr(`${ns}/enable`, '1');
  for (const p of PORTS) {
    const port = `${NVMET}/ports/${p.id}`;
    fs.mkdirSync(port);
    writeAttr(`${port}/addr_trtype`, 'tcp');
    writeAttr(`${port}/addr_adrfam`, 'ipv4');
    writeAttr(`${port}/addr_traddr`, '127.0.0.1');
    writeAttr(`${port}/addr_trsvcid`, p.trsvcid);
    fs.symlinkSync(sub, `${port}/subsystems/${SUBNQN}`);
  }
}

async function teardownAll(ctx: CaseContext, ctrls: readonly Controller[]): Promise<void> {
  const errors: string[] = [];
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  for (const c of ctrls) {
    if (exists(`/sys/class/nvme/${c.name}`))
      attempt(`delete ${c.name}`, () => writeAttr(`/sys/class/nvme/${c.name}/delete_controller`, '1'));
  }
  try {
    await until(
      'controllers gone',
      () => (ctrls.every((c) => !exists(`/sys/class/nvme/${c.name}`)) ? true : undefined),
      60_000,
      200,
    );
  } catch (e) {
    errors.push(String(e));
  }
  for (const p of PORTS) {
    const link = `${NVMET}/ports/${p.id}/subsystems/${SUBNQN}`;
    if (exists(link)) attempt(`unlink port ${p.id}`, () => fs.unlinkSync(link));
    if (exists(`${NVMET}/ports/${p.id}`))
      attempt(`rmdir port ${p.id}`, () => fs.rmdirSync(`${NVMET}/ports/${p.id}`));
  }
  const sub = `${NVMET}/subsystems/${SUBNQN}`;
  if (exists(`${sub}/namespaces/1`)) {
    attempt('disable ns', () => writeAttr(`${sub}/namespaces/1/enable`, '0'));
    attempt('rmdir ns', () => fs.rmdirSync(`${sub}/namespaces/1`));
  }
  if (exists(sub)) attempt('rmdir subsystem', () => fs.rmdirSync(sub));
  attempt('rm backing file', () => fs.rmSync(BACKING, { force: true }));
  ctx.fact('teardown errors', errors);
  assert.deepEqual(errors, [], 'teardown');
}

export const cases: LabCase[] = [
  {
    name: 'nvmet over TCP, two ports, two controllers: live, ANA inaccessible, port removed, controller deleted',
    timeoutMs: 420_000,
    async run(ctx) {
      ctx.fact('kernel', out(['uname', '-r']));
      const ctrls: Controller[] = [];
      try {
        setupTarget(ctx);
        for (const p of PORTS) {
          const t0 = Date.now();
          const reply = connect(p.trsvcid);
          ctx.fact(`connect ${p.trsvcid}`, { reply: reply.trim(), seconds: (Date.now() - t0) / 1000 });
          ctrls.push(controllerOf(reply, p.trsvcid));
        }
        const [a, b] = ctrls;
        assert.ok(a && b);
        const t1 = Date.now();
        const found = await until(
          'both path devices and the head namespace',
          () => {
            const s = subsystemOf(a.name);
            const pa = pathsOf(a.name);
            const pb = pathsOf(b.name);
            if (!s || s.heads.length === 0 || pa.length === 0 || pb.length === 0) return undefined;
            if (!pa.concat(pb).every((p) => exists(`/sys/block/${p}/ana_state`))) return undefined;
            return { ...s, pa: pa[0] as string, pb: pb[0] as string };
          },
          60_000,
          200,
        );
        ctx.fact('topology', { ...found, seconds: (Date.now() - t1) / 1000 });
        ctx.fact('iopolicy', readAttr(`/sys/class/nvme-subsystem/${found.subsys}/iopolicy`));
        await capture(ctx, 'nvme-live', ctrls);

        const ana = `${NVMET}/ports/2/ana_groups/1/ana_state`;
        writeAttr(ana, 'inaccessible');
        const t2 = Date.now();
        await until(
          `${found.pb} ana_state inaccessible`,
          () => (readAttr(`/sys/block/${found.pb}/ana_state`) === 'inaccessible' ? true : undefined),
          60_000,
          100,
        );
        ctx.fact('ANA change seen by the host (s)', (Date.now() - t2) / 1000);
        await capture(ctx, 'nvme-ana-inaccessible', ctrls);
        writeAttr(ana, 'optimized');
        await until(
          `${found.pb} ana_state optimized`,
          () => (readAttr(`/sys/block/${found.pb}/ana_state`) === 'optimized' ? true : undefined),
          60_000,
          100,
        );

        fs.unlinkSync(`${NVMET}/ports/2/subsystems/${SUBNQN}`);
        const t3 = Date.now();
        const state = await until(
          `${b.name} not live`,
          () => {
            const s = readAttr(`/sys/class/nvme/${b.name}/state`);
            return s === 'live' ? undefined : s;
          },
          60_000,
          100,
        );
        ctx.fact('port removed → controller state', { state, seconds: (Date.now() - t3) / 1000 });
        await until(
          `${b.name} connecting`,
          () => (readAttr(`/sys/class/nvme/${b.name}/state`) === 'connecting' ? true : undefined),
          60_000,
          100,
        );
        await capture(ctx, 'nvme-port-removed', ctrls);

        writeAttr(`/sys/class/nvme/${b.name}/delete_controller`, '1');
        const t4 = Date.now();
        await until(
          `${b.name} gone`,
          () => (exists(`/sys/class/nvme/${b.name}`) ? undefined : true),
          60_000,
          100,
        );
        ctx.fact('delete_controller → gone (s)', (Date.now() - t4) / 1000);
        await capture(ctx, 'nvme-controller-deleted', ctrls);
        ctx.save(
          'nvme-dmesg.txt',
          `${out(['dmesg'])
            .split('\n')
            .filter((l) => /nvme/i.test(l))
            .join('\n')}\n`,
        );
      } finally {
        await teardownAll(ctx, ctrls);
      }
      assert.equal(subsystemOf(ctrls[0]?.name ?? 'none'), undefined);
      ctx.log(
        `configfs after teardown: ${path.join(NVMET, 'subsystems')}: ${ls(`${NVMET}/subsystems`).join(' ')}`,
      );
    },
  },
];
