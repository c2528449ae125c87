/**
 * Gathers one column of a row group from the engine's Arrow batches into one dense, Parquet-ready
 * shape: the non-null values only (Parquet stores no value slots for NULLs), plus one validity byte
 * per row when the column has NULLs (these become definition levels).
 *
 * A single batch with no NULLs is a zero-copy view; several batches or NULLs cost one copy. Values
 * and offsets are read at row `i`, validity and boolean bits at `data.offset + i` (see
 * src/common/arrow.ts on sliced Data).
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, invariant, type Field } from '../../../common/index.ts';

/** Dense non-null values, by Parquet physical shape. */
export type DenseValues =
  | { readonly kind: 'int32'; readonly values: Int32Array }
  /** Two little-endian 32-bit words per value (low, high). */
  | { readonly kind: 'int64'; readonly words: Int32Array }
  | { readonly kind: 'float'; readonly values: Float32Array }
  | { readonly kind: 'double'; readonly values: Float64Array }
  /** Four little-endian 32-bit words per value (two's complement, 128 bits). */
  | { readonly kind: 'decimal128'; readonly words: Uint32Array }
  /** One byte (0/1) per value. */
  | { readonly kind: 'boolean'; readonly values: Uint8Array }
  /** Value `k` is `bytes[offsets[k], offsets[k + 1])`. */
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly offsets: Int32Array };

export interface ColumnData {
  readonly rows: number;
  readonly nullCount: number;
  /** One byte per row (1 = valid), or null when no row is NULL. */
  readonly valid: Uint8Array | null;
  readonly dense: DenseValues;
}

type Shape = DenseValues['kind'];

export function shapeOf(field: Field): Shape {
  const t = field.type;
  switch (t.kind) {
    case 'boolean':
      return 'boolean';
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
      return 'int32';
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
      return 'int64';
    case 'decimal':
      return t.precision <= 9 ? 'int32' : t.precision <= 18 ? 'int64' : 'decimal128';
    case 'float':
      return 'float';
    case 'double':
      return 'double';
    case 'string':
    case 'binary':
      return 'bytes';
    default:
      throw new EngineError(SqlState.internalError, `internal error: no Parquet shape for ${t.kind}`);
  }
}

/** Expands validity of `data` into `out[at, at + length)`; returns the number of NULLs. */
function expandValidity(data: arrow.Data, out: Uint8Array, at: number): number {
  const n = data.length;
  const bitmap = data.nullBitmap;
  if (bitmap === undefined || bitmap.length === 0 || data.nullCount === 0) {
    out.fill(1, at, at + n);
    return 0;
  }
  const off = data.offset;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    const bit = (bitmap[j >> 3]! >> (j & 7)) & 1;
    out[at + i] = bit;
    nulls += bit ^ 1;
  }
  return nulls;
}

function pieceNullCount(data: arrow.Data): number {
  const bitmap = data.nullBitmap;
  if (bitmap === undefined || bitmap.length === 0) return 0;
  return data.nullCount;
}

/** Gathers `pieces` (one column's Data from each batch) into dense values. */
export function gatherColumn(field: Field, pieces: readonly arrow.Data[]): ColumnData {
  const shape = shapeOf(field);
  let rows = 0;
  let nullCount = 0;
  for (const p of pieces) {
    rows += p.length;
    nullCount += pieceNullCount(p);
  }
  let valid: Uint8Array | null = null;
  if (nullCount > 0) {
    if (!field.nullable) {
      throw new EngineError(
        SqlState.nullValueNotAllowed,
        `cannot write NULL into non-nullable column "${field.name}"`,
      );
    }
    valid = new Uint8Array(rows);
    let at = 0;
    for (const p of pieces) {
      expandValidity(p, valid, at);
      at += p.length;
    }
  }
  const all = gatherAll(shape, field, pieces, rows);
  const dense = valid === null ? all : compact(all, valid, rows - nullCount);
  return { rows, nullCount, valid, dense };
}

/**
 * The dense values of the slots of `pieces` (a nested column's leaf values, one Data per batch)
 * that `selected` marks (one byte per slot of all pieces in order, 1 = a value to write), of
 * which there are `count`.
 */
export function gatherSelected(
  field: Field,
  pieces: readonly arrow.Data[],
  selected: Uint8Array,
  count: number,
): DenseValues {
  const all = gatherAll(shapeOf(field), field, pieces, selected.length);
  return count === selected.length ? all : compact(all, selected, count);
}

