/**
 * A small JSON parser that remembers the line of every value and object key, so configuration
 * errors and policy origins can say `file:line`. Accepts standard JSON plus `//` line comments.
 * Throws ConfigInvalidError naming file:line on syntax errors. Pure.
 */
import { ConfigInvalidError } from '../model/errors';

export type JNode =
  | { readonly kind: 'object'; readonly line: number; readonly entries: readonly JEntry[] }
  | { readonly kind: 'array'; readonly line: number; readonly items: readonly JNode[] }
  | { readonly kind: 'value'; readonly line: number; readonly value: string | number | boolean | null };

export interface JEntry {
  readonly key: string;
  readonly line: number;
  readonly node: JNode;
}

export function parseJsonLines(text: string, file: string): JNode {
  let i = 0;
  let line = 1;
  const err = (msg: string): never => {
    throw new ConfigInvalidError(`${file}:${line}: ${msg}`, { file, line });
  };
  const ws = (): void => {
    for (;;) {
      const c = text[i];
      if (c === '\n') {
        line++;
        i++;
      } else if (c === ' ' || c === '\t' || c === '\r') i++;
      else if (c === '/' && text[i + 1] === '/') while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n') err('unterminated string');
      if (c === '\\') i += 2;
      else if (c === '"') break;
      else i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return err('bad string escape');
    }
  };
  const value = (): JNode => {
    ws();
    const at = line;
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: JEntry[] = [];
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', line: at, entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') err('expected a "key"');
        const keyLine = line;
        const key = str();
        if (seen.has(key)) err(`duplicate key "${key}"`);
        seen.add(key);
        ws();
        if (text[i] !== ':') err(`expected ':' after "${key}"`);
        i++;
        entries.push({ key, line: keyLine, node: value() });
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return { kind: 'object', line: at, entries };
        } else err("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: JNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', line: at, items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return { kind: 'array', line: at, items };
        } else err("expected ',' or ']'");
      }
    }
    if (c === '"') return { kind: 'value', line: at, value: str() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) return err(c === undefined ? 'unexpected end of file' : `unexpected ${JSON.stringify(c)}`);
    i += m[0].length;
    return { kind: 'value', line: at, value: JSON.parse(m[0]) as string | number | boolean | null };
  };
  const root = value();
  ws();
  if (i < text.length) err('trailing text after the JSON value');
  return root;
}

/** Plain JS value of a node (lines dropped). */
export function plain(node: JNode): unknown {
  if (node.kind === 'value') return node.value;
  if (node.kind === 'array') return node.items.map(plain);
  return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.node)]));
}
