/**
 * Turns a decoded column chunk into an Arrow column of the type the file holds (INT64 DECIMAL →
 * Decimal64 words over the same buffer, INT32 DATE → DateDay, INT64 TIMESTAMP → Timestamp of its
 * unit, big-endian FIXED/BYTE_ARRAY decimals → Decimal128 words, BYTE_ARRAY → Utf8 or Binary …),
 * then into the engine's representation of the declared type with the same `convertColumn` the
 * parquet-wasm path uses, so type widening behaves identically on both paths.
 */
import * as arrow from 'apache-arrow';
import type { SchemaElement } from 'hyparquet';
import { toArrowType, type DataType } from '../../../common/index.ts';
import { convertColumn, type ConvertContext } from '../parquet-convert.ts';
import type { DecodedChunk } from './column-chunk-decoder.ts';
import { NativeUnsupportedError } from './native-errors.ts';

function isUnsigned(e: SchemaElement): boolean {
  const lt = e.logical_type;
  if (lt?.type === 'INTEGER') return !lt.isSigned;
  return e.converted_type?.startsWith('UINT_') ?? false;
}

function timestampType(e: SchemaElement): arrow.DataType {
  const lt = e.logical_type;
  const unit =
    lt?.type === 'TIMESTAMP' ? lt.unit : e.converted_type === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS';
  const zone = lt?.type === 'TIMESTAMP' && !lt.isAdjustedToUTC ? null : 'UTC';
  const u =
    unit === 'MILLIS'
      ? arrow.TimeUnit.MILLISECOND
      : unit === 'NANOS'
        ? arrow.TimeUnit.NANOSECOND
        : arrow.TimeUnit.MICROSECOND;
  return new arrow.Timestamp(u, zone);
}

function make(type: arrow.DataType, c: DecodedChunk, buffers: Record<string, unknown>): arrow.Data {
  return arrow.makeData({
    type,
    length: c.rows,
    nullCount: c.nullCount,
    ...(c.validity === null ? {} : { nullBitmap: c.validity }),
    ...buffers,
  } as never);
}

/** Big-endian two's complement values of `width` bytes (or variable) → 128-bit little-endian words. */
function bigEndianToDecimal128(
  src: Uint8Array,
  rows: number,
  start: (i: number) => number,
  length: (i: number) => number,
): Uint32Array {
  const out = new Uint8Array(16 * rows);
  for (let i = 0; i < rows; i++) {
    const len = length(i);
    if (len === 0) continue;
    if (len > 16) throw new NativeUnsupportedError('decimal wider than 16 bytes');
    const s = start(i);
    const base = 16 * i;
    for (let b = 0; b < len; b++) out[base + b] = src[s + len - 1 - b]!;
    if (src[s]! >= 0x80) out.fill(0xff, base + len, base + 16);
  }
  return new Uint32Array(out.buffer);
}

/** The decoded chunk as an Arrow column of the type the file holds. */
function sourceColumn(c: DecodedChunk, e: SchemaElement, fileType: DataType): arrow.Data {
  const v = c.values;
  const n = c.rows;
  if (v.kind === 'bits') return make(new arrow.Bool(), c, { data: v.bits });
  if (fileType.kind === 'decimal' && !isUnsigned(e)) {
    const precision = fileType.precision;
    const scale = fileType.scale;
    if (v.kind === 'fixed' && e.type === 'INT64') {
      return make(new arrow.Decimal(scale, precision, 64), c, {
        data: new Uint32Array(v.bytes.buffer, 0, 2 * n),
      });
    }
    if (v.kind === 'fixed' && e.type === 'INT32') {
      const src = new Int32Array(v.bytes.buffer, 0, n);
      const out = new Int32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const x = src[i]!;
        out[2 * i] = x;
        out[2 * i + 1] = x >> 31;
      }
      return make(new arrow.Decimal(scale, precision, 64), c, { data: new Uint32Array(out.buffer) });
    }
    if (v.kind === 'fixed') {
      const w = v.width;
      const words = bigEndianToDecimal128(
        v.bytes,
        n,
        (i) => i * w,
        () => w,
      );
      return make(new arrow.Decimal(scale, precision, 128), c, { data: words });
    }
    const offsets = v.offsets;
    const words = bigEndianToDecimal128(
      v.data,
      n,
      (i) => offsets[i]!,
      (i) => offsets[i + 1]! - offsets[i]!,
    );
    return make(new arrow.Decimal(scale, precision, 128), c, { data: words });
  }
  if (v.kind === 'bytes') {
    const type = fileType.kind === 'string' ? new arrow.Utf8() : new arrow.Binary();
    return make(type, c, { valueOffsets: v.offsets, data: v.data });
  }
  const buffer = v.bytes.buffer;
  switch (e.type) {
    case 'INT32':
      if (fileType.kind === 'date')
        return make(new arrow.DateDay(), c, { data: new Int32Array(buffer, 0, n) });
      if (fileType.kind === 'time')
        return make(new arrow.TimeMillisecond(), c, { data: new Int32Array(buffer, 0, n) });
      if (isUnsigned(e)) return make(new arrow.Uint32(), c, { data: new Uint32Array(buffer, 0, n) });
      return make(new arrow.Int32(), c, { data: new Int32Array(buffer, 0, n) });
    case 'INT64':
      if (fileType.kind === 'timestamp' || fileType.kind === 'timestamp_ntz') {
        return make(timestampType(e), c, { data: new BigInt64Array(buffer, 0, n) });
      }
      if (fileType.kind === 'time') {
        const nanos = e.logical_type?.type === 'TIME' && e.logical_type.unit === 'NANOS';
        const type = nanos ? new arrow.TimeNanosecond() : new arrow.TimeMicrosecond();
        return make(type, c, { data: new BigInt64Array(buffer, 0, n) });
      }
      if (isUnsigned(e)) return make(new arrow.Uint64(), c, { data: new BigUint64Array(buffer, 0, n) });
      return make(new arrow.Int64(), c, { data: new BigInt64Array(buffer, 0, n) });
    case 'FLOAT':
      return make(new arrow.Float32(), c, { data: new Float32Array(buffer, 0, n) });
    case 'DOUBLE':
      return make(new arrow.Float64(), c, { data: new Float64Array(buffer, 0, n) });
    default: {
      // FIXED_LEN_BYTE_ARRAY binary
      const w = v.width;
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = i * w;
      return make(new arrow.Binary(), c, { valueOffsets: offsets, data: v.bytes });
    }
  }
}

/** The decoded chunk in the engine's representation of `target`. */
export function engineColumn(
  c: DecodedChunk,
  e: SchemaElement,
  fileType: DataType,
  target: DataType,
  ctx: ConvertContext,
): arrow.Data {
  const source = sourceColumn(c, e, fileType);
  if (
    target.kind === 'decimal' &&
    fileType.kind === 'decimal' &&
    target.scale === fileType.scale &&
    target.precision <= 18 &&
    arrow.DataType.isDecimal(source.type) &&
    source.type.bitWidth === 64
  ) {
    // Already the engine's 64-bit decimal words: only the declared precision differs.
    return arrow.makeData({
      type: toArrowType(target),
      length: source.length,
      nullCount: source.nullCount,
      ...(c.validity === null ? {} : { nullBitmap: c.validity }),
      data: source.values as Uint32Array,
    } as never);
  }
  return convertColumn(source, target, ctx);
}
