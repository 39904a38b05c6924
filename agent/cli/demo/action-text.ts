/** One human line per action, object first (STYLE §11). */
import type { Action } from '../../model/plan';
import { prioArgs } from '../../model/path-grouping';

export function actionSubject(a: Action): string {
  switch (a.kind) {
    case 'set-io-limit':
    case 'set-io-weight':
      return `vm ${a.vmId}${a.devT ? ` dev ${a.devT}` : ''}`;
    case 'set-failback-manual':
    case 'set-no-path-retry':
    case 'set-path-selector':
    case 'set-path-grouping':
    case 'switch-group':
    case 'set-queueing':
      return `map ${a.map}`;
    case 'fail-path':
    case 'reinstate-path':
      return `map ${a.map} path ${a.dev}`;
    case 'create-vm-map':
    case 'remove-vm-map':
    case 'reload-vm-map':
      return `vm ${a.vmId} map ${a.name}`;
    case 'move-lv':
      return `vm ${a.vmId} lv ${a.lv}`;
    case 'migrate-vm':
      return `vm ${a.vmId} → ${a.target}`;
    default:
      return `vm ${a.vmId}`;
  }
}

export function actionText(a: Action): string {
  const what =
    a.kind === 'switch-group'
      ? `switch to group ${a.group}`
      : a.kind === 'set-queueing'
        ? a.queue
          ? 'queue_if_no_path'
          : 'fail_if_no_path'
        : a.kind === 'set-no-path-retry'
          ? `no_path_retry ${a.value} (vmpath.conf)`
          : a.kind === 'set-path-selector'
            ? a.value
              ? `path_selector "${a.value}" (vmpath.conf)`
              : 'path_selector removed (vmpath.conf)'
            : a.kind === 'set-path-grouping'
              ? a.grouping
                ? `group_by_prio, prio_args "${prioArgs(a.grouping)}" (vmpath.conf)`
                : 'path grouping removed (vmpath.conf)'
              : a.kind === 'set-io-weight'
                ? `io weight ${a.weight}`
                : a.kind === 'set-io-limit'
                  ? `io limit ${a.limit ? formatLimit(a.limit) : 'cleared'}`
                  : a.kind;
  return `${actionSubject(a)}: ${what} (${a.trigger}) — ${a.reason}`;
}

function formatLimit(l: { rbps?: number; wbps?: number; riops?: number; wiops?: number }): string {
  const parts: string[] = [];
  if (l.rbps !== undefined) parts.push(`r ${(l.rbps / 1e6).toFixed(0)}MB/s`);
  if (l.wbps !== undefined) parts.push(`w ${(l.wbps / 1e6).toFixed(0)}MB/s`);
  if (l.riops !== undefined) parts.push(`r ${l.riops}iops`);
  if (l.wiops !== undefined) parts.push(`w ${l.wiops}iops`);
  return parts.join(' ') || 'max';
}
