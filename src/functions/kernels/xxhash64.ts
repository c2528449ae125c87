/**
 * Spark's 64-bit xxHash (XXH64) of column values, vectorized over the column's typed arrays.
 *
 * JavaScript has no 64-bit integer arithmetic on plain numbers (BigInt is far too slow per row),
 * so a 64-bit word is a pair of unsigned 32-bit halves `(hi, lo)`. The helpers below leave their
 * result in the module-level scratch `R` (`[hi, lo]`) instead of allocating one per call.
 *
 * Values hash as Spark hashes them (`XxHash64Function`): booleans and integers up to 32 bits as a
 * 4-byte int, 64-bit integers, timestamps and DECIMAL(p ≤ 18) unscaled values as an 8-byte long,
 * floats and doubles by their IEEE bits (-0.0 as 0.0, every NaN as the canonical NaN), strings
 * and binary by their bytes (UTF-8 for strings), wider decimals by the big-endian two's complement
 * bytes of the unscaled value (Java's `BigInteger.toByteArray`), arrays element by element with
 * each element's hash seeding the next. NULL leaves the seed unchanged.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  isValid,
  readDecimal128,
  decimal128Words,
  utf8,
  valueAt,
  type CalendarInterval,
  type DataType,
  type Value,
} from '../../common/index.ts';

// PRIME64_1 … PRIME64_5 of the XXH64 specification, as (hi, lo) halves.
const P1H = 0x9e3779b1;
const P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d;
const P2L = 0x27d4eb4f;
const P3H = 0x165667b1;
const P3L = 0x9e3779f9;
const P4H = 0x85ebca77;
const P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f;
const P5L = 0x165667c5;

/**
 * The result of the last 64-bit operation: [hi, lo]. A typed array, not two module variables: a
 * number above 2^30 stored in a variable of an enclosing scope is boxed on every write.
 */
const R = new Uint32Array(2);

/** (ah, al) × (bh, bl) mod 2^64. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  // The high word of the 32 × 32-bit product al × bl, from 16-bit halves (every sum stays < 2^32).
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const m1 = a1 * b0 + ((a0 * b0) >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  const carry = a1 * b1 + (m1 >>> 16) + (m2 >>> 16);
  R[0] = carry + Math.imul(ah, bl) + Math.imul(al, bh);
  R[1] = Math.imul(al, bl);
}

/** (ah, al) + (bh, bl) mod 2^64. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  R[1] = lo >>> 0;
  R[0] = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotates (h, l) left by `r` bits, 0 < r < 32. */
function rotl(h: number, l: number, r: number): void {
  R[0] = ((h << r) | (l >>> (32 - r))) >>> 0;
  R[1] = ((l << r) | (h >>> (32 - r))) >>> 0;
}

/** XXH64's round: rotl(acc + lane × P2, 31) × P1. */
function round(accH: number, accL: number, laneH: number, laneL: number): void {
  mul(laneH, laneL, P2H, P2L);
  add(accH, accL, R[0]!, R[1]!);
  rotl(R[0]!, R[1]!, 31);
  mul(R[0]!, R[1]!, P1H, P1L);
}

/** Merges a lane accumulator into the hash: (h ^ round(0, v)) × P1 + P4. */
function mergeRound(h: number, l: number, vh: number, vl: number): void {
  round(0, 0, vh, vl);
  mul((h ^ R[0]!) >>> 0, (l ^ R[1]!) >>> 0, P1H, P1L);
  add(R[0]!, R[1]!, P4H, P4L);
}

/** The final avalanche of XXH64. */
function avalanche(h: number, l: number): void {
  // h ^= h >>> 33
  l = (l ^ (h >>> 1)) >>> 0;
  mul(h, l, P2H, P2L);
  h = R[0]!;
  l = R[1]!;
  // h ^= h >>> 29
  l = (l ^ ((l >>> 29) | (h << 3))) >>> 0;
  h = (h ^ (h >>> 29)) >>> 0;
  mul(h, l, P3H, P3L);
  // h ^= h >>> 32
  R[1] = (R[1]! ^ R[0]!) >>> 0;
}

