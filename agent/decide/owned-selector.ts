/**
 * EngineConfig.ownedMapSelector: multipathd's `path_selector` for a map one VM owns, through
 * vmpath.conf (`set-path-selector`), and only where the running kernel can load it.
 *
 * A table naming a selector the kernel lacks does not load, and multipathd then fails every
 * reload of that map, including the one that adds a returning or new path. So when the snapshot
 * knows the kernel's selectors (host.pathSelectors) and the one vmpath.conf names for a map is not
 * among them, vmpath takes it back out (`set-path-selector` null), whoever's VM uses the map.
 */
import type { Origin } from '../model/policy';
import type { MultipathMap, Vm } from '../model/snapshot';
import type { MechanismContext } from './mechanism';

const HST = 'historical-service-time';

/** The selector's name (`historical-service-time 0` → `historical-service-time`). */
function selectorName(setting: string): string {
  return setting.split(' ')[0] ?? setting;
}

/** Can the kernel load `selector`? Unknown kernels (no depmod lists) count as yes. */
function loadable(ctx: MechanismContext, selector: string): boolean {
  const known = ctx.topo.snapshot.host.pathSelectors;
  return known === undefined || known.includes(selector);
}

function missingModule(ctx: MechanismContext, selector: string): string {
  const kernel = ctx.topo.snapshot.host.kernel ?? 'the running kernel';
  return `kernel ${kernel} has no dm-${selector} module (not in its depmod lists)`;
}

/**
 * A multipathd map only this VM uses, with more than one usable path in the group it uses, gets
 * `path_selector "historical-service-time 0"` in vmpath.conf. Not again once vmpath.conf has it
 * or the group's selector already is historical-service-time; not where the kernel cannot load
 * it (a warning says why). Not for a VM whose pin its one group cannot enforce (the caller skips
 * it).
 */
export function ownedSelector(
  ctx: MechanismContext,
  vm: Vm,
  map: MultipathMap,
  group: MultipathMap['groups'][number],
  usable: number,
  origins: readonly Origin[],
): void {
  if (ctx.cfg.ownedMapSelector !== HST || map.owner !== 'multipathd' || usable < 2) return;
  if (group.selector === HST || map.vmpathConf?.pathSelector !== undefined) return;
  if (!loadable(ctx, HST)) {
    ctx.plan.warn(
      `map ${map.name}`,
      'selector-unavailable',
      `ownedMapSelector ${HST} not applied to map ${map.name} (vm ${vm.id}): ${missingModule(ctx, HST)}; the map keeps ${group.selector}`,
    );
    return;
  }
  ctx.plan.add({
    kind: 'set-path-selector',
    map: map.name,
    value: `${HST} 0`,
    reason: `map ${map.name} is used by vm ${vm.id} alone (${usable} usable paths in group ${group.index}, selector ${group.selector}): historical-service-time learns its fastest paths (ownedMapSelector)`,
    origins,
  });
}

/** Takes back every vmpath.conf path_selector the kernel cannot load (see the file comment). */
export function dropUnloadableSelectors(ctx: MechanismContext): void {
  for (const map of ctx.topo.snapshot.maps) {
    const setting = map.vmpathConf?.pathSelector;
    if (map.owner !== 'multipathd' || setting === undefined) continue;
    const selector = selectorName(setting);
    if (loadable(ctx, selector)) continue;
    const why = `vmpath.conf gives map ${map.name} path_selector "${setting}" but ${missingModule(ctx, selector)}: multipathd cannot reload the map with it`;
    ctx.plan.warn(`map ${map.name}`, 'selector-unavailable', why);
    ctx.plan.add({
      kind: 'set-path-selector',
      map: map.name,
      value: null,
      reason: `${why}; removed`,
      origins: [],
    });
  }
}
