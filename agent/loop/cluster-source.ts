/**
 * The supply side of decide/'s ClusterView: after each observe the agent publishes its own
 * node health record to a shared directory (on Proxmox VE /etc/pve/vmpath/nodes, pmxcfs, the same
 * on every node) and reads the other nodes' records (docs/cluster.md).
 *
 * Contract:
 * - exchange() never throws: a record that cannot be written or read, a malformed record, a file
 *   name that is not a valid node name become diagnostics (typed VMPATH_E_* codes), reported
 *   through onProblem once per distinct problem, and the view is built from what was readable.
 * - The own record is written atomically (temp file + rename, act/config-files.ts), only when
 *   `publish` is set, and only when its counts changed or a third of the staleness has passed
 *   (pmxcfs replicates every write to every node).
 * - Node names are validated (model/names.ts) before they become file names.
 * - The whole exchange is bounded by `timeoutMs` (a hung FUSE mount must not stall the loop).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { RootedConfigFiles } from '../act/config-files';
import { DEFAULT_CLUSTER_DIR, DEFAULT_STALE_SECONDS, type ClusterConfig } from '../config/cluster-section';
import type { ClusterView } from '../decide/types';
import { VmpathError } from '../model/errors';
import type { HostFs } from '../model/seams';
import { validateNodeName } from '../model/names';
import type { Diagnostic, HostSnapshot } from '../model/snapshot';
import type { NodeHealthRecord } from './cluster-health';
import { clusterViewOf, healthRecord, parseHealthRecord } from './cluster-health';

export interface ClusterSourceOptions {
  /** Host root the directory is under (`/` on a real host, a temp dir in tests). */
  readonly root: string;
  /** Host path of the shared directory. */
  readonly dir: string;
  readonly staleMs: number;
  /** This node's name; default: the snapshot's host name. */
  readonly node?: string;
  /** Write this node's record (false in dry-run / observe-only mode: read only). */
  readonly publish: boolean;
  readonly timeoutMs?: number;
  readonly onProblem?: (d: Diagnostic) => void;
}

/** What the runtime asks for: a view to decide with (undefined: none available). */
export interface ClusterSource {
  exchange(snapshot: HostSnapshot, nowMs: number): Promise<ClusterView | undefined>;
}

