/**
 * The ideal: weighted max-min fair allocation with limits and reservations over the VM–path
 * graph (progressive filling, feasibility by max-flow). Per time segment between path changes
 * as the host detects them (detection.ts: failures at once, recoveries at multipathd's checker
 * tick of each LUN's map — the same for every policy), every VM v gets x_v with
 *   r_v ≤ x_v ≤ cap_v = min(demand_v, limit_v),  Σ routed x over each path ≤ its capacity,
 * reservations first (scaled down together if they cannot all fit), then all rates grow as
 * w_v·t; a VM freezes when it reaches cap_v or when every path it can use is saturated (it
 * cannot reach the sink in the residual graph). Result: time-weighted mean MB/s per VM.
 *
 * Units: a VM with small I/O may be IOPS-bound on a path; its flow is scaled by
 * g_v = mean over its paths of min(1, capacityIops·ioBytes / capacityMBps) (exact when the
 * VM's paths share one MB/s-to-IOPS ratio). demand_v: open = rateMBps (× the fraction of the
 * segment its square-wave burst is on); closed = outstanding·ioBytes / (best path latency + service) — what the VM could do
 * alone. Limits/reservations are per direction (as io.max): total = value / max(read, write
 * fraction). Pins restrict the VM to its pinned paths while any is up. A disk on a failover-
 * grouped LUN uses one path at a time, so its cap includes its best single path's capacity (a
 * relaxation: that path's load from other VMs is still shared by flow). Priority is not used.
 */
import { components } from './components';
import { detectedSegments } from './detection';
import { FlowGraph } from './maxflow';
import type { BurstSpec, Scenario, ScenarioPath, ScenarioVm } from './scenario';

export interface IdealVmInput {
  readonly weight: number;
  readonly cap: number;
  readonly reservation: number;
  /** Indexes of paths the VM can use in this segment. */
  readonly paths: readonly number[];
  /** Flow units per MB/s of this VM (≥ 1 when IOPS-bound). */
  readonly cost: number;
}

export interface IdealResult {
  /** Time-weighted mean MB/s per VM id. */
  readonly perVm: Readonly<Record<string, number>>;
  readonly totalMBps: number;
  /** Per VM: was it limited by contention (backlogged) rather than its own cap, on average. */
  readonly backlogged: Readonly<Record<string, boolean>>;
}

function feasible(
  vms: readonly IdealVmInput[],
  rates: readonly number[],
  pathCap: readonly number[],
): { ok: boolean; reach: Uint8Array } {
  const nv = vms.length;
  const np = pathCap.length;
  const S = nv + np;
  const T = S + 1;
  const g = new FlowGraph(nv + np + 2);
  let want = 0;
  vms.forEach((v, i) => {
    const y = (rates[i] as number) * v.cost;
    want += y;
    if (y > 0) g.addEdge(S, i, y);
    for (const p of v.paths) g.addEdge(i, nv + p, Infinity);
  });
  pathCap.forEach((c, p) => {
    if (c > 0) g.addEdge(nv + p, T, c);
  });
  const f = g.maxflow(S, T);
  return { ok: f >= want - 1e-7 * Math.max(1, want), reach: g.canReach(T) };
}

