/**
 * String functions with Spark semantics. Positions and lengths count characters (code points),
 * not bytes or UTF-16 units. Trim without characters removes spaces only.
 */
import { createHash } from 'node:crypto';
import {
  EngineError,
  SqlState,
  T,
  fromArrowType,
  makeStringColumn,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, EvalContext, ResolvedSignature, ScalarFunctionDef } from '../registry.ts';
import { checkArity, coerce, invalidArgument, simple, evaluateRows } from './define.ts';
import { valueToString } from '../kernels/cast.ts';
import { validityOf, valueText } from '../kernels/common.ts';
import { concatArrays, resolveArrayConcat } from './array-concat.ts';

const S = T.string;
const I = T.int;

const ASCII_RE = /^[\x00-\x7f]*$/;

function chars(s: string): string[] {
  return Array.from(s);
}

function charLength(s: string): number {
  if (ASCII_RE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Spark's substringSQL: 1-based `pos` (0 acts as 1, negative counts from the end). */
export function sparkSubstring(s: string, pos: number, length: number = Number.MAX_SAFE_INTEGER): string {
  const ascii = ASCII_RE.test(s);
  const cs = ascii ? null : chars(s);
  const n = ascii ? s.length : cs!.length;
  let start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  const end = Math.min(start + length, n);
  start = Math.max(start, 0);
  if (start >= end) return '';
  return ascii ? s.slice(start, end) : cs!.slice(start, end).join('');
}

function trimChars(s: string, set: string, left: boolean, right: boolean): string {
  const cs = chars(s);
  const remove = new Set(chars(set));
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && remove.has(cs[a]!)) a++;
  if (right) while (b > a && remove.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}

function pad(s: string, len: number, padText: string, left: boolean): string {
  const cs = chars(s);
  if (len <= 0) return '';
  if (cs.length >= len) return cs.slice(0, len).join('');
  const p = chars(padText);
  if (p.length === 0) return s;
  const need = len - cs.length;
  const fill: string[] = [];
  for (let i = 0; i < need; i++) fill.push(p[i % p.length]!);
  return left ? fill.join('') + s : s + fill.join('');
}

/** `pad` over bytes: `padBytes` repeated (zero bytes by default), or `b` cut to `len` bytes. */
function padBytes(b: Uint8Array, len: number, padWith: Uint8Array, left: boolean): Uint8Array {
  if (len <= 0) return new Uint8Array(0);
  if (b.length >= len) return b.slice(0, len);
  if (padWith.length === 0) return b;
  const out = new Uint8Array(len);
  const need = len - b.length;
  const fillAt = left ? 0 : b.length;
  for (let i = 0; i < need; i++) out[fillAt + i] = padWith[i % padWith.length]!;
  out.set(b, left ? need : 0);
  return out;
}

/** Whether `sub` occurs in `b` at byte `at`. */
function bytesAt(b: Uint8Array, sub: Uint8Array, at: number): boolean {
  if (at < 0 || at + sub.length > b.length) return false;
  for (let i = 0; i < sub.length; i++) if (b[at + i] !== sub[i]) return false;
  return true;
}

function containsBytes(b: Uint8Array, sub: Uint8Array): boolean {
  for (let at = 0; at + sub.length <= b.length; at++) if (bytesAt(b, sub, at)) return true;
  return false;
}

/**
 * Spark's string functions that take BINARY too (lpad, rpad, contains, startswith, endswith): when
 * the first argument is binary, every string parameter is binary and a string result is binary.
 */
function withBinaryForm(def: ScalarFunctionDef): ScalarFunctionDef {
  return {
    ...def,
    resolve(argTypes, ctx) {
      if (argTypes[0]?.kind !== 'binary') return def.resolve(argTypes, ctx);
      const asString = def.resolve(
        argTypes.map((t) => (t.kind === 'binary' ? S : t)),
        ctx,
      );
      const bin = (t: DataType): DataType => (t.kind === 'string' ? T.binary : t);
      return {
        ...asString,
        argTypes: asString.argTypes.map((t, i) => coerce(def.name, i, argTypes[i]!, bin(t))),
        returnType: bin(asString.returnType),
      };
    },
  };
}

/**
 * instr(str, substr, start, occurrence), as Oracle, Impala and Db2 have it: the 1-based character
 * position of the `occurrence`-th match, searching forward from `start`, or backward from the
 * `start`-th character from the end when `start` is negative; 0 when there is none or `start` is 0.
 */
function instrFrom(s: string, sub: string, start: number, occurrence: number): number {
  if (occurrence < 1)
    throw invalidArgument(
      `[INVALID_PARAMETER_VALUE.OCCURRENCE] The value of parameter(s) \`occurrence\` in \`instr\` is invalid: expects a positive occurrence, but got ${occurrence}.`,
    );
  if (start === 0) return 0;
  const cs = chars(s);
  const sc = chars(sub);
  const matchesAt = (i: number): boolean => {
    if (i < 0 || i + sc.length > cs.length) return false;
    for (let k = 0; k < sc.length; k++) if (cs[i + k] !== sc[k]) return false;
    return true;
  };
  let found = 0;
  if (start > 0) {
    for (let i = start - 1; i + sc.length <= cs.length; i++)
      if (matchesAt(i) && ++found === occurrence) return i + 1;
  } else {
    for (let i = cs.length + start; i >= 0; i--) if (matchesAt(i) && ++found === occurrence) return i + 1;
  }
  return 0;
}

function indexOfChars(s: string, sub: string, fromChar: number): number {
  const cs = chars(s);
  const prefix = cs.slice(0, fromChar).join('');
  const at = s.indexOf(sub, prefix.length);
  if (at < 0) return 0;
  return charLength(s.slice(0, at)) + 1;
}

function initcap(s: string): string {
  return s
    .toLowerCase()
    .split(' ')
    .map((w) => (w.length === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join(' ');
}

/** Java regex → JS RegExp (the common subset); invalid patterns raise 2201B. */
export function compileRegex(pattern: string, flags = ''): RegExp {
  try {
    let p = pattern;
    let f = flags;
    if (p.startsWith('(?i)')) {
      p = p.slice(4);
      f += 'i';
    }
    return new RegExp(p, f + 'u');
  } catch {
    throw invalidArgument(
      `[INVALID_PARAMETER_VALUE.PATTERN] The value of parameter(s) \`regexp\` is invalid: '${pattern}'.`,
    );
  }
}

const regexCache = new Map<string, RegExp>();
function cachedRegex(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let r = regexCache.get(key);
  if (r === undefined) {
    r = compileRegex(pattern, flags);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, r);
  }
  return r;
}

function javaReplacement(rep: string): string {
  // Java: $1 and \$ ; JS: $1 and $$
  return rep.replace(/\\\$/g, '$$$$').replace(/\\\\/g, '\\');
}

function formatNumber(x: number | bigint | string, d: number | string): string {
  const num = typeof x === 'string' ? Number(x) : Number(x);
  if (typeof d === 'string') return num.toString();
  if (d < 0) return '';
  return num.toLocaleString('en-US', {
    minimumFractionDigits: d,
    maximumFractionDigits: d,
    useGrouping: true,
  });
}

/** Java-style `format_string` for %s %d %f %.Nf %x %% %n (the common subset). */
export function formatString(
  fmt: string,
  args: readonly Value[],
  argTypes: readonly DataType[],
  ctx: EvalContext,
): string {
  let next = 0;
  return fmt.replace(
    /%(\d+\$)?([-#+ 0,(]*)(\d+)?(\.\d+)?([sSdfeExXbBcn%])/g,
    (
      _m,
      pos: string | undefined,
      flags: string,
      width: string | undefined,
      prec: string | undefined,
      conv: string,
    ) => {
      if (conv === '%') return '%';
      if (conv === 'n') return '\n';
      const idx = pos !== undefined ? Number(pos.slice(0, -1)) - 1 : next++;
      const v = args[idx] ?? null;
      const t = argTypes[idx] ?? T.string;
      let text: string;
      switch (conv) {
        case 'd':
          text = v === null ? 'null' : valueText(v);
          if (flags.includes(',') && v !== null) text = BigInt(text).toLocaleString('en-US');
          break;
        case 'f':
        case 'e':
        case 'E': {
          const num = v === null ? NaN : t.kind === 'decimal' ? Number(valueToString(v, t, ctx)) : Number(v);
          const p = prec === undefined ? 6 : Number(prec.slice(1));
          text =
            v === null ? 'null' : conv === 'f' ? num.toFixed(p) : num.toExponential(p).replace('e', conv);
          if (flags.includes(',') && v !== null && conv === 'f')
            text = num.toLocaleString('en-US', { minimumFractionDigits: p, maximumFractionDigits: p });
          break;
        }
        case 'x':
        case 'X':
          text = v === null ? 'null' : BigInt.asUintN(64, BigInt(v as number | bigint)).toString(16);
          if (conv === 'X') text = text.toUpperCase();
          break;
        case 'b':
        case 'B':
          text = v === null ? 'false' : String(v !== false);
          break;
        case 'c':
          text = v === null ? 'null' : typeof v === 'number' ? String.fromCodePoint(v) : valueText(v);
          break;
        default:
          text = v === null ? 'null' : valueToString(v, t, ctx);
          if (prec !== undefined) text = text.slice(0, Number(prec.slice(1)));
          if (conv === 'S') text = text.toUpperCase();
      }
      if (width !== undefined && text.length < Number(width)) {
        const w = Number(width);
        if (flags.includes('-')) text = text.padEnd(w);
        else if (flags.includes('0') && conv !== 's')
          text = text.startsWith('-') ? '-' + text.slice(1).padStart(w - 1, '0') : text.padStart(w, '0');
        else text = text.padStart(w);
      }
      return text;
    },
  );
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

const concat: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'concat',
  description: 'concat(str1, str2, ...) - Returns the concatenation of the arguments; NULL if any is NULL.',
  resolve(argTypes): ResolvedSignature {
    if (argTypes.some((t) => t.kind === 'array')) return resolveArrayConcat(argTypes);
    const types = argTypes.map((t, i) =>
      t.kind === 'binary' && argTypes.every((x) => x.kind === 'binary') ? t : coerce('concat', i, t, S),
    );
    const bin = argTypes.length > 0 && argTypes.every((x) => x.kind === 'binary');
    return { argTypes: types, returnType: bin ? T.binary : S };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      args.map(() => S),
      numRows,
      returnType,
      ctx,
      (v) =>
        returnType.kind === 'array'
          ? concatArrays(v)
          : returnType.kind === 'binary'
            ? Buffer.concat(v as Uint8Array[])
            : (v as string[]).join(''),
      true,
    );
  },
};

const concatWs: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'concat_ws',
  description: 'concat_ws(sep, str1, ...) - Concatenates the non-NULL strings with the separator.',
  resolve(argTypes): ResolvedSignature {
    checkArity('concat_ws', argTypes, 1, Infinity);
    return {
      argTypes: argTypes.map((t, i) => (t.kind === 'array' ? t : coerce('concat_ws', i, t, S))),
      returnType: S,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      args.map(() => S),
      numRows,
      returnType,
      ctx,
      (v) => {
        if (v[0] === null) return null;
        const parts: string[] = [];
        for (let i = 1; i < v.length; i++) {
          const x = v[i];
          if (x === null || x === undefined) continue;
          if (Array.isArray(x)) {
            for (const y of x as Value[]) if (y !== null) parts.push(valueText(y));
          } else parts.push(x as string);
        }
        return parts.join(v[0] as string);
      },
      false,
    );
  },
};

function hash(alg: string) {
  return (v: Value[]): Value =>
    createHash(alg)
      .update(typeof v[0] === 'string' ? Buffer.from(v[0]) : (v[0] as Uint8Array))
      .digest('hex');
}

function toBytes(v: Value): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : (v as Uint8Array);
}

/** substring with a byte-slicing fast path for ASCII columns and constant position/length. */
const substringBase = simple({
  name: 'substring',
  aliases: ['substr'],
  description:
    'substring(str, pos[, len]) - The substring of `str` that starts at `pos` (1-based) and is of length `len`.',
  args: [
    [S, I],
    [S, I, I],
  ],
  returns: S,
  row: (v) => sparkSubstring(v[0] as string, v[1] as number, v.length > 2 ? (v[2] as number) : undefined),
});

const substringDef: ScalarFunctionDef = {
  ...substringBase,
  evaluate(args, numRows, returnType, ctx) {
    const [str, pos, len] = args;
    const constLen = len === undefined || (len.kind === 'scalar' && len.value !== null);
    if (str!.kind === 'array' && pos!.kind === 'scalar' && pos!.value !== null && constLen) {
      const data = str!.data;
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const base = data.offset;
      const from = offsets[base]!;
      const to = offsets[base + numRows]!;
      let ascii = true;
      for (let k = from; k < to; k++) {
        if (bytes[k]! >= 128) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        const p = pos!.value as number;
        const l = len?.kind === 'scalar' ? (len.value as number) : Number.MAX_SAFE_INTEGER;
        const outOffsets = new Int32Array(numRows + 1);
        const out = new Uint8Array(to - from);
        let w = 0;
        for (let i = 0; i < numRows; i++) {
          const s0 = offsets[base + i]!;
          const n = offsets[base + i + 1]! - s0;
          let start = p > 0 ? p - 1 : p < 0 ? n + p : 0;
          const end = Math.min(start + l, n);
          start = Math.max(start, 0);
          if (start < end) {
            out.set(bytes.subarray(s0 + start, s0 + end), w);
            w += end - start;
          }
          outOffsets[i + 1] = w;
        }
        return {
          kind: 'array',
          data: makeStringColumn(outOffsets, out.slice(0, w), numRows, validityOf(str!)),
        };
      }
    }
    return substringBase.evaluate(args, numRows, returnType, ctx);
  },
};

export const stringFunctions: readonly ScalarFunctionDef[] = [
  concat,
  concatWs,
  substringDef,
  simple({
    name: 'upper',
    aliases: ['ucase'],
    description: 'upper(str) - Upper-cases the string.',
    args: [[S]],
    returns: S,
    row: (v) => (v[0] as string).toUpperCase(),
  }),
  simple({
    name: 'lower',
    aliases: ['lcase'],
    description: 'lower(str) - Lower-cases the string.',
    args: [[S]],
    returns: S,
    row: (v) => (v[0] as string).toLowerCase(),
  }),
  simple({
    name: 'trim',
    description: 'trim(str[, chars]) - Removes leading and trailing spaces (or the given characters).',
    args: [[S], [S, S]],
    returns: S,
    row: (v) =>
      v.length === 1
        ? (v[0] as string).replace(/^ +| +$/g, '')
        : trimChars(v[0] as string, v[1] as string, true, true),
  }),
  simple({
    name: 'btrim',
    description: 'btrim(str[, chars]) - Removes leading and trailing spaces (or the given characters).',
    args: [[S], [S, S]],
    returns: S,
    row: (v) =>
      v.length === 1
        ? (v[0] as string).replace(/^ +| +$/g, '')
        : trimChars(v[0] as string, v[1] as string, true, true),
  }),
  simple({
    name: 'ltrim',
    description: 'ltrim(str[, chars]) - Removes leading spaces (or the given characters).',
    args: [[S], [S, S]],
    returns: S,
    row: (v) =>
      v.length === 1
        ? (v[0] as string).replace(/^ +/, '')
        : trimChars(v[0] as string, v[1] as string, true, false),
  }),
  simple({
    name: 'rtrim',
    description: 'rtrim(str[, chars]) - Removes trailing spaces (or the given characters).',
    args: [[S], [S, S]],
    returns: S,
    row: (v) =>
      v.length === 1
        ? (v[0] as string).replace(/ +$/, '')
        : trimChars(v[0] as string, v[1] as string, false, true),
  }),
  simple({
    name: 'length',
    aliases: ['char_length', 'character_length', 'len'],
    description: 'length(str) - The number of characters of a string or bytes of a binary.',
    args: [[S]],
    returns: I,
    row: (v) => (typeof v[0] === 'string' ? charLength(v[0]) : (v[0] as Uint8Array).length),
  }),
  simple({
    name: 'octet_length',
    description: 'octet_length(str) - The number of bytes.',
    args: [[S]],
    returns: I,
    row: (v) => toBytes(v[0]!).length,
  }),
  simple({
    name: 'bit_length',
    description: 'bit_length(str) - The number of bits.',
    args: [[S]],
    returns: I,
    row: (v) => toBytes(v[0]!).length * 8,
  }),
  simple({
    name: 'replace',
    description: 'replace(str, search[, replace]) - Replaces every occurrence of `search` with `replace`.',
    args: [
      [S, S],
      [S, S, S],
    ],
    returns: S,
    row: (v) =>
      (v[1] as string) === ''
        ? (v[0] as string)
        : (v[0] as string).split(v[1] as string).join(v.length > 2 ? (v[2] as string) : ''),
  }),
  simple({
    name: 'instr',
    description:
      'instr(str, substr[, start[, occurrence]]) - The 1-based position of the first (or `occurrence`-th) match of `substr` from `start` (backward when negative), or 0.',
    args: [
      [S, S],
      [S, S, I],
      [S, S, I, I],
    ],
    returns: I,
    row: (v) =>
      v.length === 2
        ? indexOfChars(v[0] as string, v[1] as string, 0)
        : instrFrom(v[0] as string, v[1] as string, v[2] as number, v.length > 3 ? (v[3] as number) : 1),
  }),
  simple({
    name: 'locate',
    aliases: ['position'],
    description:
      'locate(substr, str[, pos]) - The position of the first occurrence of `substr` in `str` after `pos`.',
    args: [
      [S, S],
      [S, S, I],
    ],
    returns: I,
    row: (v) => {
      const pos = v.length > 2 ? (v[2] as number) : 1;
      if (pos < 1) return 0;
      return indexOfChars(v[1] as string, v[0] as string, pos - 1);
    },
  }),
  ...(['lpad', 'rpad'] as const).map((name) =>
    withBinaryForm(
      simple({
        name,
        description: `${name}(str, len[, pad]) - ${name === 'lpad' ? 'Left' : 'Right'}-pads \`str\` to length \`len\` with \`pad\` (spaces, or zero bytes for a binary).`,
        args: [
          [S, I],
          [S, I, S],
        ],
        returns: S,
        row: (v) =>
          typeof v[0] === 'string'
            ? pad(v[0], v[1] as number, v.length > 2 ? (v[2] as string) : ' ', name === 'lpad')
            : padBytes(
                v[0] as Uint8Array,
                v[1] as number,
                v.length > 2 ? (v[2] as Uint8Array) : new Uint8Array([0]),
                name === 'lpad',
              ),
      }),
    ),
  ),
  simple({
    name: 'split_part',
    description:
      'split_part(str, delim, n) - The n-th part (1-based; negative counts from the end) of `str` split by `delim`.',
    args: [[S, S, I]],
    returns: S,
    row: (v) => {
      const n = v[2] as number;
      if (n === 0)
        throw new EngineError(
          SqlState.numericValueOutOfRange,
          '[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).',
        );
      const parts = (v[1] as string) === '' ? [v[0] as string] : (v[0] as string).split(v[1] as string);
      const i = n > 0 ? n - 1 : parts.length + n;
      return parts[i] ?? '';
    },
  }),
  simple({
    name: 'regexp_replace',
    description: 'regexp_replace(str, regexp, rep[, pos]) - Replaces every match of `regexp` with `rep`.',
    args: [
      [S, S, S],
      [S, S, S, I],
    ],
    returns: S,
    row: (v) => {
      const s = v[0] as string;
      const pos = v.length > 3 ? (v[3] as number) : 1;
      const head = sparkSubstring(s, 1, pos - 1);
      const tail = sparkSubstring(s, pos);
      return head + tail.replace(cachedRegex(v[1] as string, 'g'), javaReplacement(v[2] as string));
    },
  }),
  simple({
    name: 'regexp_extract',
    description:
      'regexp_extract(str, regexp[, idx]) - The `idx`-th group of the first match, or an empty string.',
    args: [
      [S, S],
      [S, S, I],
    ],
    returns: S,
    row: (v) => {
      const m = cachedRegex(v[1] as string).exec(v[0] as string);
      const idx = v.length > 2 ? (v[2] as number) : 1;
      if (m === null) return '';
      if (idx < 0 || idx >= m.length) {
        throw invalidArgument(
          `[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] The value of parameter(s) \`idx\` in \`regexp_extract\` is invalid: Expects group index between 0 and ${m.length - 1}, but got ${idx}.`,
        );
      }
      return m[idx] ?? '';
    },
  }),
  simple({
    name: 'regexp_like',
    aliases: ['rlike', 'regexp'],
    description: 'regexp_like(str, regexp) - True if `str` matches `regexp` anywhere.',
    args: [[S, S]],
    returns: T.boolean,
    row: (v) => cachedRegex(v[1] as string).test(v[0] as string),
  }),
  withBinaryForm(
    simple({
      name: 'starts_with',
      aliases: ['startswith'],
      description: 'starts_with(str, prefix) - True if `str` (a string or binary) starts with `prefix`.',
      args: [[S, S]],
      returns: T.boolean,
      row: (v) =>
        typeof v[0] === 'string'
          ? v[0].startsWith(v[1] as string)
          : bytesAt(v[0] as Uint8Array, v[1] as Uint8Array, 0),
    }),
  ),
  withBinaryForm(
    simple({
      name: 'ends_with',
      aliases: ['endswith'],
      description: 'ends_with(str, suffix) - True if `str` (a string or binary) ends with `suffix`.',
      args: [[S, S]],
      returns: T.boolean,
      row: (v) =>
        typeof v[0] === 'string'
          ? v[0].endsWith(v[1] as string)
          : bytesAt(
              v[0] as Uint8Array,
              v[1] as Uint8Array,
              (v[0] as Uint8Array).length - (v[1] as Uint8Array).length,
            ),
    }),
  ),
  withBinaryForm(
    simple({
      name: 'contains',
      description: 'contains(str, sub) - True if `sub` occurs in `str` (strings or binaries).',
      args: [[S, S]],
      returns: T.boolean,
      row: (v) =>
        typeof v[0] === 'string'
          ? v[0].includes(v[1] as string)
          : containsBytes(v[0] as Uint8Array, v[1] as Uint8Array),
    }),
  ),
  simple({
    name: 'repeat',
    description: 'repeat(str, n) - `str` repeated `n` times.',
    args: [[S, I]],
    returns: S,
    row: (v) => (v[0] as string).repeat(Math.max(0, v[1] as number)),
  }),
  simple({
    name: 'reverse',
    description: 'reverse(str) - The characters of `str` in reverse order.',
    args: [[S]],
    returns: S,
    row: (v) =>
      chars(v[0] as string)
        .reverse()
        .join(''),
  }),
  simple({
    name: 'initcap',
    description: 'initcap(str) - Upper-cases the first letter of each word.',
    args: [[S]],
    returns: S,
    row: (v) => initcap(v[0] as string),
  }),
  simple({
    name: 'ascii',
    description: 'ascii(str) - The code point of the first character, 0 for an empty string.',
    args: [[S]],
    returns: I,
    row: (v) => (v[0] as string).codePointAt(0) ?? 0,
  }),
  simple({
    name: 'chr',
    aliases: ['char'],
    description: 'chr(n) - The character with code point n mod 256; empty for negative n.',
    args: [[T.bigint]],
    returns: S,
    row: (v) => {
      const n = Number(v[0]);
      return n < 0 ? '' : String.fromCharCode(n % 256);
    },
  }),
  simple({
    name: 'left',
    description: 'left(str, n) - The leftmost n characters.',
    args: [[S, I]],
    returns: S,
    row: (v) => ((v[1] as number) <= 0 ? '' : sparkSubstring(v[0] as string, 1, v[1] as number)),
  }),
  simple({
    name: 'right',
    description: 'right(str, n) - The rightmost n characters.',
    args: [[S, I]],
    returns: S,
    row: (v) => ((v[1] as number) <= 0 ? '' : sparkSubstring(v[0] as string, -(v[1] as number))),
  }),
  simple({
    name: 'translate',
    description:
      'translate(str, from, to) - Replaces each character of `from` with the matching character of `to` (deleting those without one).',
    args: [[S, S, S]],
    returns: S,
    row: (v) => {
      const from = chars(v[1] as string);
      const to = chars(v[2] as string);
      const map = new Map<string, string>();
      from.forEach((c, i) => {
        if (!map.has(c)) map.set(c, to[i] ?? '');
      });
      return chars(v[0] as string)
        .map((c) => map.get(c) ?? c)
        .join('');
    },
  }),
  simple({
    name: 'format_number',
    description: 'format_number(x, d) - Formats x like "#,###,###.##" rounded to d decimal places.',
    args: [[T.double, I]],
    returns: S,
    row: (v) => formatNumber(v[0] as number, v[1] as number),
  }),
  {
    kind: 'scalar',
    name: 'format_string',
    aliases: ['printf'],
    description: 'format_string(fmt, args...) - printf-style formatting.',
    resolve(argTypes) {
      checkArity('format_string', argTypes, 1, Infinity);
      return { argTypes: [coerce('format_string', 0, argTypes[0]!, S), ...argTypes.slice(1)], returnType: S };
    },
    evaluate(args, numRows, returnType, ctx) {
      const types = args.map((a) => (a.kind === 'scalar' ? a.type : S));
      return evaluateRows(
        args,
        types,
        numRows,
        returnType,
        ctx,
        (v) =>
          v[0] === null ? null : formatString(v[0] as string, v.slice(1), argTypesOf(args).slice(1), ctx),
        false,
      );
    },
  },
  simple({
    name: 'md5',
    description: 'md5(expr) - The MD5 digest as hex.',
    args: [[T.binary]],
    returns: S,
    row: hash('md5'),
  }),
  simple({
    name: 'sha1',
    aliases: ['sha'],
    description: 'sha1(expr) - The SHA-1 digest as hex.',
    args: [[T.binary]],
    returns: S,
    row: hash('sha1'),
  }),
  simple({
    name: 'sha2',
    description:
      'sha2(expr, bits) - The SHA-2 digest (224, 256, 384, 512; 0 = 256) as hex; NULL for other bit lengths.',
    args: [[T.binary, I]],
    returns: S,
    row: (v) => {
      const bits = v[1] as number;
      const alg =
        bits === 0 || bits === 256
          ? 'sha256'
          : bits === 224
            ? 'sha224'
            : bits === 384
              ? 'sha384'
              : bits === 512
                ? 'sha512'
                : null;
      return alg === null ? null : createHash(alg).update(toBytes(v[0]!)).digest('hex');
    },
  }),
  simple({
    name: 'base64',
    description: 'base64(bin) - Base64 text of the bytes.',
    args: [[T.binary]],
    returns: S,
    row: (v) => Buffer.from(toBytes(v[0]!)).toString('base64'),
  }),
  simple({
    name: 'unbase64',
    description: 'unbase64(str) - The bytes of base64 text.',
    args: [[S]],
    returns: T.binary,
    row: (v) => new Uint8Array(Buffer.from(v[0] as string, 'base64')),
  }),
  {
    kind: 'scalar',
    name: 'hex',
    description: 'hex(expr) - Hexadecimal text of a number, string or binary.',
    resolve(argTypes) {
      checkArity('hex', argTypes, 1, 1);
      const t = argTypes[0]!;
      const at = t.kind === 'binary' || t.kind === 'string' ? t : coerce('hex', 0, t, T.bigint);
      return { argTypes: [at], returnType: S };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [S],
        numRows,
        returnType,
        ctx,
        (v) => {
          const x = v[0]!;
          if (typeof x === 'bigint') return BigInt.asUintN(64, x).toString(16).toUpperCase();
          return hexOf(toBytes(x));
        },
        true,
      );
    },
  },
  simple({
    name: 'unhex',
    description: 'unhex(str) - The bytes of hexadecimal text; NULL when malformed.',
    args: [[S]],
    returns: T.binary,
    row: (v) => {
      let s = v[0] as string;
      if (!/^[0-9a-fA-F]*$/.test(s)) return null;
      if (s.length % 2 === 1) s = '0' + s;
      return new Uint8Array(Buffer.from(s, 'hex'));
    },
  }),
  simple({
    name: 'luhn_check',
    description: 'luhn_check(str) - Whether str is a string of digits that passes the Luhn checksum.',
    args: [[T.string]],
    returns: T.boolean,
    row: (v) => luhnCheck(v[0] as string),
  }),
  simple({
    name: 'quote',
    description: 'quote(str) - str in single quotes, with its quotes and backslashes escaped by a backslash.',
    args: [[T.string]],
    returns: T.string,
    row: (v) => `'${(v[0] as string).replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
  }),
];

function argTypesOf(args: readonly ColumnarValue[]): DataType[] {
  return args.map((a) => (a.kind === 'scalar' ? a.type : fromArrowType(a.data.type)));
}

/** The Luhn (mod 10) check: every second digit from the right doubled; empty text fails. */
function luhnCheck(text: string): boolean {
  if (text.length === 0) return false;
  let sum = 0;
  let double = false;
  for (let i = text.length - 1; i >= 0; i--) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    const x = double ? d * 2 : d;
    sum += x > 9 ? x - 9 : x;
    double = !double;
  }
  return sum % 10 === 0;
}
