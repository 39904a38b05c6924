/**
 * The embedded simulated host: a host with paths, LUNs, VMs and a fault injector, presented
 * through the same seams as a real host (HostFs root, CommandRunner, VmControl, Clock).
 * See docs/simulator.md.
 */
import { demoSpec } from './demo-spec';
import { SimHost, type SimHostOptions } from './host';
import type { SimHostSpec } from './spec';

export { SimHost, SimHostFs, type SimHostOptions } from './host';
export { SimCommandRunner } from './runner';
export { SimVmControl } from './vm-control';
export type { SimUevent } from './dm-kernel';
export type { FaultInjector, FaultRecord } from './faults';
export type * from './metrics';
export type * from './spec';
export { demoSpec, fixtureSpec, scaleSpec } from './demo-spec';
export { fcFabricName } from './format-multipathd';

/** Build a simulated host from a spec (default: the demo host). */
export function createSimHost(spec: SimHostSpec = demoSpec(), options: SimHostOptions = {}): SimHost {
  return new SimHost(spec, options);
}
