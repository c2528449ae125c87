/**
 * `take` and `concat` for array columns (Arrow List<child>) and map columns (Arrow Map: a list of
 * key-value entry structs): the offsets are rebuilt in one typed loop, and the child is gathered
 * with a single `take` of computed child indices, so nested arrays recurse one level per call
 * rather than one row at a time. Struct columns gather each field.
 *
 * Reading a List Data: `valueOffsets` is already shifted by Arrow's slice (index it at row `i`) and
 * points into the whole child; validity is read at `data.offset + i`.
 */
import type * as arrow from 'apache-arrow';
import { makeListColumn, makeStructColumn, type DataType } from '../../common/index.ts';

/**
 * The element type of an array type; of a map, its entries' struct of a (non-null) key and a value
 * (null's type for anything else).
 */
function elementOf(type: DataType): DataType {
  if (type.kind === 'array') return type.element;
  if (type.kind === 'map') {
    return {
      kind: 'struct',
      fields: [
        { name: 'key', type: type.key, nullable: false },
        { name: 'value', type: type.value, nullable: type.valueContainsNull },
      ],
    };
  }
  return { kind: 'null' };
}

/** One byte per output row (1 = valid), or null when the source has no NULL and no index is -1. */
function gatherValidity(column: arrow.Data, indices: Int32Array, count: number): Uint8Array | null {
  const bitmap = column.nullBitmap;
  const hasBitmap = bitmap !== undefined && bitmap.length > 0 && column.nullCount > 0;
  let anyMissing = false;
  for (let k = 0; k < count; k++) {
    if (indices[k]! < 0) {
      anyMissing = true;
      break;
    }
  }
  if (!hasBitmap && !anyMissing) return null;
  const valid = new Uint8Array(count);
  const off = column.offset;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (i < 0) continue;
    if (!hasBitmap) valid[k] = 1;
    else {
      const j = off + i;
      valid[k] = (bitmap[j >> 3]! >> (j & 7)) & 1;
    }
  }
  return valid;
}

/**
 * Gathers rows `indices[0..count)` of an array column (-1 = NULL) into a new offset-0 column.
 * `takeChild` is the general `take`, passed in to recurse into the element type.
 */
export function takeList(
  column: arrow.Data,
  type: DataType,
  indices: Int32Array,
  count: number,
  takeChild: (c: arrow.Data, t: DataType, idx: Int32Array, n: number) => arrow.Data,
): arrow.Data {
  const { offsets, childIdx, total, valid } = gatherOffsets(column, indices, count);
  const element = elementOf(type);
  const child = takeChild(column.children[0]!, element, childIdx, total);
  return makeListColumn(type, offsets, child, count, valid);
}

/** The new offsets of rows `indices` of a list-like column, and the child rows they gather. */
function gatherOffsets(
  column: arrow.Data,
  indices: Int32Array,
  count: number,
): { offsets: Int32Array; childIdx: Int32Array; total: number; valid: Uint8Array | null } {
  const valid = gatherValidity(column, indices, count);
  const src = column.valueOffsets as Int32Array;
  const offsets = new Int32Array(count + 1);
  let total = 0;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (i >= 0 && (valid === null || valid[k] === 1)) total += src[i + 1]! - src[i]!;
    offsets[k + 1] = total;
  }
  const childIdx = new Int32Array(total);
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (offsets[k + 1] === offsets[k]) continue;
    const i = indices[k]!;
    for (let j = src[i]!, e = src[i + 1]!; j < e; j++) childIdx[p++] = j;
  }
  return { offsets, childIdx, total, valid };
}

/** Concatenates array columns of one type into one offset-0 column. */
export function concatLists(
  columns: readonly arrow.Data[],
  type: DataType,
  takeChild: (c: arrow.Data, t: DataType, idx: Int32Array, n: number) => arrow.Data,
  concatChildren: (cs: readonly arrow.Data[], t: DataType) => arrow.Data,
): arrow.Data {
  let n = 0;
  for (const c of columns) n += c.length;
  const offsets = new Int32Array(n + 1);
  let valid: Uint8Array | null = null;
  const children: arrow.Data[] = [];
  const element = elementOf(type);
  let base = 0;
  let total = 0;
  for (const c of columns) {
    const len = c.length;
    const src = c.valueOffsets as Int32Array;
    const start = len === 0 ? 0 : src[0]!;
    const end = len === 0 ? 0 : src[len]!;
    for (let i = 0; i < len; i++) offsets[base + i + 1] = total + src[i + 1]! - start;
    if (c.nullCount > 0) {
      valid ??= new Uint8Array(n).fill(1);
      const bitmap = c.nullBitmap;
      for (let i = 0; i < len; i++) {
        const j = c.offset + i;
        valid[base + i] = (bitmap[j >> 3]! >> (j & 7)) & 1;
      }
    }
    const range = new Int32Array(end - start);
    for (let j = 0; j < range.length; j++) range[j] = start + j;
    children.push(takeChild(c.children[0]!, element, range, range.length));
    total += end - start;
    base += len;
  }
  return makeListColumn(type, offsets, concatChildren(children, element), n, valid);
}

/**
 * Gathers rows of a struct column (-1 = NULL): each field's column is gathered by the same
 * indices (arrow-js slices a struct's children with it, so row i of the struct is row i of each).
 */
export function takeStruct(
  column: arrow.Data,
  type: DataType & { kind: 'struct' },
  indices: Int32Array,
  count: number,
  takeChild: (c: arrow.Data, t: DataType, idx: Int32Array, n: number) => arrow.Data,
): arrow.Data {
  const children = type.fields.map((f, k) => takeChild(column.children[k]!, f.type, indices, count));
  return makeStructColumn(type, children, count, gatherValidity(column, indices, count));
}

/** Struct columns one after another: each field's columns concatenated. */
export function concatStructs(
  columns: readonly arrow.Data[],
  type: DataType & { kind: 'struct' },
  concatChildren: (cs: readonly arrow.Data[], t: DataType) => arrow.Data,
): arrow.Data {
  let n = 0;
  let anyNull = false;
  for (const c of columns) {
    n += c.length;
    if (c.nullCount > 0) anyNull = true;
  }
  let valid: Uint8Array | null = null;
  if (anyNull) {
    valid = new Uint8Array(n);
    let base = 0;
    for (const c of columns) {
      const all = new Int32Array(c.length);
      for (let i = 0; i < c.length; i++) all[i] = i;
      valid.set(gatherValidity(c, all, c.length) ?? new Uint8Array(c.length).fill(1), base);
      base += c.length;
    }
  }
  const children = type.fields.map((f, k) =>
    concatChildren(
      columns.map((c) => c.children[k]!),
      f.type,
    ),
  );
  return makeStructColumn(type, children, n, valid);
}
