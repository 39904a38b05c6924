/**
 * Assemble the PolicySet decide() takes from every policy source. Pure. Order inside the layer
 * lists does not decide precedence (resolvePolicy sorts by ORIGIN_PRECEDENCE:
 * vm-override > libvirt-metadata > proxmox-tag > cluster > host-config > plugin > default);
 * within one kind the per-VM layers come before the all-VM ("defaults") layers.
 * A source that fails for one VM (malformed metadata) is reported and skipped, never fatal.
 */
import { VmpathError } from '../model/errors';
import type { PolicyLayer, PolicySet, VmPolicyValues } from '../model/policy';
import type { Vm } from '../model/snapshot';
import type { ParsedConfig } from './config-file';
import { parseLibvirtMetadata } from './libvirt-metadata';
import { parseProxmoxTags } from './proxmox-tags';

export interface PolicyInputs {
  readonly host?: ParsedConfig;
  readonly cluster?: ParsedConfig;
  readonly vms: readonly Vm[];
  /** vm id → libvirt domain XML (or just its <metadata>). */
  readonly libvirtXml?: Readonly<Record<string, string>>;
  /** Plugin policy sources (PluginHost.policyLayersFor). */
  readonly plugin?: (vm: Vm) => readonly PolicyLayer[];
  /** Operator overrides (API/CLI), origin vm-override. */
  readonly overrides?: Readonly<Record<string, Partial<VmPolicyValues>>>;
}

export interface PolicyProblem {
  readonly subject: string;
  readonly code: string;
  readonly message: string;
}

export function buildPolicySet(inputs: PolicyInputs): { policies: PolicySet; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const byVm: Record<string, PolicyLayer[]> = {};
  const ids = new Set<string>([
    ...inputs.vms.map((v) => v.id),
    ...Object.keys(inputs.host?.byVm ?? {}),
    ...Object.keys(inputs.cluster?.byVm ?? {}),
  ]);
  const vms = new Map(inputs.vms.map((v) => [v.id, v]));
  for (const id of [...ids].sort()) {
    const vm = vms.get(id);
    const layers: PolicyLayer[] = [];
    const override = inputs.overrides?.[id];
    if (override) layers.push({ origin: { kind: 'vm-override', source: 'operator' }, values: override });
    const xml = inputs.libvirtXml?.[id];
    if (xml !== undefined) {
      try {
        const l = parseLibvirtMetadata(xml, vm?.name ?? id);
        if (l) layers.push(l);
      } catch (err) {
        if (!(err instanceof VmpathError)) throw err;
        problems.push({ subject: `vm ${id}`, code: err.code, message: err.message });
      }
    }
    if (vm?.tags?.length) {
      const t = parseProxmoxTags(vm.tags);
      layers.push(...t.layers);
      for (const p of t.problems) problems.push({ subject: `vm ${id}`, code: 'tag-ignored', message: p });
    }
    layers.push(...(inputs.cluster?.byVm[id] ?? []), ...(inputs.host?.byVm[id] ?? []));
    if (vm && inputs.plugin) layers.push(...inputs.plugin(vm));
    byVm[id] = layers;
  }
  const allVms = [...(inputs.cluster?.allVms ?? []), ...(inputs.host?.allVms ?? [])];
  return { policies: { allVms, byVm }, problems };
}
