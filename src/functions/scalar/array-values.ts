/**
 * Equality keys and ordering of single values, for the array functions that compare elements
 * (array_contains, array_distinct, sort_array, array_min …) and for collect_set. Spark's rules:
 * NaN equals NaN and sorts above every other double, -0.0 equals 0.0, strings and binaries compare
 * by bytes (code points), arrays element by element with NULL first.
 */
import type { Value } from '../../common/index.ts';

/** A string that is equal for equal values of one type (elements of one array share a type). */
export function valueKey(v: Value): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'number':
      return v === 0 ? 'n0' : `n${v}`;
    case 'bigint':
      return `b${v}`;
    case 'string':
      return `s${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      break;
  }
  if (v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return `[${(v as readonly Value[]).map(valueKey).join(',')}]`;
  return `m${valueKey([...(v as ReadonlyMap<Value, Value>).entries()].flat())}`;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Code point order (= UTF-8 byte order), not UTF-16 unit order.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Total order of two non-NULL values of one type (NULLs, if any, sort first). */
export function compareValues(a: Value, b: Value): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = a as readonly Value[];
    const y = b as readonly Value[];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compareValues(x[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
  }
  return 0;
}

/** The distinct values in first-seen order (NULL kept once). */
export function distinctValues(values: readonly Value[]): Value[] {
  const seen = new Set<string>();
  const out: Value[] = [];
  for (const v of values) {
    const k = valueKey(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}
