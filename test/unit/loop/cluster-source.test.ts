/**
 * The cluster view source: node health records in a shared directory (a temp dir standing in for
 * /etc/pve/vmpath/nodes), written atomically, read back as decide/'s ClusterView; stale and
 * malformed records and bad file names become diagnostics, never exceptions.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { clusterViewOf, healthRecord, parseHealthRecord } from '../../../agent/loop/cluster-health';
import { FileClusterSource } from '../../../agent/loop/cluster-source';
import { ParseError } from '../../../agent/model/errors';
import type { Diagnostic } from '../../../agent/model/snapshot';
import { buildHost } from '../decide/host';

const NOW = 1_700_000_000_000;
const DIR = '/etc/pve/vmpath/nodes';
const WWID_A = '36000000000000000';
const WWID_B = '36000000000000001';

/** node1: mpatha with 2 of 3 paths usable (sdc failed), mpathb with none. */
const snapshot = buildHost({
  paths: { sda: {}, sdb: { state: 'offline' }, sdc: {}, sdd: {}, sde: {} },
  maps: {
    mpatha: { groups: [['sda', 'sdc'], ['sdd']], failed: ['sdc'] },
    mpathb: { groups: [['sdb'], ['sde']], failed: ['sde'] },
  },
  vms: { '101': { maps: ['mpatha'] } },
});

const record = (node: string, timeMs: number, healthy: Record<string, number>): string =>
  JSON.stringify({ version: 1, node, timeMs, healthyPathsByWwid: healthy });

describe('cluster health records (pure)', () => {
  it('counts usable paths per WWID of multipathd maps', () => {
    expect(healthRecord(snapshot, 'node1', NOW)).toEqual({
      version: 1,
      node: 'node1',
      timeMs: NOW,
      healthyPathsByWwid: { [WWID_A]: 2, [WWID_B]: 0 },
    });
  });

  it.each([
    ['invalid JSON', '{"version":1,'],
    ['wrong version', record('node2', NOW, {}).replace('"version":1', '"version":2')],
    ["another node's name", record('node3', NOW, {})],
    ['a negative count', record('node2', NOW, { [WWID_A]: -1 })],
    ['a fractional count', record('node2', NOW, { [WWID_A]: 1.5 })],
    ['a bad WWID', record('node2', NOW, { 'a/b': 1 })],
    ['no time', JSON.stringify({ version: 1, node: 'node2', healthyPathsByWwid: {} })],
  ])('rejects a record with %s as VMPATH_E_PARSE', (_why, text) => {
    expect(() => parseHealthRecord(text, `${DIR}/node2.json`, 'node2')).toThrow(ParseError);
  });

  it('leaves out this node and stale records (older, or from a clock too far ahead)', () => {
    const parse = (node: string, t: number) => parseHealthRecord(record(node, t, {}), 'f', node);
    const { view, stale } = clusterViewOf(
      [
        parse('node3', NOW - 61_000),
        parse('node2', NOW - 5_000),
        parse('node1', NOW),
        parse('node4', NOW + 120_000),
      ],
      'node1',
      NOW,
      60_000,
    );
    expect(view.nodes.map((n) => n.node)).toEqual(['node2']);
    expect(view.nodes[0]?.online).toBe(true);
    expect(stale).toEqual(['node3', 'node4']);
  });
});

