/**
 * Ordering of single values and of rows in columns, shared by comparisons, IN lists, min/max,
 * greatest/least and sorting helpers. Strings compare on UTF-8 bytes (code-point order), decimals on
 * unscaled integers, doubles with Spark's NaN rule (NaN = NaN, NaN greater than every number),
 * arrays and structs by their elements and fields.
 */
import { utf8, type DataType, type Value } from '../../common/index.ts';

export function compareBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const la = aEnd - aStart;
  const lb = bEnd - bStart;
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const x = a[aStart + k]!;
    const y = b[bStart + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

export function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const na = a !== a;
  const nb = b !== b;
  return na && nb ? 0 : na ? 1 : -1;
}

/** Nested values' elements and fields: NULL before any value. */
function compareNullsFirst(a: Value, b: Value, type: DataType): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareValues(a, b, type);
}

/**
 * Three-way comparison of two non-null values of one type. Arrays compare element by element (a
 * NULL element first), then the shorter first; structs field by field (a NULL field first).
 */
export function compareValues(a: Value, b: Value, type: DataType): number {
  switch (type.kind) {
    case 'string': {
      const x = utf8.encoder.encode(a as string);
      const y = utf8.encoder.encode(b as string);
      return compareBytes(x, 0, x.length, y, 0, y.length);
    }
    case 'binary': {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      return compareBytes(x, 0, x.length, y, 0, y.length);
    }
    case 'boolean':
      return a === b ? 0 : a === false ? -1 : 1;
    case 'float':
    case 'double':
      return compareDoubles(a as number, b as number);
    case 'array': {
      const x = a as readonly Value[];
      const y = b as readonly Value[];
      const m = x.length < y.length ? x.length : y.length;
      for (let k = 0; k < m; k++) {
        const c = compareNullsFirst(x[k] ?? null, y[k] ?? null, type.element);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 'calendar_interval': {
      // field by field: only equality is visible in SQL (the type is not orderable), and grouping
      // and DISTINCT need a consistent total order
      const x = a as readonly Value[];
      const y = b as readonly Value[];
      for (let k = 0; k < 3; k++) {
        if (x[k]! !== y[k]!) return x[k]! < y[k]! ? -1 : 1;
      }
      return 0;
    }
    case 'struct': {
      const x = a as readonly Value[];
      const y = b as readonly Value[];
      for (let k = 0; k < type.fields.length; k++) {
        const c = compareNullsFirst(x[k] ?? null, y[k] ?? null, type.fields[k]!.type);
        if (c !== 0) return c;
      }
      return 0;
    }
    default:
      return (a as number | bigint) < (b as number | bigint)
        ? -1
        : (a as number | bigint) > (b as number | bigint)
          ? 1
          : 0;
  }
}
