/**
 * Miscellaneous functions: typeof, version, session information, uuid, Spark-compatible Murmur3
 * `hash`, `canonical_key`, and the try_ arithmetic functions (NULL instead of overflow /
 * division-by-zero errors).
 */
import { randomUUID } from 'node:crypto';
import {
  EngineError,
  MAX_DECIMAL64_PRECISION,
  SqlState,
  T,
  makeColumn,
  fromArrowType,
  typeToString,
  utf8,
  type CalendarInterval,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, ScalarFunctionDef } from '../registry.ts';
import { decimalArithmeticType, findWiderType } from '../type-coercion.ts';
import { arithmetic } from '../kernels/arithmetic.ts';
import { castColumnar } from '../kernels/cast.ts';
import { toArray } from '../kernels/common.ts';
import { xxhash64Column } from '../kernels/xxhash64.ts';
import { checkArity, evaluateRows, isNumericType, simple, typeMismatch } from './define.ts';

export const KINDLING_VERSION = '4.0.0 kindling-0.1.0';

function mixK1(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixH1(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function murmurInt(i: number, seed: number): number {
  return fmix(mixH1(seed, mixK1(i | 0)), 4);
}

export function murmurLong(l: bigint, seed: number): number {
  const lo = Number(BigInt.asIntN(32, l));
  const hi = Number(BigInt.asIntN(32, l >> 32n));
  return fmix(mixH1(mixH1(seed, mixK1(lo)), mixK1(hi)), 8);
}

export function murmurBytes(bytes: Uint8Array, seed: number): number {
  const len = bytes.length;
  const aligned = len - (len % 4);
  let h = seed;
  for (let i = 0; i < aligned; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h = mixH1(h, mixK1(k));
  }
  for (let i = aligned; i < len; i++) {
    const b = bytes[i]!;
    h = mixH1(h, mixK1(b > 127 ? b - 256 : b));
  }
  return fmix(h, len);
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

function bigToBytes(v: bigint): Uint8Array {
  // Java BigInteger.toByteArray: minimal two's complement, big-endian
  let hex = BigInt.asUintN(8 * 17, v).toString(16);
  const bytes: number[] = [];
  if (hex.length % 2) hex = '0' + hex;
  for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  while (bytes.length > 1 && ((bytes[0] === 0 && bytes[1]! < 128) || (bytes[0] === 255 && bytes[1]! >= 128)))
    bytes.shift();
  return Uint8Array.from(bytes);
}

/** Spark's Murmur3 hash of one value of `type` with `seed`. */
export function sparkHash(v: Value, type: DataType, seed: number): number {
  if (v === null) return seed;
  switch (type.kind) {
    case 'boolean':
      return murmurInt(v === true ? 1 : 0, seed);
    case 'calendar_interval': {
      // as Spark: the microseconds with the seed, then the days, then the months
      const [months, days, micros] = v as CalendarInterval;
      return murmurInt(months, murmurInt(days, murmurLong(micros, seed)));
    }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'interval_year_month':
      return murmurInt(v as number, seed);
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time':
      return murmurLong(v as bigint, seed);
    case 'float':
      f32[0] = (v as number) === 0 ? 0 : (v as number);
      return murmurInt(Number.isNaN(v) ? 0x7fc00000 : i32[0]!, seed);
    case 'double':
      f64[0] = (v as number) === 0 ? 0 : (v as number);
      return murmurLong(Number.isNaN(v) ? 0x7ff8000000000000n : i64[0]!, seed);
    case 'decimal':
      return type.precision <= MAX_DECIMAL64_PRECISION
        ? murmurLong(v as bigint, seed)
        : murmurBytes(bigToBytes(v as bigint), seed);
    case 'string':
      return murmurBytes(utf8.encoder.encode(v as string), seed);
    case 'binary':
      return murmurBytes(v as Uint8Array, seed);
    default:
      return murmurBytes(
        utf8.encoder.encode(
          JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)),
        ),
        seed,
      );
  }
}

function typeOfArg(a: ColumnarValue): DataType {
  return a.kind === 'scalar' ? a.type : fromArrowType(a.data.type);
}

function tryArith(name: string, op: '+' | '-' | '*' | '/'): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(a, b) - a ${op} b, or NULL on overflow${op === '/' ? ' or division by zero' : ''}.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 2);
      argTypes.forEach((t, i) => {
        if (!isNumericType(t)) throw typeMismatch(name, i, '"NUMERIC"', t);
      });
      let t = findWiderType(argTypes[0]!, argTypes[1]!) ?? T.double;
      if (t.kind === 'null') t = T.int;
      if (op === '/' && t.kind !== 'decimal')
        return { argTypes: [T.double, T.double], returnType: T.double, nullable: true };
      if (t.kind === 'decimal') {
        const l = argTypes[0]!.kind === 'decimal' ? argTypes[0] : t;
        const r = argTypes[1]!.kind === 'decimal' ? argTypes[1] : t;
        const ld = l as { precision: number; scale: number };
        const rd = r as { precision: number; scale: number };
        return { argTypes: [l, r], returnType: decimalArithmeticType(op, ld, rd), nullable: true };
      }
      return { argTypes: [t, t], returnType: t, nullable: true };
    },
    evaluate(args, numRows, returnType, ctx) {
      const lt = typeOfArg(args[0]!);
      const rt = typeOfArg(args[1]!);
      if (returnType.kind !== 'decimal' && lt.kind !== rt.kind) {
        const l = castColumnar(args[0]!, lt, returnType, 'legacy', numRows, ctx);
        const r = castColumnar(args[1]!, rt, returnType, 'legacy', numRows, ctx);
        return arithmetic(op, l, r, returnType, returnType, returnType, numRows, 'null');
      }
      return arithmetic(op, args[0]!, args[1]!, lt, rt, returnType, numRows, 'null');
    },
  };
}

