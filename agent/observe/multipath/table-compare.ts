/**
 * Does a multipath table read back from the kernel (`dmsetup table NAME`) say the same as the
 * table vmpath loaded? Not textually: the kernel rewrites what it was given. Seen in the lab
 * (test/fixtures/multipath-tools-0.9.4/lab-observe/): a map created with
 * `3 queue_if_no_path queue_mode bio` reads back as
 * `4 queue_if_no_path retain_attached_hw_handler queue_mode bio`: for bio-based maps the kernel
 * sets retain_attached_hw_handler itself (dm-mpath.c alloc_multipath_stage2), and the "first
 * group" field is the group the kernel uses next or now,
 * so it changes with every switch_group and failover. A bio-based map given `1 alua` reads
 * back with `0` (no handler: bio maps only discover an attached one). `queue_mode mq` reads back
 * as nothing (request-based is the default and 6.x treats mq as rq). A round-robin path given
 * repeat_count 1000 reads back with 1: the kernel forces it to 1 for round-robin, service-time,
 * queue-length and historical-service-time. All seen live: lab-observe/tables-read-back.txt.
 *
 * The comparison is on meaning: extent, queueing, queue mode, pg_init settings, other feature
 * words, hardware handler (except on bio maps), and every group's selector, selector args and
 * paths with their args in order (repeat_count aside). The first-group field is ignored.
 */
import { ParseError } from '../../model/errors';
import { parseDmMultipathTable, type DmMultipathTable } from './dm-table';
import { parseDmsetupLines, type DmTargetLine } from './dmsetup-lines';

const KERNEL_ADDED = new Set(['retain_attached_hw_handler']);
/** Selectors whose first per-path arg is repeat_count, which the kernel forces to 1 (`> 1 is deprecated`). */
const REPEAT_COUNT_FIRST = new Set([
  'round-robin',
  'service-time',
  'queue-length',
  'historical-service-time',
]);
const INTERPRETED = new Set(['queue_if_no_path', 'queue_mode', 'pg_init_retries', 'pg_init_delay_msecs']);

function oneMultipathLine(table: string, what: string): DmTargetLine {
  const collapsed = table
    .split('\n')
    .map((l) => l.trim().split(/\s+/).join(' '))
    .join('\n');
  const lines = parseDmsetupLines(collapsed, what, what);
  const line = lines[0];
  if (lines.length !== 1 || !line || line.target !== 'multipath') {
    throw new ParseError(
      `${what}: expected one multipath target line, found ${JSON.stringify(table.slice(0, 120))}`,
      {
        source: what,
      },
    );
  }
  return line;
}

/** Feature words other than the interpreted ones and those the kernel adds by itself. */
function otherFeatures(t: DmMultipathTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.features.length; i++) {
    const w = t.features[i] as string;
    if (w === 'queue_mode' || w === 'pg_init_retries' || w === 'pg_init_delay_msecs') i++;
    else if (!INTERPRETED.has(w) && !KERNEL_ADDED.has(w)) out.push(w);
  }
  return out.sort();
}

function meaning(line: DmTargetLine, what: string): unknown {
  const t = parseDmMultipathTable(line.params, what);
  return {
    start: line.start,
    length: line.length,
    queueIfNoPath: t.queueIfNoPath,
    queueMode: t.queueMode === 'mq' ? 'rq' : t.queueMode,
    pgInitRetries: t.pgInitRetries ?? 0,
    pgInitDelayMsecs: t.pgInitDelayMsecs ?? null,
    features: otherFeatures(t),
    // bio-based maps do no scsi_dh management: the kernel drops a handler given to them.
    hwHandler: t.queueMode === 'bio' ? [] : [t.hwHandler, ...t.hwHandlerArgs],
    groups: t.groups.map((g) => [
      g.selector,
      g.selectorArgs,
      g.paths.map((p) => [
        p.devT,
        REPEAT_COUNT_FIRST.has(g.selector) ? p.selectorArgs.slice(1) : p.selectorArgs,
      ]),
    ]),
  };
}

/**
 * True when two multipath table lines (`<start> <length> multipath <params>`, as given to
 * `dmsetup create --table` or printed by `dmsetup table NAME`) describe the same map.
 * Throws ParseError when either is not one well-formed multipath line.
 */
export function sameMultipathTable(a: string, b: string): boolean {
  return (
    JSON.stringify(meaning(oneMultipathLine(a, 'table a'), 'table a')) ===
    JSON.stringify(meaning(oneMultipathLine(b, 'table b'), 'table b'))
  );
}
