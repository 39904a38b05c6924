/**
 * `multipathd show maps json` cut into one JSON text per map, so each map is parsed and read on its
 * own and its object tree dies young. Parsing a large host's reply (tens of MB) in one `JSON.parse`
 * keeps the whole tree alive until the end: it is promoted to the old generation and marked again
 * and again as the heap grows, so the cost per path grew with the host (3.5× at 16× a 512-map
 * host).
 *
 * multipathd prints with a fixed layout (libmultipath print.c, every version with JSON 0.1): the
 * maps array opens with `"maps": [{` and its elements are separated by a line `   },{` (three
 * spaces) and the array closes with `   }]`. Every string value sits alone on its line (and is
 * escaped by repairUnescapedJson first), so such a line cannot be part of a value. Anything else
 * (another layout, a single `map`) → undefined, and the caller parses the whole text; a piece that
 * does not parse sends the caller there too. Never a different result, only a faster one.
 */
const OPEN = '"maps": [{\n';
const SEPARATOR = '\n   },{\n';
const CLOSE = '\n   }]';

export interface MapsJsonPieces {
  /** The top-level object with an empty maps array (versions and any other key), as JSON text. */
  readonly top: string;
  /** Each map element as JSON text. */
  readonly maps: readonly string[];
}

/** Cuts the text (already repaired); no parsing, no copy of the reply (the pieces are slices). */
export function splitMapsJson(repaired: string): MapsJsonPieces | undefined {
  const open = repaired.indexOf(OPEN);
  const close = repaired.lastIndexOf(CLOSE);
  if (open < 0 || close < open) return undefined;
  if (!/^\s*\}\s*$/.test(repaired.slice(close + CLOSE.length))) return undefined;
  const maps: string[] = [];
  let at = open + OPEN.length;
  for (;;) {
    const next = repaired.indexOf(SEPARATOR, at);
    const end = next < 0 || next > close ? close : next;
    maps.push(`{\n${repaired.slice(at, end)}\n}`);
    if (end === close) break;
    at = end + SEPARATOR.length;
  }
  return { top: `${repaired.slice(0, open)}"maps": []\n}`, maps };
}