/** One segment's allocation (MB/s per VM). */
export function allocate(vms: readonly IdealVmInput[], pathCap: readonly number[]): number[] {
  const n = vms.length;
  const res = vms.map((v) => (v.paths.length ? Math.min(v.reservation, v.cap) : 0));
  const caps = vms.map((v) => (v.paths.length ? v.cap : 0));
  if (!feasible(vms, res, pathCap).ok) {
    let lo = 0;
    let hi = 1;
    for (let k = 0; k < 40; k++) {
      const mid = (lo + hi) / 2;
      if (
        feasible(
          vms,
          res.map((r) => r * mid),
          pathCap,
        ).ok
      )
        lo = mid;
      else hi = mid;
    }
    for (let i = 0; i < n; i++) res[i] = (res[i] as number) * lo;
  }
  const totalCap = pathCap.reduce((a, b) => a + b, 0);
  const x = [...res];
  const frozen = caps.map((c, i) => c <= (res[i] as number) + 1e-12);
  const rate = (t: number): number[] =>
    vms.map((v, i) =>
      frozen[i] ? (x[i] as number) : Math.min(caps[i] as number, Math.max(res[i] as number, v.weight * t)),
    );
  let tLo = 0;
  for (let round = 0; round < n + 1 && frozen.some((f) => !f); round++) {
    let tHi = 0;
    vms.forEach((v, i) => {
      if (!frozen[i]) tHi = Math.max(tHi, Math.min(caps[i] as number, totalCap) / v.weight);
    });
    if (feasible(vms, rate(tHi), pathCap).ok) {
      rate(tHi).forEach((r, i) => (x[i] = r));
      break;
    }
    for (let k = 0; k < 50; k++) {
      const mid = (tLo + tHi) / 2;
      if (feasible(vms, rate(mid), pathCap).ok) tLo = mid;
      else tHi = mid;
    }
    const at = rate(tLo);
    const { reach } = feasible(vms, at, pathCap);
    let froze = 0;
    vms.forEach((v, i) => {
      if (frozen[i]) return;
      x[i] = at[i] as number;
      if (!reach[i] || v.weight * tLo >= (caps[i] as number) * (1 - 1e-9)) {
        frozen[i] = true;
        froze++;
      }
    });
    if (froze === 0) {
      // numerical stall: freeze everyone at the current level
      for (let i = 0; i < n; i++) frozen[i] = true;
    }
  }
  return x;
}

const effMBps = (p: ScenarioPath, bytes: number): number =>
  Math.min(p.capacityMBps, (p.capacityIops * bytes) / 1e6);

function dirFraction(vm: ScenarioVm): number {
  const r = vm.workload.readPct / 100;
  return Math.max(r, 1 - r);
}

/** Fraction of [fromS, toS) a square-wave burst (on first, from t=0) is on. */
export function onFraction(b: BurstSpec, seg: { fromS: number; toS: number }): number {
  const period = b.onS + b.offS;
  const onUntil = (t: number): number => Math.floor(t / period) * b.onS + Math.min(t % period, b.onS);
  const len = seg.toS - seg.fromS;
  return len > 0 ? (onUntil(seg.toS) - onUntil(seg.fromS)) / len : 0;
}

/** Scenario lookups by index, built once. */
interface Index {
  readonly lun: ReadonlyMap<string, number>;
  readonly path: ReadonlyMap<string, number>;
}

function vmInput(
  s: Scenario,
  ix: Index,
  vm: ScenarioVm,
  usable: readonly Uint8Array[],
  seg: { fromS: number; toS: number },
): IdealVmInput & { demand: number } {
  const bytes = Math.round(vm.workload.ioKiB * 1024);
  const all = new Set<number>();
  for (const w of vm.disks) {
    const li = ix.lun.get(w) as number;
    for (const id of s.luns[li]?.paths ?? []) {
      const pi = ix.path.get(id) as number;
      if (usable[li]?.[pi]) all.add(pi);
    }
  }
  let paths = [...all].sort((a, b) => a - b);
  const pins = vm.policy.pin ?? [];
  if (pins.length) {
    const pinned = paths.filter((i) => {
      const p = s.paths[i] as ScenarioPath;
      return pins.some(
        (pin) => pin === `fabric:${p.fabric}` || pin === `adapter:${p.adapter}` || pin === `path:${p.id}`,
      );
    });
    if (pinned.length) paths = pinned;
  }
  const w = vm.workload;
  let demand: number;
  if (w.type === 'open') demand = w.burst ? w.rateMBps * onFraction(w.burst, seg) : w.rateMBps;
  else {
    let best = Infinity;
    for (const i of paths) {
      const p = s.paths[i] as ScenarioPath;
      best = Math.min(
        best,
        p.latencyMs + Math.max((bytes / 1e6 / p.capacityMBps) * 1000, 1000 / p.capacityIops),
      );
    }
    demand = paths.length ? (w.outstanding * bytes) / 1e6 / (best / 1000) : 0;
  }
  // A disk on a failover-grouped LUN uses one path at a time: at most its best path's capacity.
  let groupCap = 0;
  for (const w of vm.disks) {
    const lun = s.luns[ix.lun.get(w) as number];
    if (!lun || lun.grouping !== 'failover') {
      groupCap = Infinity;
      break;
    }
    let best = 0;
    for (const i of paths)
      if (lun.paths.includes((s.paths[i] as ScenarioPath).id))
        best = Math.max(best, effMBps(s.paths[i] as ScenarioPath, bytes));
    groupCap += best;
  }
  demand = Math.min(demand, groupCap);
  const f = dirFraction(vm);
  const limit = vm.policy.limitMBps !== undefined ? vm.policy.limitMBps / f : Infinity;
  const resv = vm.policy.reservationMBps !== undefined ? vm.policy.reservationMBps / f : 0;
  const ratios = paths.map((i) => {
    const p = s.paths[i] as ScenarioPath;
    return p.capacityMBps / effMBps(p, bytes);
  });
  const cost = ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : 1;
  return {
    weight: vm.policy.shares ?? 100,
    cap: Math.min(demand, limit),
    reservation: resv,
    paths,
    cost,
    demand,
  };
}

