import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { splitMapsJson } from '../../../../agent/observe/multipath/json-chunks';
import { parseMultipathdJson } from '../../../../agent/observe/multipath/multipathd-json';
import { repairUnescapedJson } from '../../../../agent/observe/multipath/json-repair';
import { multipathdJson } from '../../../../scripts/bench/gen-multipathd-json';
import { createSimHost, scaleSpec } from '../../../../agent/sim';
import { FIXTURES } from './fixture';

const LAB = path.resolve(__dirname, '../../../fixtures/lab');

/** Every real `show maps json` / `show map json` output we keep: the shared ones and the lab's. */
function realOutputs(): [string, string][] {
  const out: [string, string][] = [];
  for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.json')))
    out.push([f, readFileSync(path.join(FIXTURES, f), 'utf8')]);
  for (const d of readdirSync(LAB)) {
    const p = path.join(LAB, d, 'maps.json');
    if (statSync(path.join(LAB, d)).isDirectory() && existsFile(p))
      out.push([`lab/${d}`, readFileSync(p, 'utf8')]);
  }
  return out;
}

function existsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** splitMapsJson's pieces, each parsed on its own; undefined when the text is not cut. */
function parseMapsInChunks(repaired: string): { top: unknown; maps: unknown[] } | undefined {
  const pieces = splitMapsJson(repaired);
  return pieces && { top: JSON.parse(pieces.top), maps: pieces.maps.map((m) => JSON.parse(m) as unknown) };
}

/** The whole-text parse, as parseMultipathdJson did before chunks. */
function whole(text: string): unknown {
  return JSON.parse(repairUnescapedJson(text));
}

describe('show maps json parsed one map at a time', () => {
  it.each(realOutputs())('%s: same maps as one JSON.parse of the whole text', (_name, text) => {
    const chunks = parseMapsInChunks(repairUnescapedJson(text));
    const all = whole(text) as { maps?: unknown[]; map?: unknown };
    if (all.maps && all.maps.length > 0) {
      expect(chunks).toBeDefined();
      expect(chunks?.maps).toEqual(all.maps);
      expect({ ...(chunks?.top as object), maps: chunks?.maps }).toEqual(all);
    } else expect(chunks).toBeUndefined(); // `show map X json`, or no maps: the whole-text parse
  });

  it('agrees with the whole-text parse on a generated 512-map reply and the simulated multipathd', async () => {
    const generated = multipathdJson(512, 8);
    expect(parseMapsInChunks(repairUnescapedJson(generated))?.maps).toEqual(
      (whole(generated) as { maps: unknown[] }).maps,
    );
    const sim = createSimHost(scaleSpec({ vms: 10, luns: 24, pathsPerLun: 4 }));
    try {
      const reply = (await sim.runner.run(['multipathd', 'show', 'maps', 'json'])).stdout;
      const chunks = parseMapsInChunks(repairUnescapedJson(reply));
      expect(chunks?.maps).toHaveLength(24);
      expect(chunks?.maps).toEqual((whole(reply) as { maps: unknown[] }).maps);
    } finally {
      sim.dispose();
    }
  });

  it('falls back to the whole text when the layout is not the known one; the result does not change', () => {
    const text = readFileSync(path.join(FIXTURES, 'multibus-maps.json'), 'utf8');
    const compact = JSON.stringify(JSON.parse(text)); // valid JSON, another layout
    expect(parseMapsInChunks(compact)).toBeUndefined();
    expect(parseMultipathdJson(compact)).toEqual(parseMultipathdJson(text));
    // A vendor string holding the separator's text on its own value line: still one value.
    const tricky = text.replace('"vend" : "Linux"', '"vend" : "Li\\n   },{\\nnux"');
    expect(parseMultipathdJson(tricky).maps[0]?.vendor).toBe('Li\\n   },{\\nnux');
    // With real line breaks (multipathd does not escape): neither way parses; the same error.
    const broken = text.replace('"vend" : "Linux"', '"vend" : "Li\n   },{\nnux"');
    expect(() => parseMapsInChunks(repairUnescapedJson(broken))).toThrow(SyntaxError);
    expect(() => parseMultipathdJson(broken)).toThrow(/not JSON/);
    // A map the typed reader refuses: the same error piece by piece as for the whole text.
    const noUuid = text.replace('"uuid" : ', '"uuidx" : ');
    const message = (t: string) => {
      try {
        parseMultipathdJson(t);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(message(noUuid)).toMatch(/"uuid" must be a string/);
    expect(message(noUuid)).toBe(message(JSON.stringify(JSON.parse(noUuid))));
    // Truncated output still fails as before, naming the text.
    expect(() => parseMultipathdJson(text.slice(0, text.length / 2))).toThrow(/not JSON/);
  });
});
