/**
 * Conversions between strings and binary with Spark 4 semantics: `to_binary`/`try_to_binary`
 * (formats hex, utf-8, base64), `encode`/`decode` in the charsets Spark accepts (and the
 * Oracle-style `decode(expr, search, result, …[, default])`), the UTF-8 validity functions and
 * `crc32`. Validity and checksums run over the columns' UTF-8/binary bytes directly.
 */
import {
  EngineError,
  SqlState,
  T,
  fromArrowType,
  makeColumn,
  makeStringColumn,
  utf8,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, ResolveContext, ScalarFunctionDef } from '../registry.ts';
import { findWiderTypeOfAll } from '../type-coercion.ts';
import { compareValues, validityOf } from '../kernels/index.ts';
import {
  checkArity,
  coerce,
  commonTypeKeepingNull,
  evaluateRows,
  invalidArgument,
  simple,
  typeMismatch,
} from './define.ts';

const S = T.string;
const B = T.binary;

/** Spark's INVALID_UTF8_STRING class. */
const INVALID_UTF8_SQLSTATE = '22029';

/** The type of an evaluated argument: a scalar's own, or the column's. */
export function columnarType(v: ColumnarValue, fallback: DataType): DataType {
  if (v.kind === 'scalar') return v.type;
  try {
    return fromArrowType(v.data.type);
  } catch {
    return fallback;
  }
}

/** 42K09 for a parameter Spark requires to be a constant. */
export function nonFoldable(name: string, param: string, t: DataType): EngineError {
  return new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "${name}" due to data type mismatch: the input \`${param}\` should be a foldable "${t.kind.toUpperCase()}" expression; however, got a non-constant expression.`,
  );
}

/** The literal value of argument `i`, or a NON_FOLDABLE_INPUT error when it is not a literal. */
export function literalArg(name: string, param: string, ctx: ResolveContext, i: number, t: DataType): Value {
  const v = ctx.literalArgs[i];
  if (v === undefined) throw nonFoldable(name, param, t);
  return v;
}

// ---------------------------------------------------------------------------------------------
// hex and base64 text

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Spark's unhex: an odd-length text reads its first digit alone; undefined when malformed. */
export function parseHex(s: string): Uint8Array | undefined {
  const odd = s.length & 1;
  const out = new Uint8Array((s.length + odd) >> 1);
  let j = 0;
  let i = 0;
  if (odd === 1) {
    const x = hexNibble(s.charCodeAt(0));
    if (x < 0) return undefined;
    out[j++] = x;
    i = 1;
  }
  for (; i < s.length; i += 2) {
    const hi = hexNibble(s.charCodeAt(i));
    const lo = hexNibble(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[j++] = (hi << 4) | lo;
  }
  return out;
}

function isBase64Symbol(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/**
 * Whether text is base64 as RFC 4648 has it, spaces ignored: groups of four symbols, the last
 * of two to four symbols, padded with '=' to four or not padded at all.
 */
export function isValidBase64(s: string): boolean {
  let symbols = 0;
  let pads = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) continue;
    if (c === 61) {
      pads++;
      continue;
    }
    if (pads > 0 || !isBase64Symbol(c)) return false;
    symbols++;
  }
  const rest = symbols % 4;
  if (rest === 1) return false;
  if (pads === 0) return true;
  return rest !== 0 && rest + pads === 4;
}

function malformedBinary(text: string, format: string, suggestion: string): EngineError {
  return new EngineError(
    SqlState.invalidCharacterValueForCast,
    `[CONVERSION_INVALID_INPUT] The value '${text}' ('${format}') cannot be converted to "BINARY" because it is malformed. Correct the value as per the syntax, or change its format. Use \`${suggestion}\` to tolerate malformed input and return NULL instead.`,
  );
}

const BINARY_FORMATS = ['base64', 'hex', 'utf-8', 'utf8'];

/** The lower-cased binary format, or INVALID_PARAMETER_VALUE.BINARY_FORMAT (22023). */
export function binaryFormat(name: string, format: string): string {
  const f = format.toLowerCase();
  if (BINARY_FORMATS.includes(f)) return f === 'utf8' ? 'utf-8' : f;
  throw invalidArgument(
    `[INVALID_PARAMETER_VALUE.BINARY_FORMAT] The value of parameter(s) \`format\` in \`${name}\` is invalid: expects one of binary formats 'base64', 'hex', 'utf-8', but got '${f}'.`,
  );
}

