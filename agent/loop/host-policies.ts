/**
 * Policies for a host, re-read at every reconcile: the host config file and the cluster file
 * (both under the host root), Proxmox tags and libvirt metadata of the observed VMs, and plugin
 * policy sources — merged by buildPolicySet (precedence in docs/policy.md). A config file that
 * fails to parse keeps the last good one in force and is reported, so a typo never drops every
 * VM's policy at 3 a.m.
 */
import {
  buildPolicySet,
  EMPTY_CONFIG,
  readConfigUnder,
  CLUSTER_CONFIG_PATH,
  HOST_CONFIG_PATH,
  virshMetadataReader,
} from '../config';
import type { LibvirtMetadataReader, ParsedConfig, PolicyProblem } from '../config';
import { asVmpathError } from '../model/errors';
import type { PolicySet } from '../model/policy';
import type { CommandRunner } from '../model/seams';
import type { HostSnapshot } from '../model/snapshot';
import type { PluginHost } from '../plugins';

export interface HostPolicyOptions {
  readonly root: string;
  readonly configPath?: string;
  readonly clusterPath?: string;
  readonly plugins?: PluginHost;
  /**
   * Runs `virsh metadata` for the libvirt domains' vmpath policy, with the host config's
   * `control.libvirtUri` (asked only when the snapshot has libvirt VMs).
   */
  readonly runner?: CommandRunner;
  /** Replaces the virsh reader (tests). */
  readonly libvirtMetadata?: LibvirtMetadataReader;
  readonly onProblem?: (p: PolicyProblem) => void;
}

export class HostPolicies {
  private lastGood: { host: ParsedConfig; cluster: ParsedConfig } = {
    host: EMPTY_CONFIG,
    cluster: EMPTY_CONFIG,
  };

  constructor(private readonly options: HostPolicyOptions) {}

  /** Reads both files now; throws on a bad file (use at start-up to refuse a broken config). */
  async loadFiles(): Promise<{ host: ParsedConfig; cluster: ParsedConfig }> {
    const o = this.options;
    const host = await readConfigUnder(o.root, o.configPath ?? HOST_CONFIG_PATH, 'host-config');
    const cluster = await readConfigUnder(o.root, o.clusterPath ?? CLUSTER_CONFIG_PATH, 'cluster');
    this.lastGood = { host, cluster };
    return this.lastGood;
  }

  get hostConfig(): ParsedConfig {
    return this.lastGood.host;
  }

  /** The PolicySet for this snapshot; file errors are reported and the last good files kept. */
  async forSnapshot(snapshot: HostSnapshot): Promise<PolicySet> {
    try {
      await this.loadFiles();
    } catch (e) {
      const err = asVmpathError(e);
      this.options.onProblem?.({
        subject: 'config',
        code: err.code,
        message: `${err.message}; keeping the last good configuration`,
      });
    }
    const plugins = this.options.plugins;
    const libvirt = await this.readLibvirtMetadata(snapshot);
    const { policies, problems } = buildPolicySet({
      host: this.lastGood.host,
      cluster: this.lastGood.cluster,
      vms: snapshot.vms,
      ...(libvirt ? { libvirtXml: libvirt } : {}),
      ...(plugins ? { plugin: (vm) => plugins.policyLayersFor(vm) } : {}),
    });
    for (const p of problems) this.options.onProblem?.(p);
    return policies;
  }

  private async readLibvirtMetadata(snapshot: HostSnapshot): Promise<Record<string, string> | undefined> {
    if (!snapshot.vms.some((v) => v.kind === 'libvirt')) return undefined;
    const { runner, libvirtMetadata } = this.options;
    const uri = this.lastGood.host.control.libvirtUri;
    const reader =
      libvirtMetadata ?? (runner ? virshMetadataReader({ runner, ...(uri ? { uri } : {}) }) : undefined);
    if (!reader) return undefined;
    const { xml, problems } = await reader(snapshot.vms);
    for (const p of problems) this.options.onProblem?.(p);
    return xml;
  }
}
