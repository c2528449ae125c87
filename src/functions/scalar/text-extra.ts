/**
 * More of Spark 4's string functions: `overlay` (strings and binary), `levenshtein` (with a
 * threshold), `soundex`, `elt`, `find_in_set`, `substring_index`, `mask`, the regexp family
 * `regexp_count`/`regexp_substr`/`regexp_instr`/`regexp_extract_all`, `conv` between bases, and
 * `div` (integral division, the function form of the `DIV` operator). Positions and lengths count
 * characters as in string.ts; binary counts bytes.
 */
import { EngineError, SqlState, T, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue, EvalContext, ScalarFunctionDef } from '../registry.ts';
import { findWiderTypeOfAll } from '../type-coercion.ts';
import { arithmetic, valueText } from '../kernels/index.ts';
import { columnarType } from './binary-format.ts';
import {
  arityError,
  checkArity,
  coerce,
  evaluateRows,
  invalidArgument,
  simple,
  typeMismatch,
} from './define.ts';
import { compileRegex, sparkSubstring } from './string.ts';

const S = T.string;
const I = T.int;

// ---------------------------------------------------------------------------------------------
// overlay

/** Spark's substringSQL on bytes: 1-based `pos` (0 acts as 1, negative counts from the end). */
function bytesSubstring(b: Uint8Array, pos: number, length: number): Uint8Array {
  const n = b.length;
  let start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  const end = Math.min(start + length, n);
  start = Math.max(start, 0);
  return start >= end ? new Uint8Array(0) : b.subarray(start, end);
}

function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** `input` with `len` units from `pos` replaced by `replace` (`len` < 0: the length of `replace`). */
function overlayValue(input: Value, replace: Value, pos: number, len: number): Value {
  if (input instanceof Uint8Array) {
    const r = replace as Uint8Array;
    const length = len >= 0 ? len : r.length;
    const head = bytesSubstring(input, 1, pos - 1);
    const tail = bytesSubstring(input, pos + length, MAX);
    const out = new Uint8Array(head.length + r.length + tail.length);
    out.set(head, 0);
    out.set(r, head.length);
    out.set(tail, head.length + r.length);
    return out;
  }
  const s = input as string;
  const r = replace as string;
  const length = len >= 0 ? len : charCount(r);
  return sparkSubstring(s, 1, pos - 1) + r + sparkSubstring(s, pos + length, MAX);
}