/** Text → bytes in a binary format; undefined when malformed. */
function textToBinary(s: string, format: string): Uint8Array | undefined {
  switch (format) {
    case 'hex':
      return parseHex(s);
    case 'base64':
      return isValidBase64(s) ? new Uint8Array(Buffer.from(s.replaceAll(' ', ''), 'base64')) : undefined;
    default:
      return utf8.encoder.encode(s);
  }
}

/** Bytes → text in a binary format (what `to_char(binary, fmt)` gives). */
export function binaryToText(b: Uint8Array, format: string): string {
  switch (format) {
    case 'hex':
      return Buffer.from(b).toString('hex').toUpperCase();
    case 'base64':
      return Buffer.from(b).toString('base64');
    default:
      return decodeCharset(b, 'UTF-8', 'to_char');
  }
}

function toBinaryDef(name: string, tolerant: boolean): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(str[, fmt]) - The bytes of \`str\` read in format \`fmt\` ('hex' by default, 'utf-8', 'base64')${tolerant ? '; NULL when malformed' : ''}.`,
    resolve(argTypes, ctx) {
      checkArity(name, argTypes, 1, 2);
      const types = [coerce(name, 0, argTypes[0]!, S)];
      if (argTypes.length === 2) {
        types.push(coerce(name, 1, argTypes[1]!, S));
        const f = literalArg(name, 'format', ctx, 1, S);
        if (f !== null) binaryFormat(name, f as string);
      }
      return tolerant
        ? { argTypes: types, returnType: B, nullable: true }
        : { argTypes: types, returnType: B };
    },
    evaluate(args, numRows, returnType, ctx) {
      const f = args.length > 1 ? (args[1] as { value: Value }).value : 'hex';
      const format = f === null ? null : binaryFormat(name, f as string);
      return evaluateRows(
        args.slice(0, 1),
        [S],
        numRows,
        returnType,
        ctx,
        (v) => {
          if (format === null) return null;
          const s = v[0] as string;
          const r = textToBinary(s, format);
          if (r !== undefined) return r;
          if (tolerant) return null;
          throw malformedBinary(s, format.toUpperCase(), 'try_to_binary');
        },
        true,
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// charsets

const CHARSETS = ['US-ASCII', 'ISO-8859-1', 'UTF-8', 'UTF-16BE', 'UTF-16LE', 'UTF-16', 'UTF-32'];

function charsetOf(name: string, text: string): string {
  const c = text.toUpperCase();
  if (CHARSETS.includes(c)) return c;
  throw invalidArgument(
    `[INVALID_PARAMETER_VALUE.CHARSET] The value of parameter(s) \`charset\` in \`${name}\` is invalid: expects one of the charsets ${CHARSETS.map((x) => `'${x}'`).join(', ')}, but got ${text}.`,
  );
}

function malformedCoding(fn: string, charset: string): EngineError {
  return new EngineError(
    SqlState.dataException,
    `[MALFORMED_CHARACTER_CODING] Invalid value found when performing \`${fn}\` with \`${charset}\``,
  );
}

/** A string's bytes in `charset`; a character the charset lacks is MALFORMED_CHARACTER_CODING. */
export function encodeCharset(s: string, charset: string, fn: string): Uint8Array {
  switch (charset) {
    case 'UTF-8':
      return utf8.encoder.encode(s);
    case 'US-ASCII':
    case 'ISO-8859-1': {
      const max = charset === 'US-ASCII' ? 0x7f : 0xff;
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > max) throw malformedCoding(fn, charset);
        out[i] = c;
      }
      return out;
    }
    case 'UTF-16BE':
    case 'UTF-16LE':
    case 'UTF-16': {
      const bom = charset === 'UTF-16' ? 2 : 0;
      const le = charset === 'UTF-16LE';
      const out = new Uint8Array(bom + s.length * 2);
      if (bom === 2) {
        out[0] = 0xfe;
        out[1] = 0xff;
      }
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        const o = bom + i * 2;
        out[o + (le ? 1 : 0)] = c >> 8;
        out[o + (le ? 0 : 1)] = c & 0xff;
      }
      return out;
    }
    default: {
      const cps = Array.from(s, (ch) => ch.codePointAt(0)!);
      const out = new Uint8Array(cps.length * 4);
      const view = new DataView(out.buffer);
      cps.forEach((cp, i) => view.setUint32(i * 4, cp));
      return out;
    }
  }
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const fatalUtf16be = new TextDecoder('utf-16be', { fatal: true });
const fatalUtf16le = new TextDecoder('utf-16le', { fatal: true });

