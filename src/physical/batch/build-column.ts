/**
 * Wraps the raw output buffers of the batch utilities (one layout per type, see column-view.ts)
 * as Arrow columns of a Spark type. Validity is one byte per row (1 = valid) or null for "no nulls".
 */
import type * as arrow from 'apache-arrow';
import {
  makeColumn,
  makeStringColumn,
  nullColumn,
  type DataType,
  type TypedArray,
} from '../../common/index.ts';

/** Allocates the values array of the `int` or `float` layout for `type`. */
export function allocNumeric(
  type: DataType,
  n: number,
): Int8Array | Int16Array | Int32Array | Float32Array | Float64Array {
  if (type.kind === 'tinyint') return new Int8Array(n);
  if (type.kind === 'smallint') return new Int16Array(n);
  if (type.kind === 'float') return new Float32Array(n);
  if (type.kind === 'double') return new Float64Array(n);
  return new Int32Array(n);
}

/** A column from `int`/`float` layout values, or bool bytes (0/1 per row). */
export function numericColumn(
  type: DataType,
  values: TypedArray,
  n: number,
  valid: Uint8Array | null,
): arrow.Data {
  if (type.kind === 'null') return nullColumn(type, n);
  return makeColumn(type, values, n, valid);
}

/** A column from `words` layout values (Int32 words, `stride` per row). */
export function wordsColumn(
  type: DataType,
  words: Int32Array,
  n: number,
  valid: Uint8Array | null,
): arrow.Data {
  const big = new BigInt64Array(words.buffer, words.byteOffset, words.length >> 1);
  return makeColumn(type, big, n, valid);
}

/** A string or binary column. */
export function bytesColumn(
  type: DataType,
  offsets: Int32Array,
  bytes: Uint8Array,
  n: number,
  valid: Uint8Array | null,
): arrow.Data {
  return makeStringColumn(offsets, bytes, n, valid, type);
}
