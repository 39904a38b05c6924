/**
 * `multipathd show maps json` cut into one JSON text per map, so each is parsed on its own and
 * its object tree dies young. Parsing a large host's reply (tens of MB) in one `JSON.parse` keeps
 * the whole tree alive until the end: it is promoted to the old generation and marked again and
 * again as the heap grows, so the cost per path grew with the host (3× at 16× a 512-map host).
 *
 * multipathd prints with a fixed layout (libmultipath print.c, every version with JSON 0.1):
 * the maps array opens with `"maps": [{` and its elements are separated by a line `   },{`
 * (three spaces) and the array closes with `   }]`. Every string value sits alone on its line
 * (and is escaped by repairUnescapedJson first), so such a line cannot be part of a value.
 * Anything else (another layout, a single `map`, a chunk that does not parse) → undefined, and
 * the caller parses the whole text as before: never a different result, only a faster one.
 */
const OPEN = '"maps": [{\n';
const SEPARATOR = '\n   },{\n';
const CLOSE = '\n   }]';

export interface MapsJsonChunks {
  /** The top-level object with an empty maps array (versions and any other key). */
  readonly top: unknown;
  /** Each map element, parsed on its own. */
  readonly maps: readonly unknown[];
}

export function parseMapsInChunks(repaired: string): MapsJsonChunks | undefined {
  const open = repaired.indexOf(OPEN);
  const close = repaired.lastIndexOf(CLOSE);
  if (open < 0 || close < open) return undefined;
  const first = open + OPEN.length;
  const tail = repaired.slice(close + CLOSE.length);
  if (!/^\s*\}\s*$/.test(tail)) return undefined;
  try {
    const top: unknown = JSON.parse(`${repaired.slice(0, open)}"maps": []\n}`);
    const maps: unknown[] = [];
    let at = first;
    for (;;) {
      const next = repaired.indexOf(SEPARATOR, at);
      const end = next < 0 || next > close ? close : next;
      maps.push(JSON.parse(`{\n${repaired.slice(at, end)}\n}`));
      if (end === close) break;
      at = end + SEPARATOR.length;
    }
    return { top, maps };
  } catch {
    return undefined;
  }
}
