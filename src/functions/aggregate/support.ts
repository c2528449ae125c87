/**
 * Shared pieces of the groups accumulators: growable per-group typed arrays, reading a numeric
 * column as exact float64 where possible (the two words of 64-bit values), and the filter/validity
 * test of a row.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, T, type DataType } from '../../common/index.ts';
import type { ResolvedSignature } from '../registry.ts';
import { checkArity, typeMismatch } from '../scalar/define.ts';
import { isNullType } from '../kernels/common.ts';

export function grow<T extends Float64Array | Int32Array | Uint8Array | Int8Array | BigInt64Array>(
  arr: T,
  n: number,
  make: (size: number) => T,
): T {
  if (arr.length >= n) return arr;
  const next = make(Math.max(n, arr.length * 2, 16));
  next.set(arr as never);
  return next;
}

/** One byte per row: 1 = valid (null when all valid). */
export function validOf(data: arrow.Data): Uint8Array | null {
  if (data.nullCount === 0 && !isNullType(data)) return null;
  const n = data.length;
  const out = new Uint8Array(n);
  const bitmap = data.nullBitmap;
  if (bitmap === undefined || bitmap.length === 0) return isNullType(data) ? out : null;
  const off = data.offset;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    out[i] = (bitmap[j >> 3]! >> (j & 7)) & 1;
  }
  return out;
}

/** Low (unsigned) and high (signed) words of a 64-bit column, indexed 2i / 2i+1. */
export function words64(data: arrow.Data): { lo: Uint32Array; hi: Int32Array } {
  const w = data.values as Uint32Array | BigInt64Array;
  const start = w.byteOffset + data.offset * 8;
  return {
    lo: new Uint32Array(w.buffer, start, data.length * 2),
    hi: new Int32Array(w.buffer, start, data.length * 2),
  };
}

export function unary(name: string, argTypes: readonly DataType[], allowStar = false): DataType {
  checkArity(name, argTypes, allowStar ? 0 : 1, 1);
  return argTypes[0] ?? T.null;
}

export function numericArg(name: string, t: DataType): DataType {
  switch (t.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
      return t;
    case 'null':
    case 'string':
      return T.double;
    default:
      throw typeMismatch(name, 0, '"NUMERIC"', t);
  }
}

export function sig(argTypes: readonly DataType[], returnType: DataType, nullable = true): ResolvedSignature {
  return { argTypes, returnType, nullable };
}

export function internal(message: string): EngineError {
  return new EngineError(SqlState.internalError, `internal error: ${message}`);
}

export const SAFE = 4503599627370496; // 2^52: fold float partial sums into BigInt beyond this
