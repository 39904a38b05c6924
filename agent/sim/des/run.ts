/**
 * Run a scenario under one policy. The VM-blind baselines are dm-multipath as shipped: every
 * map uses the named kernel selector, queue_if_no_path per `baselineQueueIfNoPath`, and each
 * VM's limitMBps as a static per-disk io.max (what an operator sets in Proxmox today); shares,
 * reservations, pins and onAllPathsDown are vmpath features and are ignored. `vmpath` starts
 * from the same host (service-time maps) and is driven by decide/ through its plans.
 */
import { Engine } from './engine';
import { buildModel } from './model';
import type { SimModel } from './model';
import { collect } from './results';
import type { PolicyName, RunResult } from './results';
import type { Scenario } from './scenario';
import type { KernelSelector } from './selectors';
import { newBucket } from './throttle';
import type { EngineConfig } from '../../decide/types';
import { SIM_ENGINE_CONFIG, attachVmpath } from './vmpath-driver';

/** The host's selector before vmpath acts: multipath-tools' default. */
export const HOST_DEFAULT_SELECTOR: KernelSelector = 'service-time';

export function staticLimits(m: SimModel): void {
  for (const vm of m.vms) {
    const l = vm.spec.policy.limitMBps;
    if (l === undefined) continue;
    const perDisk = (l * 1e6) / vm.disks.length;
    for (const d of vm.disks) d.buckets = [newBucket({ rbps: perDisk, wbps: perDisk })];
  }
}

/** `vmpathConfig`: the engine settings of the vmpath run (default SIM_ENGINE_CONFIG). */
export function runScenario(
  s: Scenario,
  policy: PolicyName,
  vmpathConfig: Readonly<Partial<EngineConfig>> = SIM_ENGINE_CONFIG,
): RunResult {
  if (policy === 'vmpath') {
    const m = buildModel(s, HOST_DEFAULT_SELECTOR, s.baselineQueueIfNoPath);
    const engine = new Engine(m);
    engine.weighted = true;
    const agent = attachVmpath(engine, m, 'scenario', vmpathConfig);
    engine.start();
    engine.run();
    return collect(m, engine, policy, agent.summary());
  }
  const m = buildModel(s, policy, s.baselineQueueIfNoPath);
  staticLimits(m);
  const engine = new Engine(m);
  engine.start();
  engine.run();
  return collect(m, engine, policy);
}
