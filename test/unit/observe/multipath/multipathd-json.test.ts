import fc from 'fast-check';
import { ParseError } from '../../../../agent/model/errors';
import { parseMultipathdJson } from '../../../../agent/observe/multipath/multipathd-json';
import { repairUnescapedJson } from '../../../../agent/observe/multipath/json-repair';
import { fixture } from './fixture';

describe('multipathd show maps json', () => {
  it('reads the real healthy topology', () => {
    const t = parseMultipathdJson(fixture('maps.json'));
    expect(t.majorVersion).toBe(0);
    expect(t.minorVersion).toBe(1);
    expect(t.maps).toHaveLength(1);
    const m = t.maps[0];
    expect(m).toMatchObject({
      name: 'mpatha',
      wwid: '1Linux_scsi_debug_2000',
      sysfs: 'dm-0',
      failback: '-',
      queueing: 'off',
      activePaths: 2,
      features: '0',
      hwHandler: '1 alua',
      vendor: 'Linux',
      product: 'scsi_debug',
      revision: '0191',
      switchGroupCount: 0,
      pathFaults: 0,
    });
    expect(m?.groups.map((g) => [g.index, g.state, g.priority, g.selector])).toEqual([
      [1, 'active', 50, 'service-time 0'],
      [2, 'enabled', 10, 'service-time 0'],
    ]);
    expect(m?.groups[0]?.paths[0]).toEqual({
      dev: 'sda',
      devT: '8:0',
      dmState: 'active',
      devState: 'running',
      checkerState: 'ready',
      checkerText: 'ready',
      checker: 'tur',
      priority: 50,
      marginal: false,
      lunHex: '0x0000000000000000',
    });
  });

  it('reads the real offline and cli-fail topologies (failed paths, faulty checker)', () => {
    const offline = parseMultipathdJson(fixture('offline-maps.json')).maps[0];
    expect(offline?.activePaths).toBe(1);
    expect(offline?.groups[0]?.paths[0]).toMatchObject({
      dev: 'sda',
      dmState: 'failed',
      checkerState: 'faulty',
    });
    expect(offline?.groups.map((g) => g.state)).toEqual(['enabled', 'active']);
    const cliFail = parseMultipathdJson(fixture('cli-fail-maps.json')).maps[0];
    expect(cliFail?.groups[1]?.paths[0]).toMatchObject({
      dev: 'sdb',
      dmState: 'failed',
      checkerState: 'faulty',
    });
  });

  it('reads switchgroup and multibus topologies', () => {
    const sw = parseMultipathdJson(fixture('switchgroup-maps.json')).maps[0];
    expect(sw?.groups.map((g) => g.state)).toEqual(['enabled', 'enabled']);
    expect(sw?.switchGroupCount).toBe(0); // CLI switchgroup is not counted
    const mb = parseMultipathdJson(fixture('multibus-maps.json')).maps[0];
    expect(mb?.groups).toHaveLength(1);
    expect(mb?.groups[0]?.paths.map((p) => p.dev)).toEqual(['sda', 'sdb']);
    expect(mb?.action).toBe('');
  });

  it('reads the single-map form of `show map mpatha json`', () => {
    const t = parseMultipathdJson(fixture('map-mpatha.json'), 'multipathd show map mpatha json');
    expect(t.maps.map((m) => m.name)).toEqual(['mpatha']);
  });

  it('reads a topology with no maps', () => {
    const text = '{\n   "major_version": 0,\n   "minor_version": 1,\n   "maps": [\n]\n}\n';
    expect(parseMultipathdJson(text).maps).toEqual([]);
  });

  it('maps unknown values: undef sysfs, #:# dev_t, [undef] wwns, new checker states', () => {
    const text = fixture('maps.json')
      .replace('"sysfs" : "dm-0"', '"sysfs" : "undef"')
      .replace('"dev_t" : "8:0"', '"dev_t" : "#:#"')
      .replace('"chk_st" : "ready"', '"chk_st" : "disconnected"')
      .replace('"host_wwpn" : "[undef]"', '"host_wwpn" : "0x5001438001234567"');
    const m = parseMultipathdJson(text).maps[0];
    expect(m?.sysfs).toBeUndefined();
    const p = m?.groups[0]?.paths[0];
    expect(p?.devT).toBeUndefined();
    expect(p?.checkerState).toBe('unknown');
    expect(p?.checkerText).toBe('disconnected');
    expect(p?.hostWwpn).toBe('0x5001438001234567');
    expect(p?.hostWwnn).toBeUndefined();
  });

  it('repairs the unescaped quotes and backslashes multipathd prints in strings', () => {
    const text = fixture('maps.json').replace('"vend" : "Linux"', '"vend" : "AC"ME\\ Inc"');
    expect(() => JSON.parse(text)).toThrow();
    expect(parseMultipathdJson(text).maps[0]?.vendor).toBe('AC"ME\\ Inc');
  });

  it.each([
    ['fail\n', 'not JSON'],
    ['{"major_version": 1, "minor_version": 0, "maps": []}', 'unsupported JSON format version 1.0'],
    ['{"major_version": 0, "minor_version": 1}', 'neither "maps" nor "map"'],
    ['[]', 'expected an object'],
  ])('rejects %j', (text, expected) => {
    expect(() => parseMultipathdJson(text)).toThrow(ParseError);
    expect(() => parseMultipathdJson(text)).toThrow(expected);
  });

  it('names the map and field when a field has the wrong type', () => {
    const text = fixture('maps.json').replace('"paths" : 2', '"paths" : "2"');
    expect(() => parseMultipathdJson(text)).toThrow('map mpatha: "paths" must be an integer');
    const bad = fixture('maps.json').replace('"dm_st" : "enabled"', '"dm_st" : "sleeping"');
    expect(() => parseMultipathdJson(bad)).toThrow('unknown group state "sleeping"');
  });
});