/** Folds 4 little-endian bytes `word` into the running hash (h, l). */
function step4(h: number, l: number, word: number): void {
  mul(0, word >>> 0, P1H, P1L);
  rotl((h ^ R[0]!) >>> 0, (l ^ R[1]!) >>> 0, 23);
  mul(R[0]!, R[1]!, P2H, P2L);
  add(R[0]!, R[1]!, P3H, P3L);
}

/** Folds 8 little-endian bytes (hi, lo) into the running hash (h, l). */
function step8(h: number, l: number, hi: number, lo: number): void {
  round(0, 0, hi, lo);
  rotl((h ^ R[0]!) >>> 0, (l ^ R[1]!) >>> 0, 27);
  mul(R[0]!, R[1]!, P1H, P1L);
  add(R[0]!, R[1]!, P4H, P4L);
}

/** XXH64 of a 4-byte int `v` with seed (sh, sl); result in R[0]!/R[1]!. */
function hashInt(v: number, sh: number, sl: number): void {
  add(sh, sl, P5H, P5L);
  add(R[0]!, R[1]!, 0, 4);
  step4(R[0]!, R[1]!, v);
  avalanche(R[0]!, R[1]!);
}

/** XXH64 of an 8-byte long (hi, lo) with seed (sh, sl); result in R[0]!/R[1]!. */
function hashLong(hi: number, lo: number, sh: number, sl: number): void {
  add(sh, sl, P5H, P5L);
  add(R[0]!, R[1]!, 0, 8);
  step8(R[0]!, R[1]!, hi, lo);
  avalanche(R[0]!, R[1]!);
}

