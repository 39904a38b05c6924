/**
 * The main job on the embedded simulated host: the real agent runtime (observe → decide → act,
 * journaled) against a SimHost, driven by the simulated clock, with faults injected on the
 * spec's schedule, and a live view of paths, VMs and every decision with its reason.
 */
import { Journal, DEFAULT_JOURNAL_PATH } from '../../act';
import { BUILTIN_SELECTORS } from '../../decide/selectors';
import { SelectorRegistry } from '../../decide/selector';
import { Controller } from '../../loop/controller';
import type { ReconcileResult } from '../../loop/reconciler';
import { AgentRuntime } from '../../loop/runtime';
import type { Plan } from '../../model/plan';
import { createSimHost, demoSpec, fcFabricName } from '../../sim';
import type { SimHostSpec } from '../../sim';
import { scenarioPolicySet } from '../../sim/policy-layer';
import type { CliIo } from '../command';
import { CLEAR_SCREEN, renderFrame, renderPlainLog } from '../view/render';
import type { LogLine } from '../view/view-model';
import { actionText } from './action-text';
import { buildDemoView, linksByMap } from './demo-view';
import { SimTimers } from './sim-timers';

export interface DemoOptions {
  /** Simulated seconds to run; undefined = until interrupted. */
  readonly durationS?: number;
  /** Simulated seconds per real second. */
  readonly speed: number;
  readonly seed?: number;
  /** Redraw a full frame (TTY) or print log lines (plain). */
  readonly live: boolean;
  readonly colour: boolean;
  readonly spec?: SimHostSpec;
  /** Stops the demo early (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface DemoSummary {
  readonly simulatedS: number;
  readonly reconciles: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly failedActions: number;
  readonly faults: number;
  readonly vms: ReadonlyArray<{
    id: string;
    name: string;
    runState: string;
    ioErrors: number;
    completedIos: number;
    /** Per map, the simulated links (path ids) the agent last steered the VM to. */
    paths: Readonly<Record<string, readonly string[]>>;
  }>;
  readonly log: readonly LogLine[];
}

const REAL_STEP_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describeLimit(policy: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!policy) return undefined;
  const parts = [];
  if (typeof policy.limitMBps === 'number') parts.push(`≤${policy.limitMBps}MB/s`);
  if (typeof policy.reservationMBps === 'number') parts.push(`≥${policy.reservationMBps}MB/s`);
  return parts.join(' ') || undefined;
}

export async function runDemo(options: DemoOptions, io: CliIo): Promise<DemoSummary> {
  const base = options.spec ?? demoSpec();
  const spec: SimHostSpec = options.seed === undefined ? base : { ...base, seed: options.seed };
  const sim = createSimHost(spec);
  const log: LogLine[] = [];
  const actions: Record<string, number> = {};
  let failedActions = 0;
  let reconciles = 0;
  let faults = 0;
  let lastPlan: Plan | undefined;
  let activeWarnings = new Set<string>();
  let printed = 0;
  const startMs = sim.clock.nowMs();
  const nowS = () => (sim.clock.nowMs() - startMs) / 1000;
  const push = (kind: LogLine['kind'], text: string) => log.push({ atS: nowS(), kind, text });

  try {
    const journal = await Journal.open(sim.root, DEFAULT_JOURNAL_PATH, { clock: sim.clock });
    const selectors = new SelectorRegistry();
    for (const s of BUILTIN_SELECTORS) selectors.register(s, 'builtin');
    const policySet = scenarioPolicySet(spec.vms, 'demo host spec', { fabricName: fcFabricName });
    const runtime = new AgentRuntime({
      fs: sim.fs,
      runner: sim.runner,
      vmControl: sim.vmControl,
      clock: sim.clock,
      journal,
      selectors,
      policies: async () => policySet,
      mode: 'act',
    });
    const timers = new SimTimers(() => sim.clock.nowMs());
    const controller = new Controller(runtime, {
      pollIntervalMs: 5_000,
      rebalanceIntervalMs: 60_000,
      backoffBaseMs: 1_000,
      timers,
    });
    sim.on('uevent', (ev) => {
      push('info', `uevent ${ev.DM_ACTION} ${ev.DM_NAME} path ${ev.DM_PATH}`);
      controller.enqueue(`map:${ev.DM_NAME}`);
    });
    controller.on('reconciled', (r: ReconcileResult) => {
      reconciles++;
      if (r.plan) lastPlan = r.plan;
      if (r.error) push('error', `reconcile failed: ${r.error.message} [${r.error.code}]`);
      const byId = new Map((r.plan?.actions ?? []).map((a) => [a.id, a]));
      for (const res of r.results) {
        const a = byId.get(res.actionId);
        if (!a || res.outcome === 'unchanged') continue;
        actions[a.kind] = (actions[a.kind] ?? 0) + (res.outcome === 'applied' ? 1 : 0);
        if (res.outcome === 'failed') failedActions++;
        push(
          res.outcome === 'failed' ? 'error' : 'action',
          `${actionText(a)}${res.outcome !== 'applied' ? ` → ${res.outcome}${res.message ? `: ${res.message}` : ''}` : ''}`,
        );
      }
      // A warning is logged when it appears, not at every reconcile while it lasts.
      const current = new Set((r.plan?.warnings ?? []).map((w) => `${w.subject}: ${w.message}`));
      for (const w of current) if (!activeWarnings.has(w)) push('warning', w);
      if (r.plan) activeWarnings = current;
    });
    const seenFaults = new Set<string>();
    const facts = {
      priorities: Object.fromEntries(
        spec.vms.map((v) => [v.id, typeof v.policy?.priority === 'number' ? v.policy.priority : 50]),
      ),
      limits: Object.fromEntries(spec.vms.map((v) => [v.id, describeLimit(v.policy)])),
    };

    controller.start();
    let lastDraw = 0;
    for (;;) {
      const m = sim.metrics();
      if (options.durationS !== undefined && m.timeMs >= options.durationS * 1000) break;
      if (options.signal?.aborted) break;
      sim.tick(REAL_STEP_MS * options.speed);
      timers.fireDue();
      for (const f of sim.metrics().faults.recent) {
        const key = JSON.stringify(f);
        if (seenFaults.has(key)) continue;
        seenFaults.add(key);
        faults++;
        push('fault', `fault injected: ${JSON.stringify(f)}`);
      }
      await sleep(REAL_STEP_MS);
      const realNow = Date.now();
      if (options.live && realNow - lastDraw >= 250) {
        lastDraw = realNow;
        const footer = `speed ${options.speed}× · faults on schedule · journal ${DEFAULT_JOURNAL_PATH} under ${sim.root} · Ctrl-C to stop`;
        io.out(
          CLEAR_SCREEN +
            renderFrame(buildDemoView(sim.metrics(), lastPlan, facts, log, footer), {
              colour: options.colour,
            }),
        );
      } else if (!options.live && log.length > printed) {
        io.out(renderPlainLog(log.slice(printed)));
        printed = log.length;
      }
    }
    await controller.stop();
    if (!options.live && log.length > printed) io.out(renderPlainLog(log.slice(printed)));
    const m = sim.metrics();
    await journal.close();
    return {
      simulatedS: m.timeMs / 1000,
      reconciles,
      actions,
      failedActions,
      faults,
      vms: m.vms.map((v) => ({
        id: v.id,
        name: v.name,
        runState: v.runState,
        ioErrors: v.errors,
        completedIos: v.completedIos,
        paths: linksByMap(m, lastPlan, v.id),
      })),
      log,
    };
  } finally {
    sim.dispose();
  }
}
