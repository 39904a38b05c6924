/**
 * Path control on multipath maps: switch-group, set-queueing, fail/reinstate path, and the
 * failback file. Maps multipathd manages are driven through multipathd (so its state agrees);
 * vmpath's per-VM maps — which multipathd ignores — through `dmsetup message` directly.
 */
import type { Action } from '../model/plan';
import { mapPaths } from '../model/snapshot';
import { validateDevT, validateDmName } from '../model/names';
import { MultipathdPermissionError, CommandFailedError } from '../model/errors';
import { dmsetup, multipathd } from './dm-exec';
import { isVmpathMap, mapWwid, pathDevT, snapshotMap } from './dm-lookup';
import { VMPATH_CONF_PATH, parseVmpathConf, withSetting, type MapSettings } from '../model/vmpath-conf';
import { prioArgs } from '../model/path-grouping';
import type { ActEnv, Prepared, RestoreFailbackConfAction } from './types';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

const release = (key: string) => ({
  id: `release:${key}`,
  reason: 'release',
  trigger: 'operator' as const,
  origins: [],
});

export async function prepareSwitchGroup(env: ActEnv, a: Of<'switch-group'>): Promise<Prepared> {
  validateDmName(a.map);
  if (!Number.isInteger(a.group) || a.group < 1) throw new CommandFailedError(`invalid group ${a.group}`);
  const m = snapshotMap(env, a.map);
  // nextGroup changes at once on switch_group; activeGroup only after the next I/O.
  const current = m?.nextGroup ?? m?.activeGroup;
  if (current === a.group) return { unchanged: true, message: `group ${a.group}` };
  const key = `group:${a.map}`;
  const vmMap = await isVmpathMap(env, a.map);
  return {
    unchanged: false,
    describe: `map ${a.map}: switch group ${current ?? '?'} -> ${a.group}`,
    undo: { key, ...(current === undefined ? {} : { inverse: { ...a, ...release(key), group: current } }) },
    run: async () => {
      const n = String(a.group);
      if (vmMap) {
        await dmsetup(env.runner, ['message', a.map, '0', 'switch_group', n]);
        return `dmsetup switch_group ${n}`;
      }
      try {
        await multipathd(env.runner, ['switchgroup', 'map', a.map, 'group', n]);
        return `multipathd switchgroup ${n}`;
      } catch (e) {
        if (e instanceof MultipathdPermissionError) throw e;
        await dmsetup(env.runner, ['message', a.map, '0', 'switch_group', n]);
        return `dmsetup switch_group ${n} (multipathd: ${(e as Error).message})`;
      }
    },
  };
}

export async function prepareQueueing(env: ActEnv, a: Of<'set-queueing'>): Promise<Prepared> {
  validateDmName(a.map);
  const current = snapshotMap(env, a.map)?.queueIfNoPath;
  if (current === a.queue) return { unchanged: true, message: a.queue ? 'queueing' : 'not queueing' };
  const key = `queueing:${a.map}`;
  return {
    unchanged: false,
    describe: `map ${a.map}: ${a.queue ? 'queue_if_no_path' : 'fail_if_no_path'}`,
    undo: { key, ...(current === undefined ? {} : { inverse: { ...a, ...release(key), queue: current } }) },
    run: async () => {
      await dmsetup(env.runner, ['message', a.map, '0', a.queue ? 'queue_if_no_path' : 'fail_if_no_path']);
    },
  };
}

export async function preparePathState(
  env: ActEnv,
  a: Of<'fail-path' | 'reinstate-path'>,
): Promise<Prepared> {
  validateDmName(a.map);
  const devT = validateDevT(await pathDevT(env, a.dev));
  const want = a.kind === 'fail-path' ? 'failed' : 'active';
  const m = snapshotMap(env, a.map);
  const current = m ? mapPaths(m).find((p) => p.dev === a.dev || p.devT === devT)?.dmState : undefined;
  if (current === want) return { unchanged: true, message: `${a.dev} ${want}` };
  const key = `path:${a.map}:${a.dev}`;
  const vmMap = await isVmpathMap(env, a.map);
  const inverseKind = current === 'failed' ? 'fail-path' : 'reinstate-path';
  return {
    unchanged: false,
    describe: `map ${a.map}: ${a.kind} ${a.dev} (${devT})`,
    undo: {
      key,
      ...(current === undefined ? {} : { inverse: { ...a, ...release(key), kind: inverseKind } }),
    },
    run: async () => {
      if (vmMap) {
        await dmsetup(env.runner, [
          'message',
          a.map,
          '0',
          a.kind === 'fail-path' ? 'fail_path' : 'reinstate_path',
          devT,
        ]);
      } else {
        await multipathd(env.runner, [a.kind === 'fail-path' ? 'fail' : 'reinstate', 'path', a.dev]);
      }
    },
  };
}

