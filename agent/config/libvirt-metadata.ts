/**
 * libvirt domain `<metadata>` → a policy layer (origin `libvirt-metadata`). vmpath's element is
 * identified by its namespace URI, not its prefix (libvirt keeps whatever prefix was used):
 *
 *   <metadata>
 *     <vmpath:policy xmlns:vmpath="https://vmpath.dev/xmlns/policy/1">
 *       <vmpath:priority>80</vmpath:priority>
 *       <vmpath:shares>200</vmpath:shares>
 *       <vmpath:limit readMBps="200" writeIops="5000"/>
 *       <vmpath:reservation readMBps="50"/>
 *       <vmpath:pin>fabric:A</vmpath:pin>            (repeatable)
 *       <vmpath:minPaths>2</vmpath:minPaths>
 *       <vmpath:onAllPathsDown>queue:30</vmpath:onAllPathsDown>
 *       <vmpath:resume>kill-after:120</vmpath:resume>
 *       <vmpath:migrateTarget>node2</vmpath:migrateTarget>   (repeatable, in order)
 *       <vmpath:selector>least-pending</vmpath:selector>
 *     </vmpath:policy>
 *   </metadata>
 *
 * Set it with `virsh metadata DOMAIN https://vmpath.dev/xmlns/policy/1 --key vmpath --set '<policy>…</policy>'`.
 * A tiny tolerant extractor (no dependency): tags, attributes, text, entities, comments, CDATA.
 * Values use the same syntax as the config file (config/values.ts). Malformed values →
 * ConfigInvalidError naming the domain and line. Pure.
 */
import { ConfigInvalidError } from '../model/errors';
import type { PolicyLayer, VmPolicyValues } from '../model/policy';
import { VALUE_PARSERS, isPolicyKey } from './values';

export const VMPATH_XMLNS = 'https://vmpath.dev/xmlns/policy/1';

interface El {
  readonly name: string; // local name
  readonly prefix: string;
  readonly attrs: Record<string, string>;
  readonly line: number;
  text: string;
  readonly children: El[];
  readonly ns: Record<string, string>; // prefix ('' = default) → uri, inherited
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : (ENTITIES[e.toLowerCase()] ?? ''),
  );

function parseXml(xml: string): El {
  const root: El = { name: '#root', prefix: '', attrs: {}, line: 1, text: '', children: [], ns: {} };
  const stack: El[] = [root];
  const re =
    /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let line = 1;
  let last = 0;
  while ((m = re.exec(xml))) {
    for (let k = last; k < m.index; k++) if (xml[k] === '\n') line++;
    last = m.index;
    const top = stack[stack.length - 1] as El;
    if (m[1] !== undefined) top.text += m[1];
    else if (m[6] !== undefined) top.text += decode(m[6]);
    else if (m[3] !== undefined) {
      const [prefix, name] = m[3].includes(':') ? (m[3].split(':', 2) as [string, string]) : ['', m[3]];
      if (m[2] === '/') {
        if (stack.length > 1 && top.name === name && top.prefix === prefix) stack.pop();
        continue;
      }
      const attrs: Record<string, string> = {};
      const ns = { ...top.ns };
      for (const a of (m[4] ?? '').matchAll(/([\w.:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
        const v = decode(a[3] ?? a[4] ?? '');
        const k = a[1] as string;
        if (k === 'xmlns') ns[''] = v;
        else if (k.startsWith('xmlns:')) ns[k.slice(6)] = v;
        else attrs[k.includes(':') ? (k.split(':')[1] as string) : k] = v;
      }
      const el: El = { name, prefix, attrs, line, text: '', children: [], ns };
      top.children.push(el);
      if (m[5] !== '/') stack.push(el);
    }
  }
  return root;
}

function findPolicy(el: El): El | undefined {
  for (const c of el.children) {
    if (c.name === 'policy' && c.ns[c.prefix] === VMPATH_XMLNS) return c;
    const inner = findPolicy(c);
    if (inner) return inner;
  }
  return undefined;
}

const ELEMENT_KEY: Readonly<Record<string, keyof VmPolicyValues>> = { migrateTarget: 'migrateTargets' };

/** The vmpath layer of a domain XML (or of just its <metadata>), or undefined when absent. */
export function parseLibvirtMetadata(xml: string, domain: string): PolicyLayer | undefined {
  const policy = findPolicy(parseXml(xml));
  if (!policy) return undefined;
  const values: Record<string, unknown> = {};
  const pins: unknown[] = [];
  const targets: string[] = [];
  for (const c of policy.children) {
    if (c.ns[c.prefix] !== VMPATH_XMLNS) continue;
    const key = ELEMENT_KEY[c.name] ?? c.name;
    const where = `libvirt domain ${domain} metadata line ${c.line}`;
    if (!isPolicyKey(key))
      throw new ConfigInvalidError(`${where}: unknown element <${c.name}>`, { domain, line: c.line, key });
    const raw = key === 'limit' || key === 'reservation' ? c.attrs : c.text.trim();
    if (key === 'pin') {
      pins.push(raw);
      continue;
    }
    if (key === 'migrateTargets') {
      targets.push(raw as string);
      continue;
    }
    const parsed = (
      VALUE_PARSERS[key] as (r: unknown) => { ok: boolean; value?: unknown; expected?: string }
    )(raw);
    if (!parsed.ok)
      throw new ConfigInvalidError(`${where}: <${c.name}> expected ${parsed.expected}`, {
        domain,
        line: c.line,
        key,
      });
    values[key] = parsed.value;
  }
  if (pins.length) {
    const p = VALUE_PARSERS.pin(pins);
    if (!p.ok)
      throw new ConfigInvalidError(`libvirt domain ${domain} metadata: <pin> expected ${p.expected}`, {
        domain,
        key: 'pin',
      });
    values.pin = p.value;
  }
  if (targets.length) values.migrateTargets = targets;
  return {
    origin: { kind: 'libvirt-metadata', source: `domain ${domain} metadata line ${policy.line}` },
    values: values as Partial<VmPolicyValues>,
  };
}