/** Bytes in `charset` as a string; bytes that are not text in it are MALFORMED_CHARACTER_CODING. */
export function decodeCharset(b: Uint8Array, charset: string, fn: string): string {
  try {
    switch (charset) {
      case 'UTF-8':
        return fatalUtf8.decode(b);
      case 'US-ASCII':
        for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) throw malformedCoding(fn, charset);
        return Buffer.from(b).toString('latin1');
      case 'ISO-8859-1':
        return Buffer.from(b).toString('latin1');
      case 'UTF-16BE':
        return fatalUtf16be.decode(b);
      case 'UTF-16LE':
        return fatalUtf16le.decode(b);
      case 'UTF-16':
        if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return fatalUtf16le.decode(b.subarray(2));
        if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return fatalUtf16be.decode(b.subarray(2));
        return fatalUtf16be.decode(b);
      default: {
        if (b.length % 4 !== 0) throw malformedCoding(fn, charset);
        const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
        let out = '';
        for (let i = 0; i < b.length; i += 4) {
          const cp = view.getUint32(i);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw malformedCoding(fn, charset);
          out += String.fromCodePoint(cp);
        }
        return out;
      }
    }
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw malformedCoding(fn, charset);
  }
}

const encode = simple({
  name: 'encode',
  description:
    "encode(str, charset) - The bytes of `str` in `charset` ('US-ASCII', 'ISO-8859-1', 'UTF-8', 'UTF-16BE', 'UTF-16LE', 'UTF-16', 'UTF-32').",
  args: [[S, S]],
  returns: B,
  row: (v) => encodeCharset(v[0] as string, charsetOf('encode', v[1] as string), 'encode'),
});

/**
 * `decode(bin, charset)`, or with three or more arguments Oracle's
 * `decode(expr, search1, result1, …[, default])`: the result of the first search equal to `expr`
 * (NULL matching NULL), else the default (NULL when there is none).
 */
