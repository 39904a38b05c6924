/**
 * PluginHost: activates plugins (built-in or loaded from disk), owns what they register and
 * records their state. Never throws because of a plugin: every failure becomes a `failed`
 * PluginRecord carrying a PluginActivationError (or PluginManifestError), and the failed
 * plugin's contributions are disposed. Built-in selectors are activated through this same path.
 */
import type { PathSelector as EnginePathSelector } from '../decide/selector';
import { SelectorRegistry } from '../decide/selector';
import { PluginActivationError, VmpathError } from '../model/errors';
import type { Plan } from '../model/plan';
import type { PolicyLayer, VmPolicyValues } from '../model/policy';
import type { Vm } from '../model/snapshot';
import type { Disposable, PluginContext, PluginManifest, PluginModule, PolicySource } from './api';
import { PLUGIN_API_VERSION } from './manifest';

export type PluginState = 'active' | 'failed' | 'disposed';

export interface PluginRecord {
  readonly id: string;
  readonly version: string;
  readonly state: PluginState;
  /** Where it came from: `builtin` or the plugin directory. */
  readonly from: string;
  readonly selectors: readonly string[];
  readonly policySources: readonly string[];
  readonly error?: VmpathError;
}

interface Entry {
  record: PluginRecord;
  readonly subscriptions: Disposable[];
  readonly module?: PluginModule;
}

export interface PluginHostOptions {
  readonly selectors?: SelectorRegistry;
  readonly apiVersion?: string;
  readonly log?: (level: 'info' | 'warn', message: string) => void;
}

export class PluginHost {
  readonly selectors: SelectorRegistry;
  readonly apiVersion: string;
  private readonly entries = new Map<string, Entry>();
  private readonly sources = new Map<string, { source: PolicySource; owner: string }>();
  private readonly log: (level: 'info' | 'warn', message: string) => void;

  constructor(options: PluginHostOptions = {}) {
    this.selectors = options.selectors ?? new SelectorRegistry();
    this.apiVersion = options.apiVersion ?? PLUGIN_API_VERSION;
    this.log = options.log ?? (() => undefined);
  }

