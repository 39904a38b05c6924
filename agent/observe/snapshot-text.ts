/**
 * A HostSnapshot as readable text tables (for `vmpath snapshot`): host line, maps, paths, VMs,
 * diagnostics. Pure; columns padded, no colours, one line per object.
 */
import type { HostSnapshot, MultipathMap, PathDevice, Vm } from '../model/snapshot';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function mapRow(m: MultipathMap): string[] {
  const paths = m.groups.flatMap((g) => g.paths);
  const groups = m.groups
    .map((g) => `${g.index}${g.index === m.activeGroup ? '*' : ''}:${g.paths.map((p) => p.dev).join(',')}`)
    .join(' ');
  return [
    m.name,
    m.dm,
    m.devT,
    m.owner === 'vmpath' ? `vm ${m.perVm?.vmId ?? '?'}` : 'multipathd',
    `${paths.filter((p) => p.dmState === 'active').length}/${paths.length}`,
    m.queueIfNoPath ? 'queue' : 'fail',
    m.suspended ? 'suspended' : '',
    groups,
  ];
}

function pathRow(p: PathDevice): string[] {
  const t = p.transport;
  return [
    p.dev,
    p.devT,
    p.deviceState,
    p.accessState ?? '-',
    [t.kind, t.adapter, t.state].filter(Boolean).join(' '),
    `${p.inflight.read}/${p.inflight.write}`,
  ];
}

function vmRow(v: Vm): string[] {
  const disks = v.disks.map((d) => (d.maps.length ? `${d.dev}→${d.maps.join('+')}` : d.dev)).join(' ');
  return [
    v.id,
    v.kind,
    v.name,
    String(v.pid),
    v.cgroup ? `v${v.cgroup.version}:${v.cgroup.path}` : '-',
    v.runState,
    disks || '-',
  ];
}

export function snapshotText(s: HostSnapshot): string {
  const h = s.host;
  const out: string[] = [
    `host ${h.hostname}  kernel ${h.kernel ?? '?'}  multipath-tools ${h.multipathToolsVersion ?? '?'}  cgroup ${h.cgroupMode}  at ${new Date(s.takenAtMs).toISOString()}`,
    '',
    `maps (${s.maps.length})`,
    ...table(
      ['NAME', 'DM', 'DEV', 'OWNER', 'ACTIVE', 'NO-PATH', 'STATE', 'GROUPS (* = active)'],
      s.maps.map(mapRow),
    ),
    '',
    `paths (${s.paths.length})`,
    ...table(['DEV', 'DEV_T', 'STATE', 'ALUA', 'TRANSPORT', 'INFLIGHT R/W'], s.paths.map(pathRow)),
    '',
    `vms (${s.vms.length})`,
    ...table(['ID', 'KIND', 'NAME', 'PID', 'CGROUP', 'RUN', 'DISKS → MAPS'], s.vms.map(vmRow)),
  ];
  if (s.diagnostics.length) {
    out.push('', `diagnostics (${s.diagnostics.length})`);
    for (const d of s.diagnostics)
      out.push(`  ${d.level.padEnd(5)} ${d.subject}: ${d.message}${d.code ? ` [${d.code}]` : ''}`);
  }
  return out.join('\n') + '\n';
}
