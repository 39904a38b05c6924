/**
 * The public plugin API (agent/plugins/api.ts, self-contained) must stay assignable to and from
 * the engine's own types. These assignments are checked by `tsc` (tests are type-checked).
 */
import type * as Api from '../../../agent/plugins/api';
import type * as Engine from '../../../agent/decide/selector';
import type { VmPolicyValues } from '../../../agent/model/policy';

type Assert<T extends true> = T;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export type Checks = [
  Assert<Mutual<Api.PathSelector, Engine.PathSelector>>,
  Assert<Mutual<Api.SelectRequest, Engine.SelectRequest>>,
  Assert<Mutual<Api.PathCandidate, Engine.PathCandidate>>,
  Assert<Mutual<Api.Disposable, Engine.Disposable>>,
  Assert<Mutual<Api.PolicyValues, Partial<VmPolicyValues>>>,
];

it('plugin API types mirror the engine types (checked by tsc)', () => {
  const ok: Checks = [true, true, true, true, true];
  expect(ok).toHaveLength(5);
});
