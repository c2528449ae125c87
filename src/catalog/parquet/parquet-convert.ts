/**
 * Converts a column as parquet-wasm hands it over (after the Arrow IPC round trip into arrow-js) to
 * the engine's representation of the declared type (src/common/arrow.ts), one typed-array loop per
 * case, zero-copy where the layouts already agree:
 *
 * - Decimal128 with p ≤ 18 → the engine's 64-bit decimal words; rescaled when the file's scale is lower
 * - Int8…Int64, UInt8…UInt64 → the declared (wider) integer, double or decimal
 * - Timestamp in s/ms/ns, any zone (INT96 arrives as ns) → µs, typed `Timestamp(µs, 'UTC')` or zone-less
 * - Date64 → days; Date32 → timestamp_ntz when declared so
 * - Time in s/ms/µs/ns → µs since midnight, cut to the declared TIME(p)'s digits
 * - LargeUtf8 / Utf8View / Dictionary<…, Utf8> / Binary → Utf8 (or Binary) with Int32 offsets
 * - Null (an all-NULL column) → NULLs of the declared type
 * - List / Map / Struct → the engine's List / Map / Struct, children converted recursively (struct
 *   fields matched by name; lists' offsets rebased to start at 0)
 */
import * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  nullColumn,
  toArrowType,
  truncateTime,
  typeToString,
  type DataType,
} from '../../common/index.ts';
import { structFieldByName } from './parquet-schema.ts';

export interface ConvertContext {
  readonly filePath: string;
  readonly column: string;
}

interface Validity {
  readonly nullBitmap: Uint8Array | undefined;
  readonly nullCount: number;
}