/**
 * The text `canonical_key` gives a value: one JSON form per value, so two values of one type have
 * the same text exactly when they are equal (Spark's equality: -0.0 is 0.0, NaN is NaN; maps
 * whatever the order of their entries).
 */
export function canonicalText(v: Value): string {
  return JSON.stringify(canonicalForm(v));
}

function canonicalForm(v: Value): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number')
    return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Inf' : v === -Infinity ? '-Inf' : v === 0 ? 0 : v;
  if (typeof v === 'bigint') return { b: v.toString() };
  if (v instanceof Uint8Array) return { x: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return (v as readonly Value[]).map(canonicalForm);
  // Entries in the order of their keys' texts: maps equal but for insertion order group together
  // (Spark 4 sorts a map's entries when it groups by it).
  const entries = [...(v as ReadonlyMap<Value, Value>).entries()].map(
    ([k, x]) => [JSON.stringify(canonicalForm(k)), canonicalForm(x)] as const,
  );
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { m: entries };
}

/** PostgreSQL's units for pg_size_pretty: below `limit` a size is shown in the unit. */
const SIZE_UNITS: readonly { name: string; limit: bigint; round: boolean; bits: number }[] = [
  { name: 'bytes', limit: 10n * 1024n, round: false, bits: 0 },
  { name: 'kB', limit: 20n * 1024n - 1n, round: true, bits: 10 },
  { name: 'MB', limit: 20n * 1024n - 1n, round: true, bits: 20 },
  { name: 'GB', limit: 20n * 1024n - 1n, round: true, bits: 30 },
  { name: 'TB', limit: 20n * 1024n - 1n, round: true, bits: 40 },
  { name: 'PB', limit: 20n * 1024n - 1n, round: true, bits: 50 },
];

/**
 * A byte count as PostgreSQL's pg_size_pretty writes it: bytes below 10 kB, then the largest unit
 * that keeps the number below 20480, rounded half away from zero (`20000` → `20 kB`).
 */
export function sizePretty(bytes: bigint): string {
  let size = bytes;
  for (let i = 0; i < SIZE_UNITS.length; i++) {
    const unit = SIZE_UNITS[i]!;
    const next = SIZE_UNITS[i + 1];
    if (next === undefined || (size < 0n ? -size : size) < unit.limit) {
      if (unit.round) size = (size + (size < 0n ? -1n : 1n)) / 2n;
      return `${size} ${unit.name}`;
    }
    // One bit less when the next unit rounds: it halves (rounding) at the end.
    const bits = next.bits - unit.bits - (next.round ? 1 : 0) + (unit.round ? 1 : 0);
    size /= 1n << BigInt(bits);
  }
  return `${size} bytes`;
}

/** pg_cancel_backend / pg_terminate_backend: a signal to another connection of the server. */
function backendSignal(name: string, kind: 'cancel' | 'terminate', description: string): ScalarFunctionDef {
  return simple({
    name,
    description,
    args: kind === 'cancel' ? [[T.int]] : [[T.int], [T.int, T.bigint]],
    returns: T.boolean,
    deterministic: false,
    local: true,
    // Outside a server (an embedded session) no process has that id.
    row: (v, ctx) => ctx.backends?.signal(v[0] as number, kind) ?? false,
  });
}

