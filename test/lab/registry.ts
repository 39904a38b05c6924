/** Every lab suite by name (test/lab/suites/NAME.ts): add a suite here and it can be run. */
import type { LabCase } from './lib/case';
import * as act from './suites/act';
import * as agent from './suites/agent';
import * as capture from './suites/capture';
import * as crash from './suites/crash';
import * as e2e from './suites/e2e';
import * as grouping from './suites/grouping';
import * as iomax from './suites/iomax';
import * as multipathObserve from './suites/multipath-observe';
import * as nvme from './suites/nvme';
import * as paths from './suites/paths';
import * as permap from './suites/permap';
import * as smoke from './suites/smoke';
import * as vmpath from './suites/vmpath';

export const suites: Readonly<Record<string, readonly LabCase[]>> = {
  smoke: smoke.cases,
  capture: capture.cases,
  e2e: e2e.cases,
  'multipath-observe': multipathObserve.cases,
  iomax: iomax.cases,
  paths: paths.cases,
  permap: permap.cases,
  vmpath: vmpath.cases,
  act: act.cases,
  agent: agent.cases,
  crash: crash.cases,
  nvme: nvme.cases,
  grouping: grouping.cases,
};
