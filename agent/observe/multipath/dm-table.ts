/**
 * Parser for the params of a dm-multipath table line (`dmsetup table`, target `multipath`):
 *
 *   <#features> <features...> <#hw_handler args> [<hw_handler> <args...>]
 *   <#groups> <first group>
 *   per group:  <selector> <#selector args> <args...> <#paths> <#per-path args>
 *               per path: <MAJ:MIN> <per-path args...>
 *
 * e.g. `0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1`.
 * The table is the kernel's truth for queueing, queue_mode and the group layout; multipathd's
 * JSON can lag it (see the fixtures README). Feature words vmpath does not know are kept in
 * `features` and otherwise ignored.
 */
import type { QueueMode } from '../../model/snapshot';
import { DmWords } from './dm-words';

export interface DmTablePath {
  readonly devT: string;
  /** Per-path selector args, e.g. service-time `<repeat_count> <relative_throughput>`. */
  readonly selectorArgs: readonly string[];
}

export interface DmTableGroup {
  /** 1-based, table order. */
  readonly index: number;
  /** Path selector name, e.g. `service-time`, `round-robin`, `queue-length`. */
  readonly selector: string;
  readonly selectorArgs: readonly string[];
  readonly paths: readonly DmTablePath[];
}

export interface DmMultipathTable {
  /** Feature words exactly as listed (without the count). */
  readonly features: readonly string[];
  readonly queueIfNoPath: boolean;
  /** `rq` unless the table says `queue_mode bio|mq` (kernel 6.x prints only `bio`). */
  readonly queueMode: QueueMode;
  readonly pgInitRetries?: number;
  readonly pgInitDelayMsecs?: number;
  readonly retainAttachedHwHandler: boolean;
  /** Hardware handler name (`alua`, `emc`, ...) or `''` for none. */
  readonly hwHandler: string;
  readonly hwHandlerArgs: readonly string[];
  /** Group the kernel uses first (1-based); 0 only when there are no groups. */
  readonly firstGroup: number;
  readonly groups: readonly DmTableGroup[];
}

const QUEUE_MODES: readonly QueueMode[] = ['rq', 'mq', 'bio'];

/** Parse the params of one multipath table line; `source` names it in errors. */
export function parseDmMultipathTable(params: string, source: string): DmMultipathTable {
  const w = new DmWords(params, source);
  const features = w.counted('feature');
  const interpreted = interpretFeatures(features, w);
  const hw = w.counted('hardware handler arg');
  const nrGroups = w.uint('number of path groups');
  const firstGroup = w.uint('first path group');
  if (nrGroups > 0 ? firstGroup < 1 || firstGroup > nrGroups : firstGroup !== 0) {
    throw w.error(`first path group ${firstGroup} is not within 1..${nrGroups}`, -1);
  }
  const groups: DmTableGroup[] = [];
  for (let g = 1; g <= nrGroups; g++) {
    const selector = w.word(`path selector of group ${g}`);
    const selectorArgs = w.counted(`selector arg of group ${g}`);
    const nrPaths = w.uint(`number of paths in group ${g}`);
    const perPath = w.uint(`number of per-path args in group ${g}`);
    const paths: DmTablePath[] = [];
    for (let p = 1; p <= nrPaths; p++) {
      const devT = w.devT(`device of path ${p} in group ${g}`);
      paths.push({ devT, selectorArgs: w.take(perPath, `per-path arg of ${devT}`) });
    }
    groups.push({ index: g, selector, selectorArgs, paths });
  }
  w.expectEnd();
  return {
    features,
    ...interpreted,
    hwHandler: hw[0] ?? '',
    hwHandlerArgs: hw.slice(1),
    firstGroup,
    groups,
  };
}

type Interpreted = Pick<
  DmMultipathTable,
  'queueIfNoPath' | 'queueMode' | 'pgInitRetries' | 'pgInitDelayMsecs' | 'retainAttachedHwHandler'
>;

function interpretFeatures(features: readonly string[], w: DmWords): Interpreted {
  let queueIfNoPath = false;
  let queueMode: QueueMode = 'rq';
  let retainAttachedHwHandler = false;
  let pgInitRetries: number | undefined;
  let pgInitDelayMsecs: number | undefined;
  const number = (i: number, name: string): number => {
    const v = features[i];
    if (v === undefined || !/^\d{1,10}$/.test(v))
      throw w.error(`feature ${name} needs a number, found ${JSON.stringify(v)}`);
    return Number(v);
  };
  for (let i = 0; i < features.length; i++) {
    switch (features[i]) {
      case 'queue_if_no_path':
        queueIfNoPath = true;
        break;
      case 'retain_attached_hw_handler':
        retainAttachedHwHandler = true;
        break;
      case 'pg_init_retries':
        pgInitRetries = number(++i, 'pg_init_retries');
        break;
      case 'pg_init_delay_msecs':
        pgInitDelayMsecs = number(++i, 'pg_init_delay_msecs');
        break;
      case 'queue_mode': {
        const mode = features[++i];
        if (!(QUEUE_MODES as readonly (string | undefined)[]).includes(mode)) {
          throw w.error(`feature queue_mode needs rq|mq|bio, found ${JSON.stringify(mode)}`);
        }
        queueMode = mode as QueueMode;
        break;
      }
      default:
        break; // unknown feature word: kept in `features`, not interpreted
    }
  }
  return {
    queueIfNoPath,
    queueMode,
    retainAttachedHwHandler,
    ...(pgInitRetries === undefined ? {} : { pgInitRetries }),
    ...(pgInitDelayMsecs === undefined ? {} : { pgInitDelayMsecs }),
  };
}
