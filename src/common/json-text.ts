/**
 * JSON text as Spark's JSON reader (Jackson with Spark's default options) reads it: a parser from
 * text to a small tree of nodes, and the compact text of a node as Jackson copies it back out.
 *
 * Beyond strict JSON, Spark's defaults accept single-quoted strings and names
 * (`allowSingleQuotes`) and the non-numeric numbers `NaN`, `Infinity`, `+Infinity`, `-Infinity`,
 * `INF`, `+INF`, `-INF` (`allowNonNumericNumbers`). Leading zeros, comments, unquoted names and
 * raw control characters in strings are malformed. Only the first value of the text is read; what
 * follows it is ignored, as Jackson's streaming parser ignores it.
 */
import { doubleToString } from './double-text.ts';

export type JsonNode =
  /** Entries in text order; a name may repeat (the last one wins where a value is looked up). */
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  /** `text` as written; `integral` when it has neither fraction nor exponent (and is finite). */
  | { readonly kind: 'number'; readonly text: string; readonly integral: boolean }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

/** Thrown for text that is not JSON; the callers turn it into NULLs or their own errors. */
export class JsonSyntaxError extends Error {}

const NON_NUMERIC: readonly string[] = ['+Infinity', '-Infinity', 'Infinity', '+INF', '-INF', 'INF', 'NaN'];

const MAX_DEPTH = 1000;

class Parser {
  pos = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at character ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    this.skipSpace();
    const t = this.text;
    if (this.pos >= t.length) this.fail('unexpected end of input');
    const c = t[this.pos]!;
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
      case "'":
        return { kind: 'string', value: this.string() };
      case 't':
        return this.word('true', { kind: 'boolean', value: true });
      case 'f':
        return this.word('false', { kind: 'boolean', value: false });
      case 'n':
        return this.word('null', { kind: 'null' });
      default:
        return this.number();
    }
  }

  word(w: string, node: JsonNode): JsonNode {
    if (!this.text.startsWith(w, this.pos)) this.fail('unrecognized token');
    this.pos += w.length;
    this.requireDelimiter();
    return node;
  }

  /** A literal or number must not run into letters or digits (`truex`, `12a`). */
  requireDelimiter(): void {
    if (this.pos < this.text.length && /[A-Za-z0-9_$]/.test(this.text[this.pos]!)) {
      this.fail('unrecognized token');
    }
  }

  number(): JsonNode {
    const t = this.text;
    for (const w of NON_NUMERIC) {
      if (t.startsWith(w, this.pos)) {
        this.pos += w.length;
        this.requireDelimiter();
        return { kind: 'number', text: w, integral: false };
      }
    }
    const start = this.pos;
    if (t[this.pos] === '-') this.pos++;
    const intStart = this.pos;
    while (this.pos < t.length && t.charCodeAt(this.pos) >= 48 && t.charCodeAt(this.pos) <= 57) this.pos++;
    const intDigits = this.pos - intStart;
    if (intDigits === 0) this.fail('unexpected character');
    if (intDigits > 1 && t[intStart] === '0') this.fail('leading zeros are not allowed');
    let integral = true;
    if (t[this.pos] === '.') {
      integral = false;
      this.pos++;
      const f = this.pos;
      while (this.pos < t.length && t.charCodeAt(this.pos) >= 48 && t.charCodeAt(this.pos) <= 57) this.pos++;
      if (this.pos === f) this.fail('a fraction needs digits');
    }
    if (t[this.pos] === 'e' || t[this.pos] === 'E') {
      integral = false;
      this.pos++;
      if (t[this.pos] === '+' || t[this.pos] === '-') this.pos++;
      const e = this.pos;
      while (this.pos < t.length && t.charCodeAt(this.pos) >= 48 && t.charCodeAt(this.pos) <= 57) this.pos++;
      if (this.pos === e) this.fail('an exponent needs digits');
    }
    this.requireDelimiter();
    return { kind: 'number', text: t.slice(start, this.pos), integral };
  }

  string(): string {
    const t = this.text;
    const quote = t[this.pos]!;
    this.pos++;
    let out = '';
    let run = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string');
      const c = t.charCodeAt(this.pos);
      if (t[this.pos] === quote) {
        out += t.slice(run, this.pos);
        this.pos++;
        return out;
      }
      if (c < 32) this.fail('control character in a string');
      if (c !== 92) {
        this.pos++;
        continue;
      }
      out += t.slice(run, this.pos);
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case "'":
          // Jackson accepts an escaped single quote where single quotes are allowed.
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(this.pos, this.pos + 4);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.fail('bad escape');
      }
      run = this.pos;
    }
  }

  object(depth: number): JsonNode {
    this.pos++;
    const entries: [string, JsonNode][] = [];
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.skipSpace();
      const q = this.text[this.pos];
      if (q !== '"' && q !== "'") this.fail('expected a field name');
      const name = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      entries.push([name, this.value(depth + 1)]);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return { kind: 'object', entries };
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  array(depth: number): JsonNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return { kind: 'array', items };
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }
}

/**
 * The first JSON value of `text`, or null when the text holds nothing but white space. Throws
 * `JsonSyntaxError` when it is not JSON.
 */
export function parseJson(text: string): JsonNode | null {
  const p = new Parser(text);
  p.skipSpace();
  if (p.pos >= text.length) return null;
  return p.value(0);
}

/** Jackson's escaping of a string: quotes, backslashes and control characters. */
export function jsonQuote(s: string): string {
  if (!/["\\\u0000-\u001f]/.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 32) out += ch;
    else if (c === 8) out += '\\b';
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 12) out += '\\f';
    else if (c === 13) out += '\\r';
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** A JSON number's text as Jackson writes it back: integers as written, others as a double. */
function numberText(n: JsonNode & { kind: 'number' }): string {
  if (n.integral) {
    // Jackson reads an integer as int/long/BigInteger and writes its digits (`-0` is `0`).
    return BigInt(n.text).toString();
  }
  const x = Number(n.text.replace('INF', 'Infinity').replace('++', '+'));
  return Number.isFinite(x) ? doubleToString(x) : JSON.stringify(doubleToString(x));
}

/** The compact text of a node: what Spark gives for a JSON value read as a STRING. */
export function jsonNodeText(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return `{${node.entries.map(([k, v]) => `${jsonQuote(k)}:${jsonNodeText(v)}`).join(',')}}`;
    case 'array':
      return `[${node.items.map(jsonNodeText).join(',')}]`;
    case 'string':
      return jsonQuote(node.value);
    case 'number':
      return numberText(node);
    case 'boolean':
      return node.value ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

/** The value of the last entry named `name` (exact, case-sensitive), or undefined. */
export function jsonField(node: JsonNode & { kind: 'object' }, name: string): JsonNode | undefined {
  for (let i = node.entries.length - 1; i >= 0; i--) {
    const e = node.entries[i]!;
    if (e[0] === name) return e[1];
  }
  return undefined;
}