function readU32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** XXH64 of `bytes[start, end)` with seed (sh, sl); result in R[0]!/R[1]!. */
function hashBytes(bytes: Uint8Array, start: number, end: number, sh: number, sl: number): void {
  const length = end - start;
  let i = start;
  let h: number;
  let l: number;
  if (length >= 32) {
    add(sh, sl, P1H, P1L);
    add(R[0]!, R[1]!, P2H, P2L);
    let v1h = R[0]!;
    let v1l = R[1]!;
    add(sh, sl, P2H, P2L);
    let v2h = R[0]!;
    let v2l = R[1]!;
    let v3h = sh;
    let v3l = sl;
    // seed - P1 = seed + (2^64 - P1); P1's low half is not 0, so no carry into the high half
    add(sh, sl, ~P1H >>> 0, -P1L >>> 0);
    let v4h = R[0]!;
    let v4l = R[1]!;
    const limit = end - 32;
    do {
      round(v1h, v1l, readU32(bytes, i + 4), readU32(bytes, i));
      v1h = R[0]!;
      v1l = R[1]!;
      round(v2h, v2l, readU32(bytes, i + 12), readU32(bytes, i + 8));
      v2h = R[0]!;
      v2l = R[1]!;
      round(v3h, v3l, readU32(bytes, i + 20), readU32(bytes, i + 16));
      v3h = R[0]!;
      v3l = R[1]!;
      round(v4h, v4l, readU32(bytes, i + 28), readU32(bytes, i + 24));
      v4h = R[0]!;
      v4l = R[1]!;
      i += 32;
    } while (i <= limit);
    rotl(v1h, v1l, 1);
    let accH = R[0]!;
    let accL = R[1]!;
    rotl(v2h, v2l, 7);
    add(accH, accL, R[0]!, R[1]!);
    accH = R[0]!;
    accL = R[1]!;
    rotl(v3h, v3l, 12);
    add(accH, accL, R[0]!, R[1]!);
    accH = R[0]!;
    accL = R[1]!;
    rotl(v4h, v4l, 18);
    add(accH, accL, R[0]!, R[1]!);
    mergeRound(R[0]!, R[1]!, v1h, v1l);
    mergeRound(R[0]!, R[1]!, v2h, v2l);
    mergeRound(R[0]!, R[1]!, v3h, v3l);
    mergeRound(R[0]!, R[1]!, v4h, v4l);
    h = R[0]!;
    l = R[1]!;
  } else {
    add(sh, sl, P5H, P5L);
    h = R[0]!;
    l = R[1]!;
  }
  add(h, l, 0, length);
  h = R[0]!;
  l = R[1]!;
  while (i + 8 <= end) {
    step8(h, l, readU32(bytes, i + 4), readU32(bytes, i));
    h = R[0]!;
    l = R[1]!;
    i += 8;
  }
  if (i + 4 <= end) {
    step4(h, l, readU32(bytes, i));
    h = R[0]!;
    l = R[1]!;
    i += 4;
  }
  while (i < end) {
    mul(0, bytes[i]!, P5H, P5L);
    rotl((h ^ R[0]!) >>> 0, (l ^ R[1]!) >>> 0, 11);
    mul(R[0]!, R[1]!, P1H, P1L);
    h = R[0]!;
    l = R[1]!;
    i++;
  }
  avalanche(h, l);
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/** Java's `BigInteger.toByteArray`: the minimal big-endian two's complement bytes of `v`. */
export function javaBigIntegerBytes(v: bigint): Uint8Array {
  const bytes: number[] = [];
  let x = v;
  for (;;) {
    const b = Number(BigInt.asUintN(8, x));
    bytes.push(b);
    x >>= 8n;
    // Done when the rest is pure sign extension of the byte just written.
    if ((x === 0n && b < 0x80) || (x === -1n && b >= 0x80)) break;
  }
  return Uint8Array.from(bytes.reverse());
}

/** Updates `seedHi/seedLo[i]` to the hash of one value with that seed (a NULL leaves it). */
export function hashValueInto(
  v: Value,
  type: DataType,
  seedHi: Uint32Array,
  seedLo: Uint32Array,
  i: number,
): void {
  if (v === null) return;
  const sh = seedHi[i]!;
  const sl = seedLo[i]!;
  switch (type.kind) {
    case 'boolean':
      hashInt(v === true ? 1 : 0, sh, sl);
      break;
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'interval_year_month':
      hashInt(v as number, sh, sl);
      break;
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time': {
      const w = BigInt.asUintN(64, v as bigint);
      hashLong(Number(w >> 32n), Number(w & 0xffffffffn), sh, sl);
      break;
    }
    case 'float': {
      const x = v as number;
      f32[0] = x === 0 ? 0 : x;
      hashInt(Number.isNaN(x) ? 0x7fc00000 : f32Bits[0]!, sh, sl);
      break;
    }
    case 'double': {
      const x = v as number;
      f64[0] = x === 0 ? 0 : x;
      if (Number.isNaN(x)) hashLong(0x7ff80000, 0, sh, sl);
      else hashLong(f64Words[1]!, f64Words[0]!, sh, sl);
      break;
    }
    case 'decimal': {
      if (type.precision <= MAX_DECIMAL64_PRECISION) {
        const w = BigInt.asUintN(64, v as bigint);
        hashLong(Number(w >> 32n), Number(w & 0xffffffffn), sh, sl);
      } else {
        const b = javaBigIntegerBytes(v as bigint);
        hashBytes(b, 0, b.length, sh, sl);
      }
      break;
    }
    case 'string': {
      const b = utf8.encoder.encode(v as string);
      hashBytes(b, 0, b.length, sh, sl);
      break;
    }
    case 'binary': {
      const b = v as Uint8Array;
      hashBytes(b, 0, b.length, sh, sl);
      break;
    }
    case 'array':
      for (const e of v as readonly Value[]) hashValueInto(e, type.element, seedHi, seedLo, i);
      return;
    case 'struct':
      (v as readonly Value[]).forEach((e, k) => {
        const f = type.fields[k];
        if (f !== undefined) hashValueInto(e, f.type, seedHi, seedLo, i);
      });
      return;
    case 'map':
      for (const [k, x] of v as ReadonlyMap<Value, Value>) {
        hashValueInto(k, type.key, seedHi, seedLo, i);
        hashValueInto(x, type.value, seedHi, seedLo, i);
      }
      return;
    case 'calendar_interval': {
      // as Spark: the microseconds with the seed, then the days, then the months
      const [months, days, micros] = v as CalendarInterval;
      const w = BigInt.asUintN(64, micros);
      hashLong(Number(w >> 32n), Number(w & 0xffffffffn), sh, sl);
      hashInt(days, R[0]!, R[1]!);
      hashInt(months, R[0]!, R[1]!);
      break;
    }
    case 'null':
      return;
  }
  seedHi[i] = R[0]!;
  seedLo[i] = R[1]!;
}