const decode: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'decode',
  description:
    'decode(bin, charset) - The text of `bin` in `charset`. decode(expr, search, result [, search, result]… [, default]) - The result of the first search equal to `expr`, else the default.',
  resolve(argTypes) {
    checkArity('decode', argTypes, 2, Infinity);
    if (argTypes.length === 2) {
      return {
        argTypes: [coerce('decode', 0, argTypes[0]!, B), coerce('decode', 1, argTypes[1]!, S)],
        returnType: S,
      };
    }
    const n = argTypes.length;
    const keys = [0];
    const results: number[] = [];
    for (let i = 1; i + 1 < n; i += 2) {
      keys.push(i);
      results.push(i + 1);
    }
    if ((n - 1) % 2 === 1) results.push(n - 1);
    const keyType = findWiderTypeOfAll(keys.map((i) => argTypes[i]!));
    if (keyType === undefined) {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve "decode" due to data type mismatch: Input to \`decode\` should all be the same type, but it's [${keys.map((i) => argTypes[i]!.kind.toUpperCase()).join(', ')}].`,
      );
    }
    const resultType = commonTypeKeepingNull(
      'decode',
      results.map((i) => argTypes[i]!),
    );
    const types = argTypes.map((_, i) => (keys.includes(i) ? keyType : resultType));
    return { argTypes: types, returnType: resultType, nullable: true };
  },
  evaluate(args, numRows, returnType, ctx) {
    if (args.length === 2) {
      return evaluateRows(
        args,
        [B, S],
        numRows,
        returnType,
        ctx,
        (v) => decodeCharset(v[0] as Uint8Array, charsetOf('decode', v[1] as string), 'decode'),
        true,
      );
    }
    const keyType = columnarType(args[0]!, S);
    const pairs = Math.floor((args.length - 1) / 2);
    const hasDefault = (args.length - 1) % 2 === 1;
    return evaluateRows(
      args,
      args.map((_, i) => (i === 0 || (i % 2 === 1 && i < pairs * 2) ? keyType : returnType)),
      numRows,
      returnType,
      ctx,
      (v) => {
        const x = v[0]!;
        for (let p = 0; p < pairs; p++) {
          const s = v[1 + p * 2]!;
          const same = x === null || s === null ? x === s : compareValues(x, s, keyType) === 0;
          if (same) return v[2 + p * 2]!;
        }
        return hasDefault ? v[args.length - 1]! : null;
      },
      false,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// UTF-8 validity, over the bytes of string or binary columns

/** The length of the valid UTF-8 sequence at `i`, or 0 when the bytes there are not one. */
function utf8SequenceAt(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let need: number;
  let min: number;
  let max = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    min = c === 0xe0 ? 0xa0 : 0x80;
    if (c === 0xed) max = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    min = c === 0xf0 ? 0x90 : 0x80;
    if (c === 0xf4) max = 0x8f;
  } else return 0;
  if (i + need >= end) return 0;
  const second = b[i + 1]!;
  if (second < min || second > max) return 0;
  for (let k = 2; k <= need; k++) {
    const x = b[i + k]!;
    if (x < 0x80 || x > 0xbf) return 0;
  }
  return need + 1;
}

function validUtf8(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = utf8SequenceAt(b, i, end);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** Calls `f` with the bytes of each non-NULL row (one call for a scalar). */
function bytesOf(v: ColumnarValue): { bytes: Uint8Array; offsets: Int32Array; base: number } | null {
  if (v.kind === 'scalar') {
    if (v.value === null) return null;
    const b = typeof v.value === 'string' ? utf8.encoder.encode(v.value) : (v.value as Uint8Array);
    return { bytes: b, offsets: Int32Array.of(0, b.length), base: 0 };
  }
  return {
    bytes: v.data.values as Uint8Array,
    offsets: v.data.valueOffsets as Int32Array,
    base: v.data.offset,
  };
}

/** A per-row kernel over bytes giving a fixed-width result (boolean bytes, or bigint). */
function bytesKernel(
  arg: ColumnarValue,
  numRows: number,
  returnType: DataType,
  f: (b: Uint8Array, start: number, end: number) => number | bigint,
): ColumnarValue {
  const src = bytesOf(arg);
  if (arg.kind === 'scalar') {
    if (src === null) return { kind: 'scalar', value: null, type: returnType };
    const r = f(src.bytes, 0, src.bytes.length);
    return { kind: 'scalar', value: returnType.kind === 'boolean' ? r === 1 : r, type: returnType };
  }
  const { bytes, offsets, base } = src!;
  const valid = validityOf(arg);
  if (returnType.kind === 'boolean') {
    const out = new Uint8Array(numRows);
    for (let i = 0; i < numRows; i++) {
      if (valid !== null && valid[i] === 0) continue;
      out[i] = f(bytes, offsets[base + i]!, offsets[base + i + 1]!) as number;
    }
    return { kind: 'array', data: makeColumn(returnType, out, numRows, valid) };
  }
  const out = new BigInt64Array(numRows);
  for (let i = 0; i < numRows; i++) {
    if (valid !== null && valid[i] === 0) continue;
    out[i] = f(bytes, offsets[base + i]!, offsets[base + i + 1]!) as bigint;
  }
  return { kind: 'array', data: makeColumn(returnType, out, numRows, valid) };
}

/** Replaces each maximal invalid subsequence with U+FFFD (as Spark's makeValid does). */
function makeValid(b: Uint8Array, start: number, end: number): Uint8Array {
  return utf8.encoder.encode(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8'));
}

function invalidUtf8(b: Uint8Array, start: number, end: number): EngineError {
  let hex = '';
  for (let i = start; i < end; i++) hex += '\\x' + b[i]!.toString(16).toUpperCase().padStart(2, '0');
  return new EngineError(
    INVALID_UTF8_SQLSTATE,
    `[INVALID_UTF8_STRING] Invalid UTF8 byte sequence found in string: ${hex}.`,
  );
}

/** A string-or-binary argument: binary stays binary, anything else is read as a string. */
function textOrBinary(name: string, argTypes: readonly DataType[]): DataType[] {
  checkArity(name, argTypes, 1, 1);
  const t = argTypes[0]!;
  return [t.kind === 'binary' ? t : coerce(name, 0, t, S)];
}

const isValidUtf8: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'is_valid_utf8',
  description: 'is_valid_utf8(str) - Whether `str` is a valid UTF-8 byte sequence.',
  resolve: (argTypes) => ({ argTypes: textOrBinary('is_valid_utf8', argTypes), returnType: T.boolean }),
  evaluate: (args, numRows, returnType) =>
    bytesKernel(args[0]!, numRows, returnType, (b, s, e) => (validUtf8(b, s, e) ? 1 : 0)),
};

/** Rebuilds a string column row by row from byte ranges, copying rows that are already valid. */
function utf8Rows(
  arg: ColumnarValue,
  numRows: number,
  onInvalid: (b: Uint8Array, start: number, end: number) => Uint8Array | null,
): ColumnarValue {
  const src = bytesOf(arg);
  if (arg.kind === 'scalar') {
    if (src === null) return { kind: 'scalar', value: null, type: S };
    const { bytes } = src;
    const r = validUtf8(bytes, 0, bytes.length) ? bytes : onInvalid(bytes, 0, bytes.length);
    return { kind: 'scalar', value: r === null ? null : utf8.decoder.decode(r), type: S };
  }
  const { bytes, offsets, base } = src!;
  const valid0 = validityOf(arg);
  let valid: Uint8Array | null = valid0 === null ? null : valid0.slice();
  const outOffsets = new Int32Array(numRows + 1);
  const parts: Uint8Array[] = [];
  let w = 0;
  for (let i = 0; i < numRows; i++) {
    if (valid === null || valid[i] === 1) {
      const s = offsets[base + i]!;
      const e = offsets[base + i + 1]!;
      const piece = validUtf8(bytes, s, e) ? bytes.subarray(s, e) : onInvalid(bytes, s, e);
      if (piece === null) {
        valid ??= new Uint8Array(numRows).fill(1);
        valid[i] = 0;
      } else {
        parts.push(piece);
        w += piece.length;
      }
    }
    outOffsets[i + 1] = w;
  }
  const out = new Uint8Array(w);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { kind: 'array', data: makeStringColumn(outOffsets, out, numRows, valid) };
}

function utf8Fixer(
  name: string,
  description: string,
  onInvalid: (b: Uint8Array, start: number, end: number) => Uint8Array | null,
  nullable: boolean,
): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description,
    resolve: (argTypes) =>
      nullable
        ? { argTypes: textOrBinary(name, argTypes), returnType: S, nullable: true }
        : { argTypes: textOrBinary(name, argTypes), returnType: S },
    evaluate: (args, numRows) => utf8Rows(args[0]!, numRows, onInvalid),
  };
}