/** The validity of `data` as a bitmap starting at row 0 (copied only when `data.offset` ≠ 0). */
function validityOf(data: arrow.Data): Validity {
  const nullCount = data.nullCount;
  const bitmap = data.nullBitmap;
  if (nullCount === 0 || bitmap === undefined || bitmap.length === 0) {
    return { nullBitmap: undefined, nullCount: data.typeId === arrow.Type.Null ? data.length : 0 };
  }
  const n = data.length;
  if (data.offset === 0) return { nullBitmap: bitmap.subarray(0, (n + 7) >> 3), nullCount };
  const out = new Uint8Array((n + 7) >> 3);
  const off = data.offset;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    if ((bitmap[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap: out, nullCount };
}

function wrap(type: DataType, length: number, v: Validity, buffers: Record<string, unknown>): arrow.Data {
  return arrow.makeData({
    type: toArrowType(type),
    length,
    nullCount: v.nullCount,
    ...(v.nullBitmap === undefined ? {} : { nullBitmap: v.nullBitmap }),
    ...buffers,
  } as never);
}

function unsupported(src: arrow.DataType, target: DataType, ctx: ConvertContext): EngineError {
  return new EngineError(
    SqlState.datatypeMismatch,
    `[PARQUET_COLUMN_DATA_TYPE_MISMATCH] Column \`${ctx.column}\` of Parquet file "${ctx.filePath}" was decoded as Arrow ${arrow.Type[src.typeId]}, which cannot be read as ${typeToString(target)}.`,
  );
}

type IntArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

function isNarrowInt(t: arrow.DataType): boolean {
  return arrow.DataType.isInt(t) && t.bitWidth <= 32;
}

/** Converts one decoded column chunk to the engine's representation of `target`. */
export function convertColumn(data: arrow.Data, target: DataType, ctx: ConvertContext): arrow.Data {
  const src = data.type;
  const n = data.length;
  if (arrow.DataType.isNull(src)) return nullColumn(target, n);
  if (arrow.DataType.isDictionary(src)) return convertColumn(decodeDictionary(data, ctx), target, ctx);
  const v = validityOf(data);
  switch (target.kind) {
    case 'null':
      return nullColumn(target, n);
    case 'boolean': {
      if (!arrow.DataType.isBool(src)) throw unsupported(src, target, ctx);
      const bits = data.values as Uint8Array;
      if (data.offset === 0) return wrap(target, n, v, { data: bits.subarray(0, (n + 7) >> 3) });
      const out = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) {
        const j = data.offset + i;
        if ((bits[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
      }
      return wrap(target, n, v, { data: out });
    }
    case 'tinyint':
    case 'smallint':
    case 'int': {
      if (!isNarrowInt(src)) throw unsupported(src, target, ctx);
      const values = data.values as IntArray;
      const Out =
        target.kind === 'tinyint' ? Int8Array : target.kind === 'smallint' ? Int16Array : Int32Array;
      if (values instanceof Out) return wrap(target, n, v, { data: values.subarray(0, n) });
      const out = new Out(n);
      for (let i = 0; i < n; i++) out[i] = values[i]!;
      return wrap(target, n, v, { data: out });
    }
    case 'bigint': {
      if (arrow.DataType.isInt(src) && src.bitWidth === 64 && src.isSigned) {
        return wrap(target, n, v, { data: (data.values as BigInt64Array).subarray(0, n) });
      }
      if (!isNarrowInt(src)) throw unsupported(src, target, ctx);
      const values = data.values as IntArray;
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(values[i]!);
      return wrap(target, n, v, { data: out });
    }
    case 'float': {
      if (!arrow.DataType.isFloat(src) || src.precision !== arrow.Precision.SINGLE)
        throw unsupported(src, target, ctx);
      return wrap(target, n, v, { data: (data.values as Float32Array).subarray(0, n) });
    }
    case 'double':
      return toDouble(data, src, target, v, ctx);
    case 'decimal':
      return toDecimal(data, src, target, v, ctx);
    case 'string':
    case 'binary':
      return toBytes(data, src, target, v, ctx);
    case 'date': {
      if (arrow.DataType.isDate(src) && src.unit === arrow.DateUnit.DAY) {
        return wrap(target, n, v, { data: (data.values as Int32Array).subarray(0, n) });
      }
      if (arrow.DataType.isDate(src)) {
        const ms = data.values as BigInt64Array | Float64Array;
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = Math.floor(Number(ms[i]!) / 86_400_000);
        return wrap(target, n, v, { data: out });
      }
      throw unsupported(src, target, ctx);
    }
    case 'timestamp':
    case 'timestamp_ntz':
      return toMicros(data, src, target, v, ctx);
    case 'time':
      return toTimeMicros(data, src, target, target.precision, v, ctx);
    case 'array':
    case 'map':
      return toList(data, src, target, v, ctx);
    case 'struct':
      return toStruct(data, src, target, v, ctx);
    case 'interval_year_month':
    case 'interval_day_time':
    case 'calendar_interval':
      throw new EngineError(
        SqlState.featureNotSupported,
        `reading Parquet column \`${ctx.column}\` as ${typeToString(target)} is not supported yet (file "${ctx.filePath}")`,
      );
  }
}

/**
 * The child rows `[offsets[0], offsets[n])` of a list or map and its offsets rebased to start at 0
 * (a sliced list's offsets point into its whole child).
 */
function listChild(data: arrow.Data, child: arrow.Data): { offsets: Int32Array; child: arrow.Data } {
  const n = data.length;
  const offsets = (data.valueOffsets as Int32Array).subarray(0, n + 1);
  const first = offsets[0]!;
  if (first === 0 && offsets[n] === child.length) return { offsets, child };
  const rebased = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) rebased[i] = offsets[i]! - first;
  return { offsets: rebased, child: child.slice(first, offsets[n]! - first) };
}

/** A List (as array) or a Map (as map), converting the elements, or the keys and values. */
function toList(
  data: arrow.Data,
  src: arrow.DataType,
  target: DataType & { kind: 'array' | 'map' },
  v: Validity,
  ctx: ConvertContext,
): arrow.Data {
  const n = data.length;
  if (target.kind === 'array') {
    if (!arrow.DataType.isList(src)) throw unsupported(src, target, ctx);
    const { offsets, child } = listChild(data, data.children[0]!);
    const element = convertColumn(child, target.element, { ...ctx, column: `${ctx.column}.element` });
    return wrap(target, n, v, { valueOffsets: offsets, child: element });
  }
  if (!arrow.DataType.isMap(src)) throw unsupported(src, target, ctx);
  const { offsets, child: entries } = listChild(data, data.children[0]!);
  // Entries are never NULL; a sliced entries struct has sliced key and value children.
  const keys = convertColumn(entries.children[0]!, target.key, { ...ctx, column: `${ctx.column}.key` });
  const values = convertColumn(entries.children[1]!, target.value, {
    ...ctx,
    column: `${ctx.column}.value`,
  });
  const mapType = toArrowType(target) as arrow.Map_;
  const entriesData = arrow.makeData({
    type: mapType.children[0]!.type as arrow.Struct,
    length: keys.length,
    nullCount: 0,
    children: [keys, values],
  });
  return wrap(target, n, v, { valueOffsets: offsets, child: entriesData });
}

/**
 * A Struct, its fields matched to the declared ones by name (case-insensitively); a declared
 * field the file lacks is NULL.
 */
function toStruct(
  data: arrow.Data,
  src: arrow.DataType,
  target: DataType & { kind: 'struct' },
  v: Validity,
  ctx: ConvertContext,
): arrow.Data {
  if (!arrow.DataType.isStruct(src)) throw unsupported(src, target, ctx);
  const n = data.length;
  const fields = src.children.map((f, k) => ({ name: f.name, k }));
  const children = target.fields.map((f) => {
    const found = structFieldByName(fields, f.name);
    if (found === undefined) return nullColumn(f.type, n);
    // A struct's children are sliced with it: row i of the struct is row i of each child.
    return convertColumn(data.children[found.k]!, f.type, { ...ctx, column: `${ctx.column}.${f.name}` });
  });
  return wrap(target, n, v, { children });
}

function toDouble(
  data: arrow.Data,
  src: arrow.DataType,
  target: DataType,
  v: Validity,
  ctx: ConvertContext,
): arrow.Data {
  const n = data.length;
  if (arrow.DataType.isFloat(src) && src.precision === arrow.Precision.DOUBLE) {
    return wrap(target, n, v, { data: (data.values as Float64Array).subarray(0, n) });
  }
  const out = new Float64Array(n);
  if (arrow.DataType.isFloat(src) && src.precision === arrow.Precision.SINGLE) {
    const values = data.values as Float32Array;
    for (let i = 0; i < n; i++) out[i] = values[i]!;
  } else if (isNarrowInt(src)) {
    const values = data.values as IntArray;
    for (let i = 0; i < n; i++) out[i] = values[i]!;
  } else if (arrow.DataType.isInt(src)) {
    const values = data.values as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) out[i] = Number(values[i]!);
  } else {
    throw unsupported(src, target, ctx);
  }
  return wrap(target, n, v, { data: out });
}

function toDecimal(
  data: arrow.Data,
  src: arrow.DataType,
  target: DataType & { kind: 'decimal' },
  v: Validity,
  ctx: ConvertContext,
): arrow.Data {
  const n = data.length;
  const wide = target.precision > 18;
  const out = new BigInt64Array(wide ? 2 * n : n);
  if (arrow.DataType.isDecimal(src)) {
    const shift = target.scale - src.scale;
    if (shift < 0) throw unsupported(src, target, ctx);
    const srcWords = src.bitWidth / 64; // 2 for Decimal128, 4 for Decimal256, 1 for Decimal64
    const words = data.values as Uint32Array;
    const src64 = new BigInt64Array(words.buffer, words.byteOffset, n * srcWords);
    if (!wide && shift === 0) {
      // The value fits in the low 64 bits (p ≤ 18): copy those two 32-bit words (no BigInts).
      const out32 = new Uint32Array(out.buffer);
      const stride = 2 * srcWords;
      for (let i = 0; i < n; i++) {
        out32[2 * i] = words[stride * i]!;
        out32[2 * i + 1] = words[stride * i + 1]!;
      }
    } else if (!wide) {
      const factor = 10n ** BigInt(shift);
      for (let i = 0; i < n; i++) out[i] = src64[i * srcWords]! * factor;
    } else {
      const factor = 10n ** BigInt(shift);
      for (let i = 0; i < n; i++) {
        const lo = src64[i * srcWords]!;
        const hi = srcWords === 1 ? (lo < 0n ? -1n : 0n) : src64[i * srcWords + 1]!;
        const value = shift === 0 ? null : ((hi << 64n) + BigInt.asUintN(64, lo)) * factor;
        out[2 * i] = value === null ? lo : BigInt.asIntN(64, value);
        out[2 * i + 1] = value === null ? hi : BigInt.asIntN(64, value >> 64n);
      }
    }
  } else if (arrow.DataType.isInt(src)) {
    const factor = 10n ** BigInt(target.scale);
    const values = data.values as IntArray | BigInt64Array | BigUint64Array;
    const stride = wide ? 2 : 1;
    for (let i = 0; i < n; i++) {
      const value = BigInt(values[i]!) * factor;
      out[i * stride] = BigInt.asIntN(64, value);
      if (wide) out[i * stride + 1] = value < 0n ? -1n : value >> 64n;
    }
  } else {
    throw unsupported(src, target, ctx);
  }
  return wrap(target, n, v, { data: new Uint32Array(out.buffer) });
}

function toMicros(
  data: arrow.Data,
  src: arrow.DataType,
  target: DataType,
  v: Validity,
  ctx: ConvertContext,
): arrow.Data {
  const n = data.length;
  if (arrow.DataType.isDate(src) && src.unit === arrow.DateUnit.DAY) {
    const days = data.values as Int32Array;
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(days[i]!) * 86_400_000_000n;
    return wrap(target, n, v, { data: out });
  }
  if (!arrow.DataType.isTimestamp(src)) throw unsupported(src, target, ctx);
  const values = data.values as BigInt64Array;
  switch (src.unit) {
    case arrow.TimeUnit.MICROSECOND:
      return wrap(target, n, v, { data: values.subarray(0, n) });
    case arrow.TimeUnit.SECOND:
    case arrow.TimeUnit.MILLISECOND: {
      const factor = src.unit === arrow.TimeUnit.SECOND ? 1_000_000n : 1000n;
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = values[i]! * factor;
      return wrap(target, n, v, { data: out });
    }
    case arrow.TimeUnit.NANOSECOND: {
      // Floor division (toward the past), as Spark does for pre-1970 nanosecond values.
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const ns = values[i]!;
        const q = ns / 1000n;
        out[i] = ns < 0n && q * 1000n !== ns ? q - 1n : q;
      }
      return wrap(target, n, v, { data: out });
    }
  }
}

/** Times of any unit → µs since midnight (ns floored), cut to `precision` fractional digits. */
function toTimeMicros(
  data: arrow.Data,
  src: arrow.DataType,
  target: DataType,
  precision: number,
  v: Validity,
  ctx: ConvertContext,
): arrow.Data {
  if (!arrow.DataType.isTime(src)) throw unsupported(src, target, ctx);
  const n = data.length;
  const values = data.values as Int32Array | BigInt64Array;
  if (src.unit === arrow.TimeUnit.MICROSECOND && precision === 6)
    return wrap(target, n, v, { data: (values as BigInt64Array).subarray(0, n) });
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const x = BigInt(values[i]!);
    const micros =
      src.unit === arrow.TimeUnit.SECOND
        ? x * 1_000_000n
        : src.unit === arrow.TimeUnit.MILLISECOND
          ? x * 1000n
          : src.unit === arrow.TimeUnit.NANOSECOND
            ? x / 1000n
            : x;
    out[i] = truncateTime(micros, precision);
  }
  return wrap(target, n, v, { data: out });
}