export const miscFunctions: readonly ScalarFunctionDef[] = [
  simple({
    name: 'set_config',
    description:
      'set_config(name, value, is_local) - Sets a setting as SET does and returns its new value (PostgreSQL).',
    args: [[T.string, T.string, T.boolean]],
    returns: T.string,
    deterministic: false,
    local: true,
    row: (v, ctx) => {
      if (ctx.settings === undefined) {
        throw new EngineError(
          SqlState.featureNotSupported,
          'set_config needs the session that runs the query',
        );
      }
      // SET LOCAL applies to the session here (settings are not rolled back with a transaction).
      return ctx.settings.set(v[0] as string, v[1] as string);
    },
  }),
  backendSignal(
    'pg_cancel_backend',
    'cancel',
    'pg_cancel_backend(pid) - Cancels the running statement of a connection of the same user (PostgreSQL).',
  ),
  backendSignal(
    'pg_terminate_backend',
    'terminate',
    'pg_terminate_backend(pid[, timeout]) - Closes a connection of the same user (PostgreSQL).',
  ),
  simple({
    name: 'pg_size_pretty',
    description: 'pg_size_pretty(bytes) - A size in bytes as text in a readable unit (PostgreSQL).',
    args: [[T.bigint]],
    returns: T.string,
    row: (v) => sizePretty(v[0] as bigint),
  }),
  {
    kind: 'scalar',
    name: 'typeof',
    description: 'typeof(expr) - The type name of the argument.',
    resolve(argTypes) {
      checkArity('typeof', argTypes, 1, 1);
      return { argTypes, returnType: T.string, nullable: false };
    },
    evaluate(args, _numRows, returnType) {
      // the analyzer appends the type name it resolved (an Arrow column does not carry interval fields)
      const known = args[1];
      const name =
        known?.kind === 'scalar' && typeof known.value === 'string'
          ? known.value
          : typeToString(typeOfArg(args[0]!));
      return { kind: 'scalar', value: name, type: returnType };
    },
  },
  simple({
    name: 'version',
    description: 'version() - The engine version.',
    args: [[]],
    returns: T.string,
    row: () => KINDLING_VERSION,
  }),
  simple({
    name: 'current_database',
    aliases: ['current_schema'],
    description: 'current_database() - The current database.',
    args: [[]],
    returns: T.string,
    row: (_v, ctx) => ctx.currentDatabase,
  }),
  simple({
    name: 'current_catalog',
    description: 'current_catalog() - The current catalog.',
    args: [[]],
    returns: T.string,
    row: () => 'spark_catalog',
  }),
  simple({
    name: 'current_user',
    aliases: ['user', 'session_user'],
    description: 'current_user() - The user of the session.',
    args: [[]],
    returns: T.string,
    row: (_v, ctx) => ctx.currentUser,
  }),
  simple({
    name: 'uuid',
    description: 'uuid() - A random UUID string.',
    args: [[]],
    returns: T.string,
    deterministic: false,
    row: () => randomUUID(),
  }),
  {
    kind: 'scalar',
    name: 'canonical_key',
    description:
      'canonical_key(expr) - A STRING equal for equal values and different for different ones; NULL for NULL. ' +
      'Arrays, maps and structs are grouped and joined on it.',
    resolve(argTypes) {
      checkArity('canonical_key', argTypes, 1, 1);
      return { argTypes, returnType: T.string };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        args.map(typeOfArg),
        numRows,
        returnType,
        ctx,
        (v) => canonicalText(v[0]!),
        true,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'hash',
    description: 'hash(expr, ...) - Spark-compatible Murmur3 hash (seed 42) of the arguments.',
    resolve(argTypes) {
      checkArity('hash', argTypes, 1, Infinity);
      return { argTypes, returnType: T.int, nullable: false };
    },
    evaluate(args, numRows, returnType, ctx) {
      const types = args.map(typeOfArg);
      return evaluateRows(
        args,
        types,
        numRows,
        returnType,
        ctx,
        (v) => {
          let h = 42;
          for (let i = 0; i < v.length; i++) h = sparkHash(v[i]!, types[i]!, h);
          return h;
        },
        false,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'xxhash64',
    description: 'xxhash64(expr, ...) - Spark-compatible 64-bit xxHash (seed 42) of the arguments.',
    resolve(argTypes) {
      checkArity('xxhash64', argTypes, 1, Infinity);
      return { argTypes, returnType: T.bigint, nullable: false };
    },
    evaluate(args, numRows, returnType) {
      const hi = new Uint32Array(numRows);
      const lo = new Uint32Array(numRows).fill(42);
      for (const a of args) xxhash64Column(toArray(a, numRows), typeOfArg(a), numRows, hi, lo);
      const out = new BigInt64Array(numRows);
      const words = new Uint32Array(out.buffer);
      for (let i = 0; i < numRows; i++) {
        words[2 * i] = lo[i]!;
        words[2 * i + 1] = hi[i]!;
      }
      return { kind: 'array', data: makeColumn(returnType, out, numRows, null) };
    },
  },
  tryArith('try_add', '+'),
  tryArith('try_subtract', '-'),
  tryArith('try_multiply', '*'),
  tryArith('try_divide', '/'),
];
