/**
 * Per-VM policy. Every value carries its origin so `explain`, the API and the panel can say
 * where it came from. Sources are merged by precedence (highest first):
 *   vm-override > libvirt-metadata > proxmox-tag > cluster > host-config > plugin > default.
 * "Unset" is explicit (`undefined` value inside PolicyLayer); defaults apply only at the end.
 */

export type OriginKind =
  'vm-override' | 'libvirt-metadata' | 'proxmox-tag' | 'cluster' | 'host-config' | 'plugin' | 'default';

export const ORIGIN_PRECEDENCE: readonly OriginKind[] = [
  'vm-override',
  'libvirt-metadata',
  'proxmox-tag',
  'cluster',
  'host-config',
  'plugin',
  'default',
];

export interface Origin {
  readonly kind: OriginKind;
  /** Where exactly: `/etc/vmpath/config.json:12`, `tag vmpath-prio-high`, plugin id, ... */
  readonly source?: string;
}

export interface Sourced<T> {
  readonly value: T;
  readonly origin: Origin;
}

/** Bandwidth/IOPS figures; MB means 10^6 bytes. Each direction is capped separately. */
export interface IoRate {
  readonly readMBps?: number;
  readonly writeMBps?: number;
  readonly readIops?: number;
  readonly writeIops?: number;
}

/** What a pin names: a path device, a host adapter, a fabric/target port, or a path group. */
export type PinTarget =
  | { readonly kind: 'path'; readonly dev: string }
  | { readonly kind: 'adapter'; readonly adapter: string }
  | { readonly kind: 'fabric'; readonly fabric: string }
  | { readonly kind: 'target-port'; readonly port: string }
  | { readonly kind: 'group'; readonly index: number };

export type AllPathsDownAction =
  | { readonly action: 'queue'; readonly forSeconds: number }
  | { readonly action: 'pause' }
  | { readonly action: 'migrate' }
  | { readonly action: 'fail' };

export type ResumePolicy =
  | { readonly mode: 'auto' }
  | { readonly mode: 'leave-paused' }
  | { readonly mode: 'kill-after'; readonly seconds: number };

export interface VmPolicyValues {
  /** Higher wins admission and contention. 0..100, default 50. */
  readonly priority: number;
  /** Proportional share weight, 1..10000, default 100 (maps to io.weight / blkio weight). */
  readonly shares: number;
  readonly limit?: IoRate;
  readonly reservation?: IoRate;
  readonly pin: readonly PinTarget[];
  /** Redundancy SLA: fewest usable paths the VM should have. Default 1. */
  readonly minPaths: number;
  readonly onAllPathsDown: AllPathsDownAction;
  readonly resume: ResumePolicy;
  /** Hosts (cluster node names) the VM may be migrated to, in preference order. */
  readonly migrateTargets: readonly string[];
  /** Path selector id (a built-in or a plugin's). Default `affinity`. */
  readonly selector: string;
}

export type VmPolicy = { readonly [K in keyof VmPolicyValues]-?: Sourced<VmPolicyValues[K]> };

/** One source's partial opinion; decide/ merges layers by ORIGIN_PRECEDENCE. */
export interface PolicyLayer {
  readonly origin: Origin;
  readonly values: Partial<VmPolicyValues>;
}

export const POLICY_DEFAULTS: VmPolicyValues = Object.freeze({
  priority: 50,
  shares: 100,
  limit: undefined,
  reservation: undefined,
  pin: Object.freeze([]) as readonly PinTarget[],
  minPaths: 1,
  onAllPathsDown: Object.freeze({ action: 'queue', forSeconds: 30 }) as AllPathsDownAction,
  resume: Object.freeze({ mode: 'auto' }) as ResumePolicy,
  migrateTargets: Object.freeze([]) as readonly string[],
  selector: 'affinity',
});

/** Policy inputs for a whole host: layers per VM id, plus layers that apply to every VM. */
export interface PolicySet {
  readonly allVms: readonly PolicyLayer[];
  readonly byVm: Readonly<Record<string, readonly PolicyLayer[]>>;
}