describe('FileClusterSource on a directory', () => {
  let root: string;
  let shared: string;
  let problems: Diagnostic[];
  const source = (over: Partial<ConstructorParameters<typeof FileClusterSource>[0]> = {}) =>
    new FileClusterSource({
      root,
      dir: DIR,
      staleMs: 60_000,
      publish: true,
      onProblem: (d) => problems.push(d),
      ...over,
    });
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'vmpath-cluster-'));
    shared = path.join(root, DIR);
    problems = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('two nodes: publishes its own record atomically and sees the other node', async () => {
    mkdirSync(shared, { recursive: true });
    writeFileSync(path.join(shared, 'node2.json'), record('node2', NOW - 1000, { [WWID_A]: 4 }));
    const view = await source().exchange(snapshot, NOW);
    expect(view).toEqual({ nodes: [{ node: 'node2', online: true, healthyPathsByWwid: { [WWID_A]: 4 } }] });
    expect(readdirSync(shared).sort()).toEqual(['node1.json', 'node2.json']); // no temp file left
    const own = readFileSync(path.join(shared, 'node1.json'), 'utf8');
    expect(parseHealthRecord(own, 'node1.json', 'node1')).toEqual(healthRecord(snapshot, 'node1', NOW));
    expect(problems).toEqual([]);
  });

  it('a missing directory is created on publish; read-only mode writes nothing', async () => {
    expect(await source({ publish: false }).exchange(snapshot, NOW)).toEqual({ nodes: [] });
    expect(existsSync(shared)).toBe(false);
    expect(await source().exchange(snapshot, NOW)).toEqual({ nodes: [] });
    expect(existsSync(path.join(shared, 'node1.json'))).toBe(true);
  });

  it('rewrites its record only when the counts change or a third of the staleness has passed', async () => {
    const s = source();
    const own = path.join(shared, 'node1.json');
    await s.exchange(snapshot, NOW);
    await s.exchange(snapshot, NOW + 10_000);
    expect(JSON.parse(readFileSync(own, 'utf8')).timeMs).toBe(NOW);
    await s.exchange(snapshot, NOW + 21_000);
    expect(JSON.parse(readFileSync(own, 'utf8')).timeMs).toBe(NOW + 21_000);
    const healed = buildHost({ paths: { sda: {} }, maps: { mpatha: { groups: [['sda']] } }, vms: {} });
    await s.exchange(healed, NOW + 22_000);
    expect(JSON.parse(readFileSync(own, 'utf8')).timeMs).toBe(NOW + 22_000);
  });

  it('a stale record is ignored with an info diagnostic', async () => {
    mkdirSync(shared, { recursive: true });
    writeFileSync(path.join(shared, 'node2.json'), record('node2', NOW - 61_000, { [WWID_A]: 4 }));
    expect(await source().exchange(snapshot, NOW)).toEqual({ nodes: [] });
    expect(problems).toEqual([expect.objectContaining({ level: 'info', subject: 'node node2' })]);
  });

  it('malformed records and bad file names are diagnostics; the rest is still read; each reported once', async () => {
    mkdirSync(shared, { recursive: true });
    writeFileSync(path.join(shared, 'node2.json'), '{"version":1, "node": "node2", trailing garbage');
    writeFileSync(path.join(shared, 'bad_name.json'), record('bad_name', NOW, {}));
    writeFileSync(path.join(shared, 'node3.json'), record('node3', NOW, { [WWID_A]: 1 }));
    writeFileSync(path.join(shared, 'node4.json.vmpath-tmp'), 'half a write');
    const s = source();
    const view = await s.exchange(snapshot, NOW);
    expect(view?.nodes.map((n) => n.node)).toEqual(['node3']);
    expect(problems.map((p) => [p.subject, p.code])).toEqual([
      [`cluster ${DIR}/bad_name.json`, 'VMPATH_E_INVALID_NAME'],
      [`cluster ${DIR}/node2.json`, 'VMPATH_E_PARSE'],
    ]);
    await s.exchange(snapshot, NOW + 1000);
    expect(problems).toHaveLength(2);
  });

  it('an invalid own node name is never used as a file name', async () => {
    const view = await source({ node: '../../etc/passwd' }).exchange(snapshot, NOW);
    expect(view).toEqual({ nodes: [] });
    expect(existsSync(shared)).toBe(false);
    expect(problems.map((p) => p.code)).toEqual(['VMPATH_E_INVALID_NAME']);
  });

  it('a directory that cannot be read is a diagnostic, not an exception', async () => {
    mkdirSync(path.dirname(shared), { recursive: true });
    writeFileSync(shared, 'not a directory');
    expect(await source({ publish: false }).exchange(snapshot, NOW)).toEqual({ nodes: [] });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/ENOTDIR/);
  });
});
