/**
 * multipathd prints JSON string values without escaping them (libmultipath print.c), so a
 * vendor string or alias holding `"` or `\` yields invalid JSON. Every string value sits alone
 * on a `<indent>"key" : "value",` line, so the value is exactly what lies between the first
 * `" : "` and the last `"` of the line: re-escape that. Lines of any other shape are untouched.
 */
const STRING_LINE = /^(\s*"[A-Za-z0-9_]+" ?: ")(.*)("(?:,)?[ \t]*)$/s;

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

/** Returns `text` with every `"key" : "value"` line's value escaped as JSON requires. */
export function repairUnescapedJson(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = STRING_LINE.exec(line);
      return m ? `${m[1]}${escapeJsonString(m[2] as string)}${m[3]}` : line;
    })
    .join('\n');
}
