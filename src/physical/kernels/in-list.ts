/**
 * `x [NOT] IN (v1, v2, …)` against constant items: a hash set of the items' values (strings are
 * looked up by their text, decoded once per row only when the list is long; short lists compare
 * UTF-8 bytes; arrays, maps, structs and calendar intervals by their canonical text). NULL semantics: NULL input → NULL; not found and a NULL item in the list → NULL.
 */
import { makeColumn, utf8, valueAt, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue } from '../../functions/index.ts';
import { canonicalText, validityOf } from '../../functions/index.ts';

const BOOL: DataType = { kind: 'boolean' };

function key(v: Value, type: DataType): Value {
  // Arrays, maps, structs and calendar intervals by their canonical text (equal exactly when the
  // values are).
  if (
    type.kind === 'array' ||
    type.kind === 'map' ||
    type.kind === 'struct' ||
    type.kind === 'calendar_interval'
  )
    return canonicalText(v);
  if (type.kind === 'float' || type.kind === 'double')
    return Number.isNaN(v) ? 'NaN' : (v as number) === 0 ? 0 : v;
  if (type.kind === 'binary') return Array.from(v as Uint8Array).join(',');
  return v;
}

export function inList(
  input: ColumnarValue,
  items: readonly Value[],
  type: DataType,
  negated: boolean,
  numRows: number,
): ColumnarValue {
  let hasNull = false;
  const set = new Set<Value>();
  for (const it of items) {
    if (it === null) hasNull = true;
    else set.add(key(it, type));
  }
  const decide = (found: boolean): boolean | null => (found ? !negated : hasNull ? null : negated);
  if (input.kind === 'scalar') {
    const v = input.value;
    return { kind: 'scalar', value: v === null ? null : decide(set.has(key(v, type))), type: BOOL };
  }
  const n = numRows;
  const data = input.data;
  const inValid = validityOf(input);
  const out = new Uint8Array(n);
  const valid = new Uint8Array(n);
  const foundValue = negated ? 0 : 1;
  const notFoundValid = hasNull ? 0 : 1;
  if (type.kind === 'string') {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const base = data.offset;
    const consts = [...set].map((s) => utf8.encoder.encode(s as string));
    for (let i = 0; i < n; i++) {
      if (inValid !== null && inValid[i] === 0) continue;
      const s = offsets[base + i]!;
      const e = offsets[base + i + 1]!;
      let found = false;
      if (consts.length <= 16) {
        for (const c of consts) {
          if (c.length !== e - s) continue;
          let k = 0;
          while (k < c.length && c[k] === bytes[s + k]) k++;
          if (k === c.length) {
            found = true;
            break;
          }
        }
      } else found = set.has(utf8.decoder.decode(bytes.subarray(s, e)));
      if (found) {
        out[i] = foundValue;
        valid[i] = 1;
      } else {
        out[i] = 1 - foundValue;
        valid[i] = notFoundValid;
      }
    }
  } else if (
    type.kind === 'int' ||
    type.kind === 'date' ||
    type.kind === 'smallint' ||
    type.kind === 'tinyint' ||
    type.kind === 'double' ||
    type.kind === 'float'
  ) {
    const vals = (data.values as Int32Array | Float64Array).subarray(data.offset, data.offset + n);
    const isFloat = type.kind === 'double' || type.kind === 'float';
    for (let i = 0; i < n; i++) {
      if (inValid !== null && inValid[i] === 0) continue;
      const x = vals[i]!;
      const found = isFloat ? set.has(key(x, type)) : set.has(x);
      if (found) {
        out[i] = foundValue;
        valid[i] = 1;
      } else {
        out[i] = 1 - foundValue;
        valid[i] = notFoundValid;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (inValid !== null && inValid[i] === 0) continue;
      const found = set.has(key(valueAt(data, type, i), type));
      if (found) {
        out[i] = foundValue;
        valid[i] = 1;
      } else {
        out[i] = 1 - foundValue;
        valid[i] = notFoundValid;
      }
    }
  }
  return { kind: 'array', data: makeColumn(BOOL, out, n, valid) };
}
