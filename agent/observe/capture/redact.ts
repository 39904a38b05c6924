/**
 * What a capture must never contain, and how secrets are removed from what it does contain.
 * - Never read: /etc/pve/priv/*, /proc/<pid>/environ (a process's environment), anything under
 *   /root, /home or /etc/shadow-like files — a recording HostFs refuses these outright.
 * - Command lines of processes that are not QEMU are recorded empty.
 * - QEMU command lines can carry secrets (`-spice password=...`, `-object secret,data=...`,
 *   JSON `-object {...}`, `iscsi://user:pass@...`): values of keys matching
 *   password|passwd|secret|key|token (and `data` of secret objects) become `<redacted>`.
 * - Proxmox VM configs: only what observe uses (`tags:` lines and `[section]` headers) is kept.
 */
import { parseCmdline } from '../parse/proc-files';
import { isQemuArgv } from '../parse/qemu-args';

export const REDACTED = '<redacted>';
const SECRET_KEY = /password|passwd|secret|key|token/i;
const FORBIDDEN = [
  /^\/etc\/pve\/priv(\/|$)/,
  /^\/proc\/[^/]+\/environ$/,
  /^\/proc\/[^/]+\/task\/[^/]+\/environ$/,
  /^\/(root|home)(\/|$)/,
  /^\/etc\/(shadow|gshadow)/,
];

export function isForbiddenPath(path: string): boolean {
  return FORBIDDEN.some((re) => re.test(path));
}

function splitOpts(text: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ',' && text[i + 1] === ',') {
      current += ',,';
      i++;
    } else if (text[i] === ',') {
      items.push(current);
      current = '';
    } else current += text[i];
  }
  items.push(current);
  return items;
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const isSecretObject = obj['qom-type'] === 'secret';
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) || (isSecretObject && k === 'data') ? REDACTED : redactJson(v),
    ]),
  );
}

/** Redact one QEMU argument. */
export function redactArg(arg: string): string {
  if (arg.startsWith('{')) {
    try {
      return JSON.stringify(redactJson(JSON.parse(arg)));
    } catch {
      // not JSON: fall through to key=value handling
    }
  }
  const withoutUrlPasswords = arg.replace(/(\/\/[^/:@,\s]*):[^@/,\s]*@/g, `$1:${REDACTED}@`);
  const items = splitOpts(withoutUrlPasswords);
  const secretObject = items[0] === 'secret' || items.includes('qom-type=secret');
  return items
    .map((item) => {
      const eq = item.indexOf('=');
      if (eq < 0) return item;
      const key = item.slice(0, eq);
      return SECRET_KEY.test(key) || (secretObject && key === 'data') ? `${key}=${REDACTED}` : item;
    })
    .join(',');
}

/**
 * Redact a /proc/PID/cmdline text (NUL-separated). Other programs' command lines are none of a
 * capture's business (`mysql -pSECRET`): they are recorded empty, which observe treats exactly
 * like a non-QEMU process. QEMU's keep their shape with secret values replaced.
 */
export function redactCmdline(raw: string): string {
  const argv = parseCmdline(raw);
  if (!isQemuArgv(argv)) return '';
  return argv.map(redactArg).join('\0') + '\0';
}

/** Keep only `tags:` lines and section headers of a Proxmox VM config. */
export function redactProxmoxConf(raw: string): string {
  return raw
    .split('\n')
    .filter((line) => line.startsWith('tags:') || line.startsWith('['))
    .map((line) => line + '\n')
    .join('');
}

/** Apply the redaction that fits a file, by path. */
export function redactFile(path: string, content: string): string {
  if (/^\/proc\/\d+\/cmdline$/.test(path)) return redactCmdline(content);
  if (/^\/etc\/pve\//.test(path)) return redactProxmoxConf(content);
  return content;
}
