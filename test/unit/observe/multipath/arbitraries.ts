/** fast-check arbitraries shared by the observe/multipath property tests. */
import fc from 'fast-check';
import type { DmMultipathTable } from '../../../../agent/observe/multipath/dm-table';

export const devT = fc
  .tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 1048575 }))
  .map(([a, b]) => `${a}:${b}`);
export const word = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/);

/** Tables as the kernel prints them: features in its order, every group with the same per-path arg count. */
export const tableArb: fc.Arbitrary<DmMultipathTable> = fc
  .record({
    queueIfNoPath: fc.boolean(),
    pgInitRetries: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    retain: fc.boolean(),
    bio: fc.boolean(),
    hw: fc.option(fc.tuple(word, fc.array(word, { maxLength: 2 })), { nil: undefined }),
    groups: fc.array(
      fc.record({
        selector: word,
        selectorArgs: fc.array(word, { maxLength: 2 }),
        perPath: fc.integer({ min: 0, max: 3 }),
        paths: fc.array(devT, { minLength: 1, maxLength: 4 }),
      }),
      { maxLength: 4 },
    ),
    first: fc.nat(),
  })
  .chain((r) =>
    fc
      .array(
        fc.array(word, { minLength: r.groups.reduce((a, g) => Math.max(a, g.perPath), 0), maxLength: 3 }),
        {
          minLength: 16,
          maxLength: 16,
        },
      )
      .map((argPool): DmMultipathTable => {
        const features = [
          ...(r.queueIfNoPath ? ['queue_if_no_path'] : []),
          ...(r.pgInitRetries ? ['pg_init_retries', String(r.pgInitRetries)] : []),
          ...(r.retain ? ['retain_attached_hw_handler'] : []),
          ...(r.bio ? ['queue_mode', 'bio'] : []),
        ];
        return {
          features,
          queueIfNoPath: r.queueIfNoPath,
          queueMode: r.bio ? 'bio' : 'rq',
          ...(r.pgInitRetries ? { pgInitRetries: r.pgInitRetries } : {}),
          retainAttachedHwHandler: r.retain,
          hwHandler: r.hw ? r.hw[0] : '',
          hwHandlerArgs: r.hw ? r.hw[1] : [],
          firstGroup: r.groups.length === 0 ? 0 : (r.first % r.groups.length) + 1,
          groups: r.groups.map((g, gi) => ({
            index: gi + 1,
            selector: g.selector,
            selectorArgs: g.selectorArgs,
            paths: g.paths.map((d, pi) => ({
              devT: d,
              selectorArgs: (argPool[(gi * 4 + pi) % 16] as string[]).slice(0, g.perPath),
            })),
          })),
        };
      }),
  );