  records(): readonly PluginRecord[] {
    return [...this.entries.values()].map((e) => e.record).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  record(id: string): PluginRecord | undefined {
    return this.entries.get(id)?.record;
  }

  /** Record a plugin that could not even be loaded (bad manifest, missing module). */
  recordFailure(id: string, from: string, error: VmpathError, version = '0.0.0'): PluginRecord {
    const record: PluginRecord = {
      id,
      version,
      state: 'failed',
      from,
      selectors: [],
      policySources: [],
      error,
    };
    if (!this.entries.has(id)) this.entries.set(id, { record, subscriptions: [] });
    this.log('warn', `plugin ${id}: ${error.message}`);
    return record;
  }

  /** Activate a plugin whose activate() may be async. */
  async activate(manifest: PluginManifest, module: PluginModule, from: string): Promise<PluginRecord> {
    const start = this.begin(manifest, module, from);
    if ('state' in start) return start;
    try {
      const result = await start.run();
      return this.finish(manifest.id, result);
    } catch (err) {
      return this.fail(manifest.id, 'activate', err);
    }
  }

  /** Activate a plugin whose activate() is synchronous (built-ins, tests). */
  activateSync(manifest: PluginManifest, module: PluginModule, from: string): PluginRecord {
    const start = this.begin(manifest, module, from);
    if ('state' in start) return start;
    try {
      const result = start.run();
      if (result && typeof (result as Promise<unknown>).then === 'function')
        return this.fail(
          manifest.id,
          'activate',
          new Error('activate() returned a promise; use PluginHost.activate'),
        );
      return this.finish(manifest.id, result as void | readonly Disposable[]);
    } catch (err) {
      return this.fail(manifest.id, 'activate', err);
    }
  }

  private begin(
    manifest: PluginManifest,
    module: PluginModule,
    from: string,
  ): PluginRecord | { run: () => ReturnType<PluginModule['activate']> } {
    if (this.entries.has(manifest.id))
      return this.recordFailure(
        `${manifest.id}@${from}`,
        from,
        new PluginActivationError(
          `plugin ${manifest.id}: already loaded from ${this.entries.get(manifest.id)?.record.from}`,
          {
            plugin: manifest.id,
          },
        ),
        manifest.version,
      );
    const entry: Entry = {
      record: {
        id: manifest.id,
        version: manifest.version,
        state: 'active',
        from,
        selectors: [],
        policySources: [],
      },
      subscriptions: [],
      module,
    };
    this.entries.set(manifest.id, entry);
    if (typeof module?.activate !== 'function')
      return this.fail(manifest.id, 'load', new Error('module does not export activate(ctx)'));
    const ctx = this.context(manifest, entry);
    return { run: () => module.activate(ctx) };
  }

  private context(manifest: PluginManifest, entry: Entry): PluginContext {
    const declared = (list: readonly { id: string }[] | undefined, id: string): boolean =>
      (list ?? []).some((c) => c.id === id);
    const track = (d: Disposable): Disposable => {
      entry.subscriptions.push(d);
      return d;
    };
    return {
      pluginId: manifest.id,
      apiVersion: this.apiVersion,
      subscriptions: entry.subscriptions,
      log: {
        info: (m) => this.log('info', `plugin ${manifest.id}: ${m}`),
        warn: (m) => this.log('warn', `plugin ${manifest.id}: ${m}`),
      },
      registerPathSelector: (selector) => {
        if (!selector || typeof selector.select !== 'function')
          throw new Error('registerPathSelector: not a PathSelector');
        if (!declared(manifest.contributes.pathSelectors, selector.id))
          throw new Error(`path selector ${selector.id} is not declared in contributes.pathSelectors`);
        const d = this.selectors.register(selector as EnginePathSelector, manifest.id);
        entry.record = { ...entry.record, selectors: [...entry.record.selectors, selector.id] };
        return track(d);
      },
      registerPolicySource: (source) => {
        if (!source || typeof source.policyFor !== 'function')
          throw new Error('registerPolicySource: not a PolicySource');
        if (!declared(manifest.contributes.policySources, source.id))
          throw new Error(`policy source ${source.id} is not declared in contributes.policySources`);
        if (this.sources.has(source.id)) throw new Error(`policy source ${source.id} is already registered`);
        this.sources.set(source.id, { source, owner: manifest.id });
        entry.record = { ...entry.record, policySources: [...entry.record.policySources, source.id] };
        return track({ dispose: () => void this.sources.delete(source.id) });
      },
    };
  }

  private finish(id: string, result: void | readonly Disposable[]): PluginRecord {
    const entry = this.entries.get(id) as Entry;
    if (Array.isArray(result))
      for (const d of result) if (d && typeof d.dispose === 'function') entry.subscriptions.push(d);
    this.log('info', `plugin ${id} ${entry.record.version} active (${entry.record.from})`);
    return entry.record;
  }

  /** Mark a plugin failed, dispose its contributions; never throws. */
  fail(id: string, during: string, err: unknown): PluginRecord {
    const entry = this.entries.get(id);
    const msg = err instanceof Error ? err.message : String(err);
    const error =
      err instanceof VmpathError
        ? err
        : new PluginActivationError(`plugin ${id}: ${during} failed: ${msg}`, { plugin: id, during }, err);
    if (!entry) return this.recordFailure(id, '(unknown)', error);
    this.disposeEntry(entry);
    entry.record = { ...entry.record, state: 'failed', error };
    this.log('warn', error.message);
    return entry.record;
  }

  private disposeEntry(entry: Entry): void {
    for (const d of entry.subscriptions.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // a failing dispose must not stop the others
      }
    }
  }

  /**
   * After decide(): plugins whose selector threw (warnings with code VMPATH_E_PLUGIN_ACTIVATION
   * and subject `plugin <id>`) are marked failed; decide() already fell back to the default.
   */
  noteFailures(plan: Plan): readonly PluginRecord[] {
    const failed: PluginRecord[] = [];
    for (const w of plan.warnings) {
      if (w.code !== PluginActivationError.spec.code || !w.subject.startsWith('plugin ')) continue;
      const id = w.subject.slice('plugin '.length);
      const entry = this.entries.get(id);
      if (!entry || entry.record.state !== 'active' || id === BUILTIN_ID) continue;
      failed.push(this.fail(id, 'selector', new PluginActivationError(w.message, { plugin: id })));
    }
    return failed;
  }

  /** Policy layers from every active plugin policy source for a VM (origin kind `plugin`). */
  policyLayersFor(vm: Vm): PolicyLayer[] {
    const layers: PolicyLayer[] = [];
    const facts = { id: vm.id, kind: vm.kind, name: vm.name, uuid: vm.uuid, tags: vm.tags };
    for (const id of [...this.sources.keys()].sort()) {
      const s = this.sources.get(id);
      if (!s) continue;
      try {
        const values = s.source.policyFor(facts);
        if (values)
          layers.push({
            origin: { kind: 'plugin', source: `${s.owner}/${id}` },
            values: values as Partial<VmPolicyValues>,
          });
      } catch (err) {
        this.fail(s.owner, `policy source ${id}`, err);
      }
    }
    return layers;
  }

  deactivateAll(): void {
    for (const [id, entry] of this.entries) {
      if (entry.record.state !== 'active') continue;
      try {
        entry.module?.deactivate?.();
      } catch (err) {
        this.log(
          'warn',
          `plugin ${id}: deactivate threw: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      this.disposeEntry(entry);
      entry.record = { ...entry.record, state: 'disposed' };
    }
  }
}

export const BUILTIN_ID = 'vmpath.builtin';