/** Records larger than this are not read (a real one is ~50 bytes per LUN). */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export class FileClusterSource implements ClusterSource {
  private readonly files: RootedConfigFiles;
  private lastWritten: { text: string; atMs: number } | undefined;
  private reported = new Set<string>();

  /** Host path of the shared directory. */
  get dir(): string {
    return this.o.dir;
  }

  constructor(private readonly o: ClusterSourceOptions) {
    this.files = new RootedConfigFiles(o.root);
  }

  async exchange(snapshot: HostSnapshot, nowMs: number): Promise<ClusterView | undefined> {
    const problems: Diagnostic[] = [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        problems.push({
          level: 'warn',
          subject: `cluster ${this.o.dir}`,
          message: `no answer within ${this.timeoutMs()} ms; deciding without a cluster view`,
        });
        resolve(undefined);
      }, this.timeoutMs());
    });
    try {
      return await Promise.race([this.exchangeNow(snapshot, nowMs, problems), timeout]);
    } finally {
      clearTimeout(timer);
      this.report(problems);
    }
  }

  private timeoutMs(): number {
    return this.o.timeoutMs ?? 5_000;
  }

  private async exchangeNow(
    snapshot: HostSnapshot,
    nowMs: number,
    problems: Diagnostic[],
  ): Promise<ClusterView> {
    let self: string | undefined;
    try {
      self = validateNodeName(this.o.node ?? snapshot.host.hostname);
    } catch (e) {
      problems.push(diagnostic(`cluster ${this.o.dir}`, e, 'this node does not publish its path health'));
    }
    if (self && this.o.publish) await this.publish(healthRecord(snapshot, self, nowMs), nowMs, problems);
    const records = await this.readOthers(self, problems);
    const { view, stale } = clusterViewOf(records, self, nowMs, this.o.staleMs);
    for (const node of stale)
      problems.push({
        level: 'info',
        subject: `node ${node}`,
        message: `path health record older than ${this.o.staleMs / 1000}s: not a migration target`,
      });
    return view;
  }

  private async publish(record: NodeHealthRecord, nowMs: number, problems: Diagnostic[]): Promise<void> {
    const text = JSON.stringify(record.healthyPathsByWwid);
    const last = this.lastWritten;
    if (last && last.text === text && nowMs - last.atMs < this.o.staleMs / 3) return;
    const file = path.posix.join(this.o.dir, `${record.node}.json`);
    try {
      await this.files.write(file, `${JSON.stringify(record)}\n`);
      this.lastWritten = { text, atMs: nowMs };
    } catch (e) {
      problems.push(diagnostic(`cluster ${file}`, e, 'other nodes will see this node as stale'));
    }
  }

  private async readOthers(self: string | undefined, problems: Diagnostic[]): Promise<NodeHealthRecord[]> {
    const dir = this.real(this.o.dir);
    let names: string[];
    try {
      names = (await fsp.readdir(dir)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        problems.push(diagnostic(`cluster ${this.o.dir}`, e, 'no cluster view'));
      return [];
    }
    const out: NodeHealthRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue; // temp files of a write in progress, anything else
      const file = path.posix.join(this.o.dir, name);
      try {
        const node = validateNodeName(name.slice(0, -'.json'.length));
        if (node === self) continue;
        const stat = await fsp.stat(path.join(dir, name));
        if (stat.size > MAX_RECORD_BYTES) {
          problems.push({
            level: 'warn',
            subject: `cluster ${file}`,
            message: `larger than ${MAX_RECORD_BYTES} bytes: ignored`,
          });
          continue;
        }
        out.push(parseHealthRecord(await fsp.readFile(path.join(dir, name), 'utf8'), file, node));
      } catch (e) {
        problems.push(diagnostic(`cluster ${file}`, e, 'ignored'));
      }
    }
    return out;
  }

  private real(hostPath: string): string {
    const normal = path.posix.normalize('/' + hostPath);
    return this.o.root === '/' ? normal : path.join(this.o.root, normal);
  }

  /** Report each distinct problem once while it lasts (the loop runs every few seconds). */
  private report(problems: readonly Diagnostic[]): void {
    const now = new Set<string>();
    for (const p of problems) {
      const key = `${p.subject}\u0000${p.message}`;
      now.add(key);
      if (!this.reported.has(key)) this.o.onProblem?.(p);
    }
    this.reported = now;
  }
}

/** A typed error keeps its VMPATH_E_* code; a filesystem error (EACCES: no quorum, ...) its message. */
function diagnostic(subject: string, e: unknown, consequence: string): Diagnostic {
  if (e instanceof VmpathError)
    return { level: 'warn', code: e.code, subject, message: `${e.message}; ${consequence}` };
  const message = e instanceof Error ? e.message : String(e);
  return { level: 'warn', subject, message: `${message}; ${consequence}` };
}

export interface OpenClusterSourceOptions {
  readonly root: string;
  readonly config: ClusterConfig;
  readonly fs: HostFs;
  /** Write this node's record (only when acting). */
  readonly publish: boolean;
  readonly onProblem?: (d: Diagnostic) => void;
}

/**
 * The cluster view source for a host: the config's `cluster.dir`, else on Proxmox VE (a host
 * with /etc/pve) the shared DEFAULT_CLUSTER_DIR, else none (undefined).
 */
export async function openClusterSource(o: OpenClusterSourceOptions): Promise<FileClusterSource | undefined> {
  const dir = o.config.dir ?? ((await o.fs.exists('/etc/pve')) ? DEFAULT_CLUSTER_DIR : undefined);
  if (!dir) return undefined;
  return new FileClusterSource({
    root: o.root,
    dir,
    staleMs: (o.config.staleSeconds ?? DEFAULT_STALE_SECONDS) * 1000,
    ...(o.config.node ? { node: o.config.node } : {}),
    publish: o.publish,
    ...(o.onProblem ? { onProblem: o.onProblem } : {}),
  });
}