function toBytes(
  data: arrow.Data,
  src: arrow.DataType,
  target: DataType,
  v: Validity,
  ctx: ConvertContext,
): arrow.Data {
  const n = data.length;
  if (arrow.DataType.isUtf8(src) || arrow.DataType.isBinary(src)) {
    const offsets = (data.valueOffsets as Int32Array).subarray(0, n + 1);
    return wrap(target, n, v, { valueOffsets: offsets, data: data.values as Uint8Array });
  }
  if (arrow.DataType.isLargeUtf8(src) || arrow.DataType.isLargeBinary(src)) {
    const large = data.valueOffsets as unknown as BigInt64Array;
    const base = Number(large[0]!);
    const end = Number(large[n]!);
    if (end - base > 0x7fffffff) {
      throw new EngineError(
        SqlState.programLimitExceeded,
        `column \`${ctx.column}\` of Parquet file "${ctx.filePath}" holds more than 2 GB of text in one batch`,
      );
    }
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = Number(large[i]!) - base;
    return wrap(target, n, v, {
      valueOffsets: offsets,
      data: (data.values as Uint8Array).subarray(base, end),
    });
  }
  if (arrow.DataType.isFixedSizeBinary(src)) {
    const width = src.byteWidth;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = i * width;
    return wrap(target, n, v, {
      valueOffsets: offsets,
      data: (data.values as Uint8Array).subarray(0, n * width),
    });
  }
  if (arrow.DataType.isUtf8View(src) || arrow.DataType.isBinaryView(src)) return fromViews(data, target, v);
  throw unsupported(src, target, ctx);
}

