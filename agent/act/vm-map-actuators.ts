/**
 * Per-VM path maps and moving a VM's LV between maps (DESIGN.md §3.2).
 *
 * create-vm-map: `dmsetup create NAME --uuid UUID --table TABLE`; an existing map with the same
 *   table is `unchanged`, with a different table it is a conflict (never clobbered).
 * reload-vm-map: `dmsetup load NAME --table TABLE`, `dmsetup suspend --noflush NAME`,
 *   `dmsetup resume NAME`, verify, then `dmsetup message NAME 0 fail_path MAJ:MIN` for each of
 *   `failPaths` (a new table starts with every path active). noflush: queued I/O is kept, not
 *   errored, while the table is swapped. A map with the same table (on meaning) is `unchanged`.
 * remove-vm-map: `dmsetup remove NAME` (EBUSY while an LV still sits on it: move the LV first).
 * move-lv: `dmsetup suspend LV`, `dmsetup load LV --table T`, `dmsetup resume LV`, then
 *   `dmsetup table LV` must show T. Once suspend has succeeded, resume is ALWAYS attempted —
 *   whatever failed — so an LV is never left suspended (a suspended LV hangs the VM's I/O).
 */
import type { Action } from '../model/plan';
import { validateDevT, validateDmName, validateVmId } from '../model/names';
import { mapPaths } from '../model/snapshot';
import { CommandFailedError, InvalidNameError } from '../model/errors';
import { SUSPEND_TIMEOUT_MS, dmTable, dmsetup, normalizeTable } from './dm-exec';
import { sysDmByName } from './dm-lookup';
import { sameMultipathTable } from '../observe/multipath/table-compare';
import type { ActEnv, Prepared } from './types';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

const UUID = /^vmpath-[A-Za-z0-9_.:-]{1,64}-[A-Za-z0-9_.:-]{1,128}$/;
const TABLE = /^[0-9A-Za-z _.:/-]{1,4096}$/;

export function validateVmMapUuid(uuid: unknown): string {
  if (typeof uuid !== 'string' || !UUID.test(uuid)) {
    throw new InvalidNameError(`invalid vm-map uuid: ${JSON.stringify(uuid)}`, { kind: 'uuid' });
  }
  return uuid;
}

export function validateTable(table: unknown): string {
  if (typeof table !== 'string' || !TABLE.test(table.trim())) {
    throw new InvalidNameError(`invalid dm table: ${JSON.stringify(table)}`, { kind: 'table' });
  }
  return normalizeTable(table);
}

/**
 * The kernel rewrites multipath tables (adds retain_attached_hw_handler on bio maps, forces
 * repeat_count 1, moves the first-group field with every switch): compare on meaning.
 */
function sameTable(current: string, wanted: string): boolean {
  try {
    return sameMultipathTable(current, wanted);
  } catch {
    return current === wanted; // not a multipath table: only an identical one is the same
  }
}

const release = (key: string) => ({
  id: `release:${key}`,
  reason: 'release',
  trigger: 'operator' as const,
  origins: [],
});