/** All row slots (NULL slots hold whatever the batch had). */
function gatherAll(shape: Shape, field: Field, pieces: readonly arrow.Data[], rows: number): DenseValues {
  switch (shape) {
    case 'int32': {
      const fromDecimal = field.type.kind === 'decimal';
      if (pieces.length === 1 && !fromDecimal && pieces[0]!.values instanceof Int32Array) {
        const p = pieces[0]!;
        return { kind: 'int32', values: (p.values as Int32Array).subarray(0, p.length) };
      }
      const out = new Int32Array(rows);
      let at = 0;
      for (const p of pieces) {
        if (fromDecimal) {
          const words = p.values as Uint32Array;
          checkLength(words, 2 * p.length, field);
          for (let i = 0; i < p.length; i++) out[at + i] = words[2 * i]! | 0;
        } else {
          const v = p.values as Int32Array | Int16Array | Int8Array;
          checkLength(v, p.length, field);
          out.set(v.subarray(0, p.length), at);
        }
        at += p.length;
      }
      return { kind: 'int32', values: out };
    }
    case 'int64': {
      const words = (p: arrow.Data): Int32Array => {
        const v = p.values as BigInt64Array | Uint32Array;
        checkLength(v, (v instanceof BigInt64Array ? 1 : 2) * p.length, field);
        return new Int32Array(v.buffer, v.byteOffset, 2 * p.length);
      };
      if (pieces.length === 1) return { kind: 'int64', words: words(pieces[0]!) };
      const out = new Int32Array(2 * rows);
      let at = 0;
      for (const p of pieces) {
        out.set(words(p), at);
        at += 2 * p.length;
      }
      return { kind: 'int64', words: out };
    }
    case 'float':
    case 'double': {
      const Ctor = shape === 'float' ? Float32Array : Float64Array;
      let values: Float32Array | Float64Array;
      if (pieces.length === 1) {
        const p = pieces[0]!;
        checkLength(p.values as Float64Array, p.length, field);
        values = (p.values as Float32Array | Float64Array).subarray(0, p.length);
      } else {
        values = new Ctor(rows);
        let at = 0;
        for (const p of pieces) {
          values.set((p.values as Float64Array).subarray(0, p.length), at);
          at += p.length;
        }
      }
      return shape === 'float'
        ? { kind: 'float', values: values as Float32Array }
        : { kind: 'double', values: values as Float64Array };
    }
    case 'decimal128': {
      if (pieces.length === 1) {
        const p = pieces[0]!;
        checkLength(p.values as Uint32Array, 4 * p.length, field);
        return { kind: 'decimal128', words: (p.values as Uint32Array).subarray(0, 4 * p.length) };
      }
      const out = new Uint32Array(4 * rows);
      let at = 0;
      for (const p of pieces) {
        out.set((p.values as Uint32Array).subarray(0, 4 * p.length), at);
        at += 4 * p.length;
      }
      return { kind: 'decimal128', words: out };
    }
    case 'boolean': {
      const out = new Uint8Array(rows);
      let at = 0;
      for (const p of pieces) {
        const bits = p.values as Uint8Array;
        const off = p.offset;
        checkLength(bits, (off + p.length + 7) >> 3, field);
        for (let i = 0; i < p.length; i++) {
          const j = off + i;
          out[at + i] = (bits[j >> 3]! >> (j & 7)) & 1;
        }
        at += p.length;
      }
      return { kind: 'boolean', values: out };
    }
    case 'bytes': {
      if (pieces.length === 1) {
        const p = pieces[0]!;
        const offsets = p.valueOffsets as Int32Array;
        checkLength(offsets, p.length + 1, field);
        return { kind: 'bytes', bytes: p.values as Uint8Array, offsets: offsets.subarray(0, p.length + 1) };
      }
      let total = 0;
      for (const p of pieces) {
        const o = p.valueOffsets as Int32Array;
        checkLength(o, p.length + 1, field);
        total += o[p.length]! - o[0]!;
      }
      const bytes = new Uint8Array(total);
      const offsets = new Int32Array(rows + 1);
      let at = 0;
      let pos = 0;
      for (const p of pieces) {
        const o = p.valueOffsets as Int32Array;
        const src = p.values as Uint8Array;
        const base = o[0]!;
        const end = o[p.length]!;
        bytes.set(src.subarray(base, end), pos);
        const shift = pos - base;
        for (let i = 0; i < p.length; i++) offsets[at + i] = o[i]! + shift;
        pos += end - base;
        at += p.length;
      }
      offsets[rows] = pos;
      return { kind: 'bytes', bytes, offsets };
    }
  }
}

function checkLength(v: ArrayLike<unknown>, needed: number, field: Field): void {
  invariant(v.length >= needed, `column "${field.name}" has fewer values than rows`);
}

/** Keeps the values of valid rows only. */
function compact(all: DenseValues, valid: Uint8Array, count: number): DenseValues {
  const rows = valid.length;
  switch (all.kind) {
    case 'int32':
    case 'float':
    case 'double':
    case 'boolean': {
      const src = all.values;
      const out = new (src.constructor as Int32ArrayConstructor)(count) as unknown as typeof src;
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (valid[i] !== 0) out[k++] = src[i]!;
      }
      return { kind: all.kind, values: out } as DenseValues;
    }
    case 'int64': {
      const src = all.words;
      const out = new Int32Array(2 * count);
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (valid[i] !== 0) {
          out[k++] = src[2 * i]!;
          out[k++] = src[2 * i + 1]!;
        }
      }
      return { kind: 'int64', words: out };
    }
    case 'decimal128': {
      const src = all.words;
      const out = new Uint32Array(4 * count);
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (valid[i] !== 0) {
          out[k++] = src[4 * i]!;
          out[k++] = src[4 * i + 1]!;
          out[k++] = src[4 * i + 2]!;
          out[k++] = src[4 * i + 3]!;
        }
      }
      return { kind: 'decimal128', words: out };
    }
    case 'bytes': {
      const { bytes, offsets } = all;
      let total = 0;
      for (let i = 0; i < rows; i++) if (valid[i] !== 0) total += offsets[i + 1]! - offsets[i]!;
      const outBytes = new Uint8Array(total);
      const outOffsets = new Int32Array(count + 1);
      let k = 0;
      let pos = 0;
      for (let i = 0; i < rows; i++) {
        if (valid[i] === 0) continue;
        const s = offsets[i]!;
        const e = offsets[i + 1]!;
        outOffsets[k++] = pos;
        if (e - s > 32) outBytes.set(bytes.subarray(s, e), pos);
        else for (let b = s; b < e; b++) outBytes[pos + b - s] = bytes[b]!;
        pos += e - s;
      }
      outOffsets[count] = pos;
      return { kind: 'bytes', bytes: outBytes, offsets: outOffsets };
    }
  }
}
