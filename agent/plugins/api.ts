/**
 * vmpath plugin API, version 1 — the ONE public contract for plugin authors.
 *
 * This file is self-contained (no imports) and holds only types; the build emits it as
 * dist/agent/plugins/api.d.ts. A plugin is a directory with a `vmpath-plugin.json` manifest
 * (PluginManifest) and a CommonJS module (manifest `main`, default `index.js`) exporting
 * `activate(ctx)` (PluginModule). `activate` registers the contributions the manifest declares
 * through `ctx.register*`, each of which returns a Disposable, and pushes those onto
 * `ctx.subscriptions` (or returns them). A plugin that throws — while loading, in `activate`, or
 * later inside a contribution — is marked failed and its contributions are disposed; vmpath
 * goes on with its built-ins. Contributions must be pure and deterministic: they run inside
 * the decision engine, which must give the same plan for the same input.
 * See docs/plugins.md. Compatibility: additions only within a major version.
 */

export interface Disposable {
  dispose(): void;
}

/** What a pin names: a path device, a host adapter, a fabric/target port, or a path group. */
export type PinTarget =
  | { readonly kind: 'path'; readonly dev: string }
  | { readonly kind: 'adapter'; readonly adapter: string }
  | { readonly kind: 'fabric'; readonly fabric: string }
  | { readonly kind: 'target-port'; readonly port: string }
  | { readonly kind: 'group'; readonly index: number };

/** One usable path of a multipath map, with what a selector may weigh. */
export interface PathCandidate {
  readonly dev: string;
  readonly devT: string;
  /** 1-based path group index in the map. */
  readonly group: number;
  readonly adapter?: string;
  readonly fabric?: string;
  readonly targetPort?: string;
  /** Requests in flight on the device now. */
  readonly inflight: number;
  readonly capacityMBps: number;
  /** Shares of VMs already steered to this physical path in the plan being made. */
  readonly assignedShares: number;
  /** VMs already steered to this physical path in the plan being made. */
  readonly assignedVms: number;
  readonly priority?: number;
}

export interface SelectRequest {
  readonly vmId: string;
  readonly map: string;
  readonly wwid: string;
  /** Usable, eligible (not damped, pin-filtered) paths sorted by device name; never empty. */
  readonly candidates: readonly PathCandidate[];
  /** How many paths the VM should use (1 ≤ want ≤ candidates.length). */
  readonly want: number;
  readonly pins: readonly PinTarget[];
  readonly priority: number;
  readonly shares: number;
  /** The VM's previous choice on this map (may name paths that are gone). */
  readonly previous: readonly string[];
  /** 0-based position of this VM among the VMs placed on this map in this plan. */
  readonly ordinal: number;
}

/** Returns preferred devices (names from `candidates`), best first. Pure and deterministic. */
export interface PathSelector {
  readonly id: string;
  readonly description?: string;
  select(request: SelectRequest): readonly string[];
}

export interface IoRate {
  readonly readMBps?: number;
  readonly writeMBps?: number;
  readonly readIops?: number;
  readonly writeIops?: number;
}

/** Policy values a policy source may set (all optional; see docs/policy.md for ranges). */
export interface PolicyValues {
  readonly priority?: number;
  readonly shares?: number;
  readonly limit?: IoRate;
  readonly reservation?: IoRate;
  readonly pin?: readonly PinTarget[];
  readonly minPaths?: number;
  readonly onAllPathsDown?:
    | { readonly action: 'queue'; readonly forSeconds: number }
    | { readonly action: 'pause' }
    | { readonly action: 'migrate' }
    | { readonly action: 'fail' };
  readonly resume?:
    | { readonly mode: 'auto' }
    | { readonly mode: 'leave-paused' }
    | { readonly mode: 'kill-after'; readonly seconds: number };
  readonly migrateTargets?: readonly string[];
  readonly selector?: string;
}

/** What a policy source sees about a VM. */
export interface VmFacts {
  readonly id: string;
  readonly kind: 'proxmox' | 'libvirt' | 'qemu';
  readonly name: string;
  readonly uuid?: string;
  readonly tags?: readonly string[];
}

/** Policy values for a VM (precedence `plugin`: below host config, above defaults). */
export interface PolicySource {
  readonly id: string;
  readonly description?: string;
  policyFor(vm: VmFacts): PolicyValues | undefined;
}

export interface PluginLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface PluginContext {
  readonly pluginId: string;
  /** The host's plugin API version, e.g. `1.0.0`. */
  readonly apiVersion: string;
  /** Push every Disposable here; vmpath disposes them on deactivate or failure. */
  readonly subscriptions: Disposable[];
  readonly log: PluginLogger;
  /** Register a selector declared in manifest `contributes.pathSelectors`. */
  registerPathSelector(selector: PathSelector): Disposable;
  /** Register a policy source declared in manifest `contributes.policySources`. */
  registerPolicySource(source: PolicySource): Disposable;
}

export interface ContributionDecl {
  readonly id: string;
  readonly description?: string;
}

/** `vmpath-plugin.json`. Validated before any plugin code is loaded. */
export interface PluginManifest {
  /** Lower-case id, e.g. `acme.latency`: [a-z0-9][a-z0-9._-]{0,63}. */
  readonly id: string;
  /** Semantic version of the plugin, `MAJOR.MINOR.PATCH`. */
  readonly version: string;
  /** Plugin API range the plugin works with, e.g. `^1.0.0`, `>=1 <2`, `1.x`. */
  readonly engines: { readonly vmpath: string };
  /** Module to load, relative to the plugin directory. Default `index.js`. */
  readonly main?: string;
  readonly description?: string;
  readonly contributes: {
    readonly pathSelectors?: readonly ContributionDecl[];
    readonly policySources?: readonly ContributionDecl[];
  };
}

export interface PluginModule {
  activate(ctx: PluginContext): void | readonly Disposable[] | Promise<void | readonly Disposable[]>;
  deactivate?(): void;
}