/**
 * For every row `i < n` of `data` (a column of `type`) that is not NULL, replaces the seed
 * `(seedHi[i], seedLo[i])` by the XXH64 of the row's value with that seed.
 */
export function xxhash64Column(
  data: arrow.Data,
  type: DataType,
  n: number,
  seedHi: Uint32Array,
  seedLo: Uint32Array,
): void {
  const bitmap = data.nullBitmap;
  const hasNulls = data.nullCount > 0 && bitmap !== undefined && bitmap.length > 0;
  const off = data.offset;
  const valid = (i: number): boolean => !hasNulls || ((bitmap[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'interval_year_month': {
      const vals = data.values as Int8Array | Int16Array | Int32Array;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        hashInt(vals[i]!, seedHi[i]!, seedLo[i]!);
        seedHi[i] = R[0]!;
        seedLo[i] = R[1]!;
      }
      return;
    }
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time': {
      const v = data.values as BigInt64Array;
      const words = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        hashLong(words[2 * i + 1]!, words[2 * i]!, seedHi[i]!, seedLo[i]!);
        seedHi[i] = R[0]!;
        seedLo[i] = R[1]!;
      }
      return;
    }
    case 'decimal': {
      if (type.precision > MAX_DECIMAL64_PRECISION) {
        const words = decimal128Words(data);
        for (let i = 0; i < n; i++) {
          if (!valid(i)) continue;
          const b = javaBigIntegerBytes(readDecimal128(words, i));
          hashBytes(b, 0, b.length, seedHi[i]!, seedLo[i]!);
          seedHi[i] = R[0]!;
          seedLo[i] = R[1]!;
        }
        return;
      }
      // Two 32-bit words per row (low first), already shifted by Arrow's slice.
      const words = data.values as Uint32Array;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        hashLong(words[2 * i + 1]!, words[2 * i]!, seedHi[i]!, seedLo[i]!);
        seedHi[i] = R[0]!;
        seedLo[i] = R[1]!;
      }
      return;
    }
    case 'double': {
      const vals = data.values as Float64Array;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        const x = vals[i]!;
        if (x !== x) hashLong(0x7ff80000, 0, seedHi[i]!, seedLo[i]!);
        else {
          f64[0] = x === 0 ? 0 : x;
          hashLong(f64Words[1]!, f64Words[0]!, seedHi[i]!, seedLo[i]!);
        }
        seedHi[i] = R[0]!;
        seedLo[i] = R[1]!;
      }
      return;
    }
    case 'float': {
      const vals = data.values as Float32Array;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        const x = vals[i]!;
        f32[0] = x === 0 ? 0 : x;
        hashInt(x !== x ? 0x7fc00000 : f32Bits[0]!, seedHi[i]!, seedLo[i]!);
        seedHi[i] = R[0]!;
        seedLo[i] = R[1]!;
      }
      return;
    }
    case 'string':
    case 'binary': {
      const bytes = data.values as Uint8Array;
      const offsets = data.valueOffsets as Int32Array;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) continue;
        hashBytes(bytes, offsets[i]!, offsets[i + 1]!, seedHi[i]!, seedLo[i]!);
        seedHi[i] = R[0]!;
        seedLo[i] = R[1]!;
      }
      return;
    }
    default:
      for (let i = 0; i < n; i++) {
        if (isValid(data, i)) hashValueInto(valueAt(data, type, i), type, seedHi, seedLo, i);
      }
  }
}

/** The XXH64 of one value with Spark's seed 42, as a signed 64-bit bigint (for tests and constants). */
export function xxhash64Value(v: Value, type: DataType, seed = 42n): bigint {
  const w = BigInt.asUintN(64, seed);
  const hi = Uint32Array.of(Number(w >> 32n));
  const lo = Uint32Array.of(Number(w & 0xffffffffn));
  hashValueInto(v, type, hi, lo, 0);
  return BigInt.asIntN(64, (BigInt(hi[0]!) << 32n) | BigInt(lo[0]!));
}