/** Utf8View/BinaryView (16-byte views: length, then inline bytes or prefix + buffer + offset). */
function fromViews(data: arrow.Data, target: DataType, v: Validity): arrow.Data {
  const n = data.length;
  const views = data.values as unknown as Uint8Array;
  const view = new DataView(views.buffer, views.byteOffset, views.byteLength);
  const buffers = data.variadicBuffers;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += view.getInt32(16 * i, true);
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const at = 16 * i;
    const len = view.getInt32(at, true);
    if (len <= 12) bytes.set(views.subarray(at + 4, at + 4 + len), offsets[i]);
    else {
      const buffer = buffers[view.getInt32(at + 8, true)]!;
      const start = view.getInt32(at + 12, true);
      bytes.set(buffer.subarray(start, start + len), offsets[i]);
    }
  }
  return wrap(target, n, v, { valueOffsets: offsets, data: bytes });
}

/** Gathers a dictionary-encoded column into its plain values (strings stay bytes). */
function decodeDictionary(data: arrow.Data, ctx: ConvertContext): arrow.Data {
  const dictionary = data.dictionary;
  if (dictionary === undefined) throw unsupported(data.type, { kind: 'string' }, ctx);
  const valueType = dictionary.type as arrow.DataType;
  const n = data.length;
  const indices = data.values as IntArray | BigInt64Array;
  const chunks = dictionary.data;
  if (chunks.length !== 1 || !(arrow.DataType.isUtf8(valueType) || arrow.DataType.isBinary(valueType))) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `dictionary-encoded Arrow ${arrow.Type[valueType.typeId]} in column \`${ctx.column}\` of "${ctx.filePath}" is not supported`,
    );
  }
  const dict = chunks[0]!;
  const dictOffsets = dict.valueOffsets as Int32Array;
  const dictBytes = dict.values as Uint8Array;
  const valid = validityOf(data);
  const bitmap = valid.nullBitmap;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (bitmap === undefined || (bitmap[i >> 3]! >> (i & 7)) & 1) {
      const k = Number(indices[i]!);
      total += dictOffsets[k + 1]! - dictOffsets[k]!;
    }
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const len = offsets[i + 1]! - offsets[i]!;
    if (len > 0) {
      const k = Number(indices[i]!);
      bytes.set(dictBytes.subarray(dictOffsets[k], dictOffsets[k]! + len), offsets[i]);
    }
  }
  return arrow.makeData({
    type: arrow.DataType.isUtf8(valueType) ? new arrow.Utf8() : new arrow.Binary(),
    length: n,
    nullCount: valid.nullCount,
    ...(bitmap === undefined ? {} : { nullBitmap: bitmap }),
    valueOffsets: offsets,
    data: bytes,
  } as never);
}