const overlay: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'overlay',
  description:
    'overlay(input PLACING replace FROM pos [FOR len]) - `input` with `len` characters (bytes for binary) from `pos` replaced by `replace`; `len` defaults to the length of `replace`.',
  resolve(argTypes) {
    checkArity('overlay', argTypes, 3, 4);
    const bin = argTypes[0]!.kind === 'binary' && argTypes[1]!.kind === 'binary';
    const t = bin ? T.binary : S;
    const types = [
      bin ? t : coerce('overlay', 0, argTypes[0]!, S),
      bin ? t : coerce('overlay', 1, argTypes[1]!, S),
      coerce('overlay', 2, argTypes[2]!, I),
    ];
    if (argTypes.length === 4) types.push(coerce('overlay', 3, argTypes[3]!, I));
    return { argTypes: types, returnType: t };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [returnType, returnType, I, I],
      numRows,
      returnType,
      ctx,
      (v) => overlayValue(v[0]!, v[1]!, v[2] as number, v.length > 3 ? (v[3] as number) : -1),
      true,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// levenshtein, soundex

/** Edit distance over code points; with `threshold`, -1 as soon as it must exceed it. */
export function levenshtein(a: string, b: string, threshold?: number): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  const bounded = threshold !== undefined;
  if (bounded && Math.abs(x.length - y.length) > threshold) return -1;
  if (x.length === 0 || y.length === 0) {
    const d = x.length + y.length;
    return bounded && d > threshold ? -1 : d;
  }
  let prev = new Int32Array(y.length + 1);
  let cur = new Int32Array(y.length + 1);
  for (let j = 0; j <= y.length; j++) prev[j] = j;
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const xi = x[i - 1]!;
    for (let j = 1; j <= y.length; j++) {
      const sub = prev[j - 1]! + (xi === y[j - 1]! ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      const d = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (bounded && rowMin > threshold) return -1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  const d = prev[y.length]!;
  return bounded && d > threshold ? -1 : d;
}

/** American Soundex codes of A..Z; 7 marks H and W, which do not separate equal codes. */
const SOUNDEX_CODES = '01230127022455012623017202';

/** Soundex of `s`; text that does not start with an ASCII letter is returned as it is. */
export function soundex(s: string): string {
  if (s === '') return '';
  const upper = (c: number): number => (c >= 97 && c <= 122 ? c - 32 : c);
  const first = upper(s.charCodeAt(0));
  if (first < 65 || first > 90) return s;
  const out = [String.fromCharCode(first), '0', '0', '0'];
  let k = 1;
  let last = SOUNDEX_CODES[first - 65]!;
  for (let i = 1; i < s.length && k < 4; i++) {
    const c = upper(s.charCodeAt(i));
    if (c < 65 || c > 90) {
      last = '0';
      continue;
    }
    const code = SOUNDEX_CODES[c - 65]!;
    if (code === '7') continue;
    if (code !== '0' && code !== last) out[k++] = code;
    last = code;
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// elt, find_in_set, substring_index

const elt: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'elt',
  description:
    'elt(n, input1, input2, ...) - The n-th input (1-based); out of range is an error under ANSI, else NULL.',
  resolve(argTypes) {
    checkArity('elt', argTypes, 2, Infinity);
    const inputs = argTypes.slice(1);
    const bin = inputs.every((t) => t.kind === 'binary');
    const t = bin ? T.binary : S;
    return {
      argTypes: [
        coerce('elt', 0, argTypes[0]!, I),
        ...inputs.map((x, i) => (bin ? x : coerce('elt', i + 1, x, S))),
      ],
      returnType: t,
      nullable: true,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    const n = args.length - 1;
    return evaluateRows(
      args,
      args.map((_, i) => (i === 0 ? I : returnType)),
      numRows,
      returnType,
      ctx,
      (v) => {
        if (v[0] === null) return null;
        const k = v[0] as number;
        if (k < 1 || k > n) {
          if (!ctx.ansi) return null;
          throw new EngineError(
            SqlState.numericValueOutOfRange,
            `[INVALID_ARRAY_INDEX] The index ${k} is out of bounds. The array has ${n} elements. Use the SQL function \`get()\` to tolerate accessing element at invalid index and return NULL instead.`,
          );
        }
        return v[k]!;
      },
      false,
    );
  },
};

/** The 1-based position of `s` in the comma-separated `list`; 0 when absent or `s` has a comma. */
function findInSet(s: string, list: string): number {
  if (s.includes(',')) return 0;
  let k = 1;
  let from = 0;
  for (;;) {
    const comma = list.indexOf(',', from);
    const end = comma < 0 ? list.length : comma;
    if (end - from === s.length && list.startsWith(s, from)) return k;
    if (comma < 0) return 0;
    from = comma + 1;
    k++;
  }
}

/**
 * Text before the `count`-th `delim` (after the `-count`-th from the right when negative), as
 * Spark finds them: each search starts one character after the previous match, so matches may
 * overlap. The whole text when there are fewer matches.
 */
function substringIndex(s: string, delim: string, count: number): string {
  if (delim === '' || count === 0) return '';
  if (count > 0) {
    let at = -1;
    for (let k = 0; k < count; k++) {
      at = s.indexOf(delim, at + 1);
      if (at < 0) return s;
    }
    return s.slice(0, at);
  }
  let at = s.length - delim.length + 1;
  for (let k = 0; k < -count; k++) {
    if (at - 1 < 0) return s;
    at = s.lastIndexOf(delim, at - 1);
    if (at < 0) return s;
  }
  return s.slice(at + delim.length);
}

// ---------------------------------------------------------------------------------------------
// mask

const MASK_PARAMS = ['upperChar', 'lowerChar', 'digitChar', 'otherChar'];
const UPPER_RE = /\p{Lu}/u;
const LOWER_RE = /\p{Ll}/u;
const DIGIT_RE = /\p{Nd}/u;

const mask: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'mask',
  description:
    "mask(input[, upperChar, lowerChar, digitChar, otherChar]) - `input` with upper-case letters replaced by 'X', lower-case by 'x', digits by 'n' (others kept); a NULL replacement keeps that class.",
  resolve(argTypes, ctx) {
    checkArity('mask', argTypes, 1, 5);
    const types = argTypes.map((t, i) => coerce('mask', i, t, S));
    for (let i = 1; i < argTypes.length; i++) {
      const v = ctx.literalArgs[i];
      const param = MASK_PARAMS[i - 1]!;
      if (v === undefined) {
        throw new EngineError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "mask" due to data type mismatch: the input \`${param}\` should be a foldable "STRING" expression; however, got a non-constant expression.`,
        );
      }
      if (v !== null && charCount(typeof v === 'string' ? v : valueText(v)) !== 1) {
        throw new EngineError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.INPUT_SIZE_NOT_ONE] Cannot resolve "mask" due to data type mismatch: Length of \`${param}\` should be 1.`,
        );
      }
    }
    return { argTypes: types, returnType: S };
  },
  evaluate(args, numRows, returnType, ctx) {
    const defaults: (string | null)[] = ['X', 'x', 'n', null];
    const repl = defaults.map((d, i) => {
      const a = args[i + 1];
      return a === undefined ? d : ((a as { value: Value }).value as string | null);
    });
    const [up, low, dig, other] = repl;
    return evaluateRows(
      args.slice(0, 1),
      [S],
      numRows,
      returnType,
      ctx,
      (v) => {
        let out = '';
        for (const c of v[0] as string) {
          const code = c.codePointAt(0)!;
          const ascii = code < 128;
          const r = (ascii ? code >= 65 && code <= 90 : UPPER_RE.test(c))
            ? up
            : (ascii ? code >= 97 && code <= 122 : LOWER_RE.test(c))
              ? low
              : (ascii ? code >= 48 && code <= 57 : DIGIT_RE.test(c))
                ? dig
                : other;
          out += r ?? c;
        }
        return out;
      },
      true,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// regexp_count, regexp_substr, regexp_instr, regexp_extract_all

interface CompiledRegex {
  readonly re: RegExp;
  readonly groups: number;
}

const globalRegexCache = new Map<string, CompiledRegex>();

/**
 * A cached global regex (`d` for match indices) with its number of groups, reset to search from
 * the start; invalid patterns raise 2201B via compileRegex.
 */
function globalRegex(pattern: string): CompiledRegex {
  let r = globalRegexCache.get(pattern);
  if (r === undefined) {
    const re = compileRegex(pattern, 'gd');
    // an empty alternative makes any text match, which shows every group of the pattern
    const groups = new RegExp(`${re.source}|`, 'u').exec('')!.length - 1;
    r = { re, groups };
    if (globalRegexCache.size > 1000) globalRegexCache.clear();
    globalRegexCache.set(pattern, r);
  }
  r.re.lastIndex = 0;
  return r;
}

function groupIndexError(fn: string, groups: number, idx: number): EngineError {
  return invalidArgument(
    `[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] The value of parameter(s) \`idx\` in \`${fn}\` is invalid: Expects group index between 0 and ${groups}, but got ${idx}.`,
  );
}

const regexpFunctions: ScalarFunctionDef[] = [
  simple({
    name: 'regexp_count',
    description: 'regexp_count(str, regexp) - How many times `regexp` matches in `str`.',
    args: [[S, S]],
    returns: I,
    row: (v) => {
      let n = 0;
      for (const _ of (v[0] as string).matchAll(globalRegex(v[1] as string).re)) n++;
      return n;
    },
  }),
  simple({
    name: 'regexp_substr',
    description: 'regexp_substr(str, regexp) - The first substring of `str` that matches `regexp`, or NULL.',
    args: [[S, S]],
    returns: S,
    nullable: true,
    row: (v) => {
      const m = globalRegex(v[1] as string).re.exec(v[0] as string);
      return m === null ? null : m[0];
    },
  }),
  simple({
    name: 'regexp_instr',
    description:
      'regexp_instr(str, regexp[, idx]) - The 1-based position where the first match of `regexp` (or its group `idx`) starts, 0 when none.',
    args: [
      [S, S],
      [S, S, I],
    ],
    returns: I,
    row: (v) => {
      const { re, groups } = globalRegex(v[1] as string);
      const idx = v.length > 2 ? (v[2] as number) : 0;
      if (idx < 0 || idx > groups) throw groupIndexError('regexp_instr', groups, idx);
      const m = re.exec(v[0] as string);
      if (m === null) return 0;
      const at = m.indices?.[idx];
      return at === undefined ? 0 : at[0] + 1;
    },
  }),
  simple({
    name: 'regexp_extract_all',
    description:
      'regexp_extract_all(str, regexp[, idx]) - Group `idx` (default 1) of every match of `regexp` in `str`.',
    args: [
      [S, S],
      [S, S, I],
    ],
    returns: T.array(S),
    row: (v) => {
      const { re, groups } = globalRegex(v[1] as string);
      const idx = v.length > 2 ? (v[2] as number) : 1;
      if (idx < 0 || idx > groups) throw groupIndexError('regexp_extract_all', groups, idx);
      const out: string[] = [];
      for (const m of (v[0] as string).matchAll(re)) out.push(m[idx] ?? '');
      return out;
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// conv

const U64 = (1n << 64n) - 1n;

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  if (c >= 97 && c <= 122) return c - 87;
  return -1;
}

/**
 * Spark's conv: the digits of `num` in `from` (up to the first that is not one) read as an
 * unsigned 64-bit number, written in base |to| (signed when `to` is negative). NULL for bases
 * outside 2..36 or empty text; overflow is an error under ANSI, else all ones.
 */
export function conv(num: string, from: number, to: number, ansi: boolean): string | null {
  const absTo = Math.abs(to);
  if (from < 2 || from > 36 || absTo < 2 || absTo > 36 || num.length === 0) return null;
  let negative = num.charCodeAt(0) === 45;
  const radix = BigInt(from);
  let v = 0n;
  for (let i = negative ? 1 : 0; i < num.length; i++) {
    const d = digitValue(num.charCodeAt(i));
    if (d < 0 || d >= from) break;
    v = v * radix + BigInt(d);
    if (v > U64) {
      if (ansi) {
        throw new EngineError(
          SqlState.numericValueOutOfRange,
          '[ARITHMETIC_OVERFLOW] Overflow in function conv().',
          { hint: 'If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.' },
        );
      }
      v = U64;
      break;
    }
  }
  const signed = BigInt.asIntN(64, v);
  if (negative && to > 0) v = signed < 0n ? U64 : BigInt.asUintN(64, -signed);
  if (to < 0 && BigInt.asIntN(64, v) < 0n) {
    v = BigInt.asUintN(64, -BigInt.asIntN(64, v));
    negative = true;
  }
  const text = v.toString(absTo).toUpperCase();
  return negative && to < 0 ? `-${text}` : text;
}

const convDef = simple({
  name: 'conv',
  description: 'conv(num, from_base, to_base) - `num` converted from base `from_base` to base `to_base`.',
  args: [[S, I, I]],
  returns: S,
  nullable: true,
  row: (v, ctx) => conv(v[0] as string, v[1] as number, v[2] as number, ctx.ansi),
});

// ---------------------------------------------------------------------------------------------
// div

function isIntegral(t: DataType): boolean {
  return (
    t.kind === 'tinyint' ||
    t.kind === 'smallint' ||
    t.kind === 'int' ||
    t.kind === 'bigint' ||
    t.kind === 'null'
  );
}

const div: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'div',
  description: 'div(a, b) - `a` divided by `b`, truncated to an integer (as `a DIV b`).',
  resolve(argTypes) {
    if (argTypes.length !== 2) throw arityError('div', '2', argTypes.length);
    const [a, b] = argTypes as [DataType, DataType];
    if (isIntegral(a) && isIntegral(b)) return { argTypes: [T.bigint, T.bigint], returnType: T.bigint };
    const exact = (t: DataType): boolean => isIntegral(t) || t.kind === 'decimal';
    if (exact(a) && exact(b)) {
      const w = findWiderTypeOfAll([a, b]);
      const dec = (t: DataType): DataType => (t.kind === 'decimal' ? t : (w ?? t));
      return { argTypes: [dec(a), dec(b)], returnType: T.bigint };
    }
    throw typeMismatch('div', exact(a) ? 1 : 0, '("BIGINT" or "DECIMAL")', exact(a) ? b : a);
  },
  evaluate(args: readonly ColumnarValue[], numRows: number, returnType: DataType, ctx: EvalContext) {
    const lt = columnarType(args[0]!, T.bigint);
    const rt = columnarType(args[1]!, T.bigint);
    return arithmetic('div', args[0]!, args[1]!, lt, rt, returnType, numRows, ctx.ansi ? 'error' : 'wrap');
  },
};

export const textExtraFunctions: readonly ScalarFunctionDef[] = [
  overlay,
  simple({
    name: 'levenshtein',
    description:
      'levenshtein(str1, str2[, threshold]) - The Levenshtein distance between the strings; -1 when it exceeds `threshold`.',
    args: [
      [S, S],
      [S, S, I],
    ],
    returns: I,
    row: (v) => levenshtein(v[0] as string, v[1] as string, v.length > 2 ? (v[2] as number) : undefined),
  }),
  simple({
    name: 'soundex',
    description: 'soundex(str) - The Soundex code of the string.',
    args: [[S]],
    returns: S,
    row: (v) => soundex(v[0] as string),
  }),
  elt,
  simple({
    name: 'find_in_set',
    description:
      'find_in_set(str, str_array) - The 1-based position of `str` in the comma-separated `str_array`, 0 when absent.',
    args: [[S, S]],
    returns: I,
    row: (v) => findInSet(v[0] as string, v[1] as string),
  }),
  simple({
    name: 'substring_index',
    description:
      'substring_index(str, delim, count) - The text before the `count`-th `delim` (after it, from the right, when `count` is negative).',
    args: [[S, S, I]],
    returns: S,
    row: (v) => substringIndex(v[0] as string, v[1] as string, v[2] as number),
  }),
  mask,
  ...regexpFunctions,
  convDef,
  div,
];