/** Path up/down per segment, from the scenario's events (the links, not what the host sees). */
export function segments(s: Scenario): { fromS: number; toS: number; up: boolean[] }[] {
  const up = s.paths.map(() => true);
  const out: { fromS: number; toS: number; up: boolean[] }[] = [];
  let t = 0;
  for (const e of s.events) {
    if (e.at > t) out.push({ fromS: t, toS: e.at, up: [...up] });
    t = Math.max(t, e.at);
    const target = (e.fail ?? e.restore) as string;
    s.paths.forEach((p, i) => {
      if (target === 'all' || p.id === target || p.fabric === target || p.adapter === target)
        up[i] = e.restore !== undefined;
    });
  }
  if (s.durationS > t) out.push({ fromS: t, toS: s.durationS, up: [...up] });
  return out;
}

/**
 * Parts of the host that share no path (components.ts) are allocated separately: max-min
 * fairness over disjoint resources is separable, and small flow graphs are much cheaper.
 */
function allocateByComponent(
  members: { readonly vms: number[]; readonly paths: number[] }[],
  inputs: readonly IdealVmInput[],
  caps: readonly number[],
): number[] {
  const x = inputs.map(() => 0);
  const local = new Int32Array(caps.length);
  for (const { vms, paths } of members) {
    if (vms.length === 0) continue;
    paths.forEach((p, k) => (local[p] = k));
    const sub = vms.map((i) => {
      const v = inputs[i] as IdealVmInput;
      return { ...v, paths: v.paths.map((p) => local[p] as number) };
    });
    allocate(
      sub,
      paths.map((p) => caps[p] as number),
    ).forEach((r, k) => (x[vms[k] as number] = r));
  }
  return x;
}

export function idealForScenario(s: Scenario): IdealResult {
  const sums = s.vms.map(() => 0);
  const backlogTime = s.vms.map(() => 0);
  const ix: Index = {
    lun: new Map(s.luns.map((l, i) => [l.wwid, i])),
    path: new Map(s.paths.map((p, i) => [p.id, i])),
  };
  const comp = components(s);
  const members = Array.from({ length: comp.count }, () => ({ vms: [] as number[], paths: [] as number[] }));
  comp.vm.forEach((c, i) => members[c]?.vms.push(i));
  comp.path.forEach((c, p) => members[c]?.paths.push(p));
  for (const seg of detectedSegments(s)) {
    const dt = seg.toS - seg.fromS;
    const inputs = s.vms.map((vm) => vmInput(s, ix, vm, seg.usable, seg));
    const caps = s.paths.map((p, i) => (seg.anyUsable[i] ? p.capacityMBps : 0));
    const x = allocateByComponent(members, inputs, caps);
    x.forEach((v, i) => {
      sums[i] = (sums[i] as number) + v * dt;
      if (v < (inputs[i] as { cap: number }).cap * 0.999) backlogTime[i] = (backlogTime[i] as number) + dt;
    });
  }
  const perVm: Record<string, number> = {};
  const backlogged: Record<string, boolean> = {};
  s.vms.forEach((vm, i) => {
    perVm[vm.id] = Math.round(((sums[i] as number) / s.durationS) * 1000) / 1000;
    backlogged[vm.id] = (backlogTime[i] as number) >= s.durationS * 0.5;
  });
  const totalMBps = Math.round(Object.values(perVm).reduce((a, b) => a + b, 0) * 1000) / 1000;
  return { perVm, totalMBps, backlogged };
}
