/**
 * memoryAfter: the AgentMemory the next reconcile should see, given what this one observed and
 * what its plan intends (pure). The journal in act/ records the same facts durably; after a
 * restart the loop rebuilds memory from the journal and this keeps it current in between.
 * - paths: usable state per path device, with transition timestamps (flap detection);
 * - allPathsDownSince: per multipathd map without a usable path;
 * - pausedByVmpath: + plan's pause-vm, − resume-vm/kill-vm, − VMs gone or seen running (someone
 *   resumed them; if the pause failed, the next reconcile pauses again);
 * - assignments: the plan's per-VM chosen paths (VmDecision.chosen, else .paths); migrations: + migrate-vm, − VMs no longer here.
 */
import type { AgentMemory, PathHistory } from '../model/memory';
import type { Plan } from '../model/plan';
import type { HostSnapshot } from '../model/snapshot';
import { isPathUsable } from '../model/snapshot';

/** Transition timestamps kept per path (enough for any sane flap window). */
export const MAX_TRANSITIONS = 32;

export function memoryAfter(
  memory: AgentMemory,
  snapshot: HostSnapshot,
  plan: Plan,
  nowMs: number,
): AgentMemory {
  const devices = new Map(snapshot.paths.map((d) => [d.dev, d]));
  const usableNow = new Map<string, boolean>();
  const allPathsDownSince: Record<string, number> = {};
  for (const map of snapshot.maps) {
    if (map.owner !== 'multipathd') continue;
    let any = false;
    for (const g of map.groups)
      for (const p of g.paths) {
        const u = isPathUsable(p, devices.get(p.dev));
        any ||= u;
        usableNow.set(p.dev, (usableNow.get(p.dev) ?? false) || u);
      }
    if (!any) allPathsDownSince[map.name] = memory.allPathsDownSince[map.name] ?? nowMs;
  }

  const paths: Record<string, PathHistory> = {};
  for (const dev of [...usableNow.keys()].sort()) {
    const usable = usableNow.get(dev) as boolean;
    const prev = memory.paths[dev];
    if (!prev) paths[dev] = { usable, lastChangeMs: 0, transitionsMs: [] };
    else if (prev.usable === usable) paths[dev] = prev;
    else
      paths[dev] = {
        usable,
        lastChangeMs: nowMs,
        transitionsMs: [...prev.transitionsMs, nowMs].slice(-MAX_TRANSITIONS),
      };
  }

  const vms = new Map(snapshot.vms.map((v) => [v.id, v]));
  const pausedByVmpath: Record<string, AgentMemory['pausedByVmpath'][string]> = {};
  for (const [id, rec] of Object.entries(memory.pausedByVmpath)) {
    const vm = vms.get(id);
    if (vm && vm.runState !== 'running') pausedByVmpath[id] = rec;
  }
  const migrations: Record<string, AgentMemory['migrations'][string]> = {};
  for (const [id, rec] of Object.entries(memory.migrations)) if (vms.has(id)) migrations[id] = rec;
  for (const a of plan.actions) {
    if (a.kind === 'pause-vm') pausedByVmpath[a.vmId] = { sinceMs: nowMs, reason: a.reason };
    if (a.kind === 'resume-vm' || a.kind === 'kill-vm') delete pausedByVmpath[a.vmId];
    if (a.kind === 'migrate-vm') migrations[a.vmId] = { target: a.target, sinceMs: nowMs };
  }

  const assignments: Record<string, Record<string, readonly string[]>> = {};
  for (const d of plan.decisions) {
    if (!vms.has(d.vmId)) continue;
    const perMap: Record<string, readonly string[]> = {};
    for (const [map, devs] of Object.entries(d.chosen ?? d.paths)) if (devs.length) perMap[map] = devs;
    assignments[d.vmId] = perMap;
  }
  return { pausedByVmpath, allPathsDownSince, paths, assignments, migrations };
}