describe('JSON repair', () => {
  it('leaves valid multipathd JSON unchanged', () => {
    for (const f of ['maps.json', 'offline-maps.json', 'map-mpatha.json']) {
      expect(repairUnescapedJson(fixture(f))).toBe(fixture(f));
    }
  });

  it('any printable vendor string survives the print-without-escaping and repair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        (vendor) => {
          const printed = fixture('maps.json').replace('"vend" : "Linux"', () => `"vend" : "${vendor}"`);
          expect(parseMultipathdJson(printed).maps[0]?.vendor).toBe(vendor);
        },
      ),
    );
  });
});

describe('JSON repair of control characters', () => {
  it('escapes control characters inside a value, carriage return included', () => {
    const printed = fixture('maps.json').replace('"prod" : "scsi_debug"', '"prod" : "a\r\tb"');
    expect(parseMultipathdJson(printed).maps[0]?.product).toBe('a\r\tb');
  });
});

/**
 * The repair's contract, line by line: a line `<blanks>"key" : "<value>"<,><blanks>` (value up to
 * the line's last quote) gets its value escaped when it holds a quote, a backslash or a control
 * character; every other line is left alone. The repair jumps through the text instead of
 * splitting it, with a fast path for the usual line: it must give exactly this.
 */
function repairByLines(text: string): string {
  const escape = (raw: string): string =>
    [...raw]
      .map((c) => {
        const code = c.charCodeAt(0);
        if (c === '\\' || c === '"') return `\\${c}`;
        return code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : c;
      })
      .join('');
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*"[A-Za-z0-9_]+" : ")([^\n]*)(",?[ \t]*)$/.exec(line);
      if (!m) return line;
      const [, head = '', value = '', tail = ''] = m;
      const needs = [...value].some((c) => c === '"' || c === '\\' || c.charCodeAt(0) < 0x20);
      return needs ? head + escape(value) + tail : line;
    })
    .join('\n');
}

describe('JSON repair against its line-by-line contract', () => {
  const char = fc.constantFrom('a', 'Z', '0', ' ', ':', ',', '"', '\\', '\r', '\t', '\u0001', '{', '}', 'é');
  const value = fc.string({ unit: char, maxLength: 12 });
  const stringLine = fc
    .tuple(
      fc.constantFrom('', '   ', '      ', '\t'),
      fc.constantFrom('name', 'vend', 'prod', 'dev_t', 'x9_'),
      value,
      fc.constantFrom('"', '",', '",  ', '" ', '",\t', '"\r'),
    )
    .map(([indent, key, v, end]) => `${indent}"${key}" : "${v}${end}`);
  const otherLine = fc.oneof(
    fc.constantFrom('{', '}', '   "paths" : 4,', '   "maps": [{', '   },{', '}]', ''),
    fc.string({ unit: char, maxLength: 20 }),
  );
  const text = fc.array(fc.oneof(stringLine, otherLine), { maxLength: 12 }).map((lines) => lines.join('\n'));

  it('gives exactly what repairing each line on its own gives', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(repairUnescapedJson(t)).toBe(repairByLines(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('on the simulator-sized fixture texts too', () => {
    for (const f of ['maps.json', 'offline-maps.json', 'map-mpatha.json']) {
      const hostile = fixture(f).replace(/"vend" : "[^"\n]*"/g, '"vend" : "a"b\\c"');
      expect(repairUnescapedJson(hostile)).toBe(repairByLines(hostile));
      expect(repairUnescapedJson(fixture(f))).toBe(repairByLines(fixture(f)));
    }
  });
});