// ---------------------------------------------------------------------------------------------
// crc32

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as java.util.zip.CRC32) of bytes [start, end). */
export function crc32Of(b: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const crc32: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'crc32',
  description: 'crc32(expr) - The cyclic redundancy check value of `expr` as a bigint.',
  resolve(argTypes) {
    checkArity('crc32', argTypes, 1, 1);
    const t = argTypes[0]!;
    if (t.kind !== 'binary' && t.kind !== 'string' && t.kind !== 'null')
      throw typeMismatch('crc32', 0, '"BINARY"', t);
    return { argTypes: [B], returnType: T.bigint };
  },
  evaluate: (args, numRows, returnType) =>
    bytesKernel(args[0]!, numRows, returnType, (b, s, e) => BigInt(crc32Of(b, s, e))),
};

export const binaryFormatFunctions: readonly ScalarFunctionDef[] = [
  toBinaryDef('to_binary', false),
  toBinaryDef('try_to_binary', true),
  encode,
  decode,
  isValidUtf8,
  utf8Fixer(
    'make_valid_utf8',
    'make_valid_utf8(str) - `str` with each invalid UTF-8 byte sequence replaced by U+FFFD.',
    makeValid,
    false,
  ),
  utf8Fixer(
    'validate_utf8',
    'validate_utf8(str) - `str` if it is valid UTF-8, else an INVALID_UTF8_STRING error.',
    (b, s, e) => {
      throw invalidUtf8(b, s, e);
    },
    false,
  ),
  utf8Fixer(
    'try_validate_utf8',
    'try_validate_utf8(str) - `str` if it is valid UTF-8, else NULL.',
    () => null,
    true,
  ),
  crc32,
];