/**
 * `multipathd reconfigure` only schedules the work (0.9.x: the daemon enters `configure` at once
 * when idle, later when busy) and reloads every map — resetting group choices. Wait until
 * `show daemon` says idle again so a switch-group after it is not undone by the reload.
 */
async function reconfigure(env: ActEnv): Promise<void> {
  await multipathd(env.runner, ['reconfigure']);
  // Up to ~10 s; still busy after that: the next reconcile re-asserts the groups anyway.
  for (let i = 0; i < 100; i++) {
    const r = await env.runner
      .run(['multipathd', 'show', 'daemon'], { timeoutMs: 5000 })
      .catch(() => undefined);
    if (!r || r.exitCode !== 0 || /^pid \d+ idle\s*$/.test(r.stdout.trim())) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** One setting for one map's WWID in vmpath.conf, then `multipathd reconfigure`. */
async function prepareConfSetting(
  env: ActEnv,
  map: string,
  add: MapSettings,
  what: string,
): Promise<Prepared> {
  validateDmName(map);
  const wwid = await mapWwid(env, map);
  if (!wwid) throw new CommandFailedError(`map ${map}: WWID unknown (not in snapshot or sysfs)`, { map });
  const before = await env.files.read(VMPATH_CONF_PATH);
  const next = withSetting(before, wwid, add);
  if (next === before) return { unchanged: true, message: `${wwid} ${what}` };
  const key = 'failback-conf';
  const inverse: RestoreFailbackConfAction = {
    kind: 'restore-failback-conf',
    ...release(key),
    origins: [],
    content: before,
  };
  return {
    unchanged: false,
    describe: `map ${map}: ${what} in ${VMPATH_CONF_PATH}, multipathd reconfigure`,
    undo: { key, inverse },
    run: async () => {
      await env.files.write(VMPATH_CONF_PATH, next);
      await reconfigure(env);
      const maps = parseVmpathConf(next).size;
      return `wrote ${VMPATH_CONF_PATH} (${maps} maps), reconfigured (group choices re-asserted next reconcile)`;
    },
  };
}

export function prepareFailbackManual(env: ActEnv, a: Of<'set-failback-manual'>): Promise<Prepared> {
  return prepareConfSetting(env, a.map, { failback: 'manual' }, 'failback manual');
}

export function prepareNoPathRetry(env: ActEnv, a: Of<'set-no-path-retry'>): Promise<Prepared> {
  return prepareConfSetting(env, a.map, { noPathRetry: a.value }, `no_path_retry ${a.value}`);
}

export function preparePathSelector(env: ActEnv, a: Of<'set-path-selector'>): Promise<Prepared> {
  if (a.value === null)
    return prepareConfSetting(env, a.map, { pathSelector: undefined }, "multipathd's own path_selector");
  return prepareConfSetting(env, a.map, { pathSelector: a.value }, `path_selector "${a.value}"`);
}

/**
 * group_by_prio + weightedpath for the map's WWID (or its removal), then reconfigure: multipathd
 * regroups the map itself. Idempotent: `unchanged` when vmpath.conf already says exactly this.
 */
export function preparePathGrouping(env: ActEnv, a: Of<'set-path-grouping'>): Promise<Prepared> {
  if (!a.grouping) return prepareConfSetting(env, a.map, { grouping: undefined }, 'no path grouping');
  const args = prioArgs(a.grouping); // validates every H:C:T:L and priority
  return prepareConfSetting(env, a.map, { grouping: a.grouping }, `group_by_prio, prio_args "${args}"`);
}

export async function prepareRestoreFailbackConf(
  env: ActEnv,
  a: RestoreFailbackConfAction,
): Promise<Prepared> {
  const current = await env.files.read(VMPATH_CONF_PATH);
  if (current === a.content) return { unchanged: true };
  return {
    unchanged: false,
    describe:
      a.content === null
        ? `remove ${VMPATH_CONF_PATH}, multipathd reconfigure`
        : `restore ${VMPATH_CONF_PATH}`,
    run: async () => {
      if (a.content === null) await env.files.remove(VMPATH_CONF_PATH);
      else await env.files.write(VMPATH_CONF_PATH, a.content);
      await reconfigure(env);
    },
  };
}
