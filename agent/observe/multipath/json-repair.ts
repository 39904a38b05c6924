/**
 * multipathd prints JSON string values without escaping them (libmultipath print.c), so a
 * vendor string or alias holding `"` or `\` yields invalid JSON. Every string value sits alone
 * on a `<indent>"key" : "value",` line, so the value is exactly what lies between the first
 * `" : "` and the last `"` of the line: re-escape that. Lines of any other shape are untouched.
 * Linear in the text, with no regex over whole lines (a 500-map topology is ~3 MB).
 */
const SEP = '" : "';
const KEY_PREFIX = /^\s*"[A-Za-z0-9_]+$/;
const VALUE_END = /^",?[ \t]*$/;

function needsEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return true;
  }
  return false;
}

function escapeJsonString(raw: string): string {
  let out = '';
  for (const c of raw) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

function repairLine(line: string): string {
  const sep = line.indexOf(SEP);
  if (sep < 0) return line;
  const start = sep + SEP.length;
  const end = line.lastIndexOf('"');
  if (end < start) return line;
  const value = line.slice(start, end);
  if (!needsEscape(value)) return line;
  if (!KEY_PREFIX.test(line.slice(0, sep)) || !VALUE_END.test(line.slice(end))) return line;
  return `${line.slice(0, start)}${escapeJsonString(value)}${line.slice(end)}`;
}

/** Returns `text` with every `"key" : "value"` line's value escaped as JSON requires. */
export function repairUnescapedJson(text: string): string {
  const lines = text.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fixed = repairLine(line);
    if (fixed !== line) {
      lines[i] = fixed;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : text;
}
