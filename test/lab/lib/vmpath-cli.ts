/** vmpath's own CLI in the guest (the payload's build, the guest's node), and path helpers the end-to-end suites share. */
import * as assert from 'node:assert/strict';
import type { CaseContext } from './case';
import type { MapInfo, PathInfo } from './rig';
import { dmStatus } from './rig';
import { sh } from './sh';

export const CLI = ['/usr/local/bin/node', '/payload/dist/agent/cli/main.js'];

/** Runs `vmpath ARGS`, saves its output under files/DIR/LABEL.txt, asserts exit 0; returns stdout. */
export function vmpath(ctx: CaseContext, dir: string, label: string, ...args: string[]): string {
  const r = sh([...CLI, ...args], { allowFail: true, timeoutMs: 180_000 });
  ctx.save(`${dir}/${label}.txt`, `$ vmpath ${args.join(' ')}\n# exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.status, 0, `vmpath ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 1500)}`);
  return r.stdout;
}

/** The SCSI host of a path, as vmpath's `adapter:` pins name it. */
export function adapter(p: PathInfo): string {
  return `host${p.hcil.split(':')[0]}`;
}

/** The path device of the group the kernel uses: status A, or (no I/O since a switch) the next group. */
export function activePath(m: MapInfo): PathInfo {
  const st = dmStatus(m.name);
  const g = st.groups.find((x) => x.state === 'A') ?? st.groups[st.nextGroup - 1];
  const p = m.paths.find((x) => x.devt === g?.paths[0]?.devt);
  assert.ok(p, `active path of ${m.name}: ${st.raw}`);
  return p;
}