export async function prepareCreateVmMap(env: ActEnv, a: Of<'create-vm-map'>): Promise<Prepared> {
  validateDmName(a.name);
  validateVmId(a.vmId);
  const uuid = validateVmMapUuid(a.uuid);
  const table = validateTable(a.table);
  const current = await dmTable(env.runner, a.name);
  if (current !== undefined && sameTable(current, table))
    return { unchanged: true, message: `${a.name} exists` };
  if (current !== undefined) {
    throw new CommandFailedError(`vm map ${a.name} exists with another table; not replaced`, {
      name: a.name,
      current,
      wanted: table,
    });
  }
  const key = `vm-map:${a.name}`;
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: create ${a.name} over ${a.baseMap}`,
    undo: {
      key,
      vmId: a.vmId,
      inverse: { kind: 'remove-vm-map', vmId: a.vmId, name: a.name, ...release(key) },
    },
    run: async () => {
      await dmsetup(env.runner, ['create', a.name, '--uuid', uuid, '--table', table]);
    },
  };
}

export async function prepareReloadVmMap(env: ActEnv, a: Of<'reload-vm-map'>): Promise<Prepared> {
  validateDmName(a.name);
  validateDmName(a.baseMap);
  validateVmId(a.vmId);
  const table = validateTable(a.table);
  const failPaths = a.failPaths.map((d) => validateDevT(d));
  const current = await dmTable(env.runner, a.name);
  if (current === undefined)
    throw new CommandFailedError(`vm map ${a.name} does not exist: nothing to reload`, { name: a.name });
  if (sameTable(current, table)) return { unchanged: true, message: `${a.name} already over these paths` };
  // The paths the map had failed before, so undo can put those back too.
  const old = env.snapshot?.maps.find((m) => m.name === a.name);
  const oldFailed = old
    ? [
        ...new Set(
          mapPaths(old)
            .filter((p) => p.dmState === 'failed')
            .map((p) => p.devT),
        ),
      ]
    : [];
  const key = `vm-map:${a.name}`;
  return {
    unchanged: false,
    describe:
      `vm ${a.vmId}: reload ${a.name} over the paths of ${a.baseMap}: ${current} -> ${table}` +
      (failPaths.length ? `; then fail ${failPaths.join(',')}` : ''),
    undo: {
      key,
      vmId: a.vmId,
      inverse: { ...a, ...release(key), table: current, failPaths: oldFailed },
    },
    run: () => reloadVmMap(env, a.name, table, failPaths),
  };
}

/** load → suspend (noflush) → resume → verify → fail paths; resume always follows a successful suspend. */
async function reloadVmMap(
  env: ActEnv,
  name: string,
  table: string,
  failPaths: readonly string[],
): Promise<string> {
  await dmsetup(env.runner, ['load', name, '--table', table]); // fails: nothing changed (no inactive table)
  await dmsetup(env.runner, ['suspend', '--noflush', name], SUSPEND_TIMEOUT_MS);
  try {
    await dmsetup(env.runner, ['resume', name], SUSPEND_TIMEOUT_MS);
  } catch (e) {
    try {
      await dmsetup(env.runner, ['resume', name], SUSPEND_TIMEOUT_MS);
    } catch {
      throw new CommandFailedError(
        `vm map ${name}: resume failed, map may be SUSPENDED: ${(e as Error).message}`,
        {
          name,
          suspended: true,
        },
      );
    }
  }
  const now = await dmTable(env.runner, name);
  if (now === undefined || !sameTable(now, table))
    throw new CommandFailedError(
      `vm map ${name}: table after reload is ${JSON.stringify(now)}, wanted ${JSON.stringify(table)}`,
      {
        name,
        table: now,
      },
    );
  for (const devT of failPaths) await dmsetup(env.runner, ['message', name, '0', 'fail_path', devT]);
  return `${name} reloaded${failPaths.length ? `, failed ${failPaths.join(',')}` : ''}`;
}

export async function prepareRemoveVmMap(env: ActEnv, a: Of<'remove-vm-map'>): Promise<Prepared> {
  validateDmName(a.name);
  validateVmId(a.vmId);
  const current = await dmTable(env.runner, a.name);
  if (current === undefined) return { unchanged: true, message: `${a.name} absent` };
  const m = env.snapshot?.maps.find((x) => x.name === a.name);
  const uuid = m?.perVm ? `vmpath-${m.perVm.vmId}-${m.wwid}` : undefined;
  const key = `vm-map:${a.name}`;
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: remove ${a.name}`,
    undo: {
      key,
      vmId: a.vmId,
      ...(uuid && m?.perVm
        ? {
            inverse: {
              kind: 'create-vm-map' as const,
              vmId: a.vmId,
              baseMap: m.perVm.baseMap,
              name: a.name,
              uuid,
              table: current,
              ...release(key),
            },
          }
        : {}),
    },
    run: async () => {
      await dmsetup(env.runner, ['remove', a.name]);
    },
  };
}

/**
 * The kernel prints table devices as MAJ:MIN; decide/ may name them by path
 * (`/dev/mapper/mpatha-vm101`, created earlier in the same plan). Resolve paths to MAJ:MIN
 * (device node rdev, else the dm name in sysfs) so desired and observed compare, and the load
 * uses the kernel's own form. A path that cannot be resolved yet (dry run) is kept.
 */
export async function resolveTableDevices(env: ActEnv, table: string): Promise<string> {
  const words = table.split(' ');
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (!w.startsWith('/dev/')) continue;
    let devT = await env.fs.blockDevT(w);
    if (!devT && w.startsWith('/dev/mapper/'))
      devT = (await sysDmByName(env.fs, w.slice('/dev/mapper/'.length)))?.devT;
    if (devT) words[i] = devT;
  }
  return words.join(' ');
}

export async function prepareMoveLv(env: ActEnv, a: Of<'move-lv'>): Promise<Prepared> {
  validateDmName(a.lv);
  validateVmId(a.vmId);
  const table = await resolveTableDevices(env, validateTable(a.table));
  const before = await dmTable(env.runner, a.lv);
  if (before === undefined) throw new CommandFailedError(`LV ${a.lv}: no such dm device`, { lv: a.lv });
  if (before === table) return { unchanged: true, message: `${a.lv}: ${table}` };
  const key = `lv:${a.lv}`;
  return {
    unchanged: false,
    describe: `vm ${a.vmId}: move ${a.lv}: ${before} -> ${table}`,
    undo: { key, vmId: a.vmId, inverse: { ...a, ...release(key), table: before } },
    run: () => moveLv(env, a.lv, table),
  };
}

/** suspend → load → resume → verify; resume always follows a successful suspend. */
export async function moveLv(env: ActEnv, lv: string, table: string): Promise<string> {
  await dmsetup(env.runner, ['suspend', lv], SUSPEND_TIMEOUT_MS);
  let failure: unknown;
  try {
    await dmsetup(env.runner, ['load', lv, '--table', table]);
  } catch (e) {
    failure = e; // the inactive table was not loaded: resume keeps the old one live
  }
  try {
    await dmsetup(env.runner, ['resume', lv], SUSPEND_TIMEOUT_MS);
  } catch (e) {
    // One more try: an LV left suspended blocks the VM's I/O indefinitely.
    try {
      await dmsetup(env.runner, ['resume', lv], SUSPEND_TIMEOUT_MS);
    } catch {
      throw new CommandFailedError(
        `LV ${lv}: resume failed, device may be SUSPENDED: ${(e as Error).message}`,
        {
          lv,
          suspended: true,
        },
      );
    }
  }
  if (failure) throw failure;
  const now = await dmTable(env.runner, lv);
  if (now !== table) {
    throw new CommandFailedError(
      `LV ${lv}: table after move is ${JSON.stringify(now)}, wanted ${JSON.stringify(table)}`,
      {
        lv,
        table: now,
      },
    );
  }
  return `${lv} now ${table}`;
}
