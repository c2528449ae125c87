/**
 * Vectorized higher-order functions. A lambda's body is never called per element: the elements of
 * every array (or entries of every map) of the batch are laid out as one batch of their own — the
 * elements as parameter columns, the row's columns repeated once per element — and the body is
 * evaluated once over it (`LambdaEvaluator`). Elements of NULL arrays are never evaluated.
 *
 * `aggregate` is sequential within an array, so it steps through positions: step s evaluates the
 * merge once over the s-th element of every array still that long, with each array's accumulator.
 * `array_sort` with a comparator is a bottom-up merge sort whose merges place every element by a
 * binary search in the other run, all elements of the batch searching together.
 *
 * NULLs as in Spark: a NULL array or map gives NULL; `exists`/`forall` follow three-valued logic
 * (`exists` is NULL when no element is true and one is NULL); `filter` keeps elements whose
 * predicate is true; `transform_keys` raises NULL_MAP_KEY (2200E) and DUPLICATED_MAP_KEY (23505);
 * a comparator returning NULL raises COMPARATOR_RETURNS_NULL (22004).
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  T,
  makeColumn,
  makeListColumn,
  makeMapColumn,
  nullColumn,
  unpackBits,
  valueAt,
  type DataType,
} from '../../common/index.ts';
import type { ColumnarValue, EvalContext } from '../../functions/index.ts';
import {
  duplicatedMapKey,
  nullMapKey,
  toArray,
  validityBytes,
  valueKey,
  valueText,
} from '../../functions/index.ts';
import { exprType, type HigherOrderExpr } from '../../plan/index.ts';
import { concatColumns } from '../batch/concat.ts';
import { take } from '../batch/take.ts';

export type Evaluator = (batch: arrow.RecordBatch, ctx: EvalContext) => ColumnarValue;

/**
 * A compiled lambda body: evaluated over `count` elements at once, `rows[k]` being the input row
 * element k belongs to (the row's columns are repeated per element) and `params` one column of
 * `count` rows per parameter.
 */
export type LambdaEvaluator = (
  batch: arrow.RecordBatch,
  rows: Int32Array,
  params: readonly arrow.Data[],
  count: number,
  ctx: EvalContext,
) => ColumnarValue;

/** Rows of an array or map column: per row its first child index and its length (0 when NULL). */
interface Nested {
  readonly n: number;
  /** One byte per row (1 = valid), or null when all are valid. */
  readonly valid: Uint8Array | null;
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  /** The elements (arrays) or the entries struct (maps); absent for a column of type null. */
  readonly child: arrow.Data | undefined;
  readonly total: number;
  readonly maxLength: number;
}

function readNested(data: arrow.Data, n: number): Nested {
  const starts = new Int32Array(n);
  const lengths = new Int32Array(n);
  const child = data.children[0];
  if (child === undefined || data.valueOffsets === undefined) {
    return { n, valid: new Uint8Array(n), starts, lengths, child, total: 0, maxLength: 0 };
  }
  const valid = validityBytes(data);
  const offsets = data.valueOffsets as Int32Array;
  let total = 0;
  let maxLength = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const len = offsets[i + 1]! - offsets[i]!;
    starts[i] = offsets[i]!;
    lengths[i] = len;
    total += len;
    if (len > maxLength) maxLength = len;
  }
  return { n, valid, starts, lengths, child, total, maxLength };
}

/** The elements of all rows one after another: owning row, child index, position in the row. */
interface Flat {
  readonly rows: Int32Array;
  readonly elems: Int32Array;
  readonly positions: Int32Array;
  /** New offsets (n + 1) of the rows over the flattened elements. */
  readonly offsets: Int32Array;
  readonly count: number;
}

function flatten(a: Nested): Flat {
  const count = a.total;
  const rows = new Int32Array(count);
  const elems = new Int32Array(count);
  const positions = new Int32Array(count);
  const offsets = new Int32Array(a.n + 1);
  let k = 0;
  for (let i = 0; i < a.n; i++) {
    const start = a.starts[i]!;
    const len = a.lengths[i]!;
    for (let j = 0; j < len; j++) {
      rows[k] = i;
      elems[k] = start + j;
      positions[k] = j;
      k++;
    }
    offsets[i + 1] = k;
  }
  return { rows, elems, positions, offsets, count };
}

function elementType(t: DataType): DataType {
  return t.kind === 'array' ? t.element : T.null;
}

function keyValueTypes(t: DataType): [DataType, DataType] {
  return t.kind === 'map' ? [t.key, t.value] : [T.null, T.null];
}

/** Elements `idx` of a nested column's child (a column of NULLs when the column has type null). */
function takeChild(child: arrow.Data | undefined, t: DataType, idx: Int32Array, count: number): arrow.Data {
  if (child === undefined) return nullColumn(t, count);
  return take(child, t, idx, count);
}

/** Per element: 1 = true, 0 = false, 2 = NULL. */
function truthOf(v: ColumnarValue, count: number): Uint8Array {
  const out = new Uint8Array(count);
  if (v.kind === 'scalar') {
    out.fill(v.value === null ? 2 : v.value === true ? 1 : 0);
    return out;
  }
  const bits = unpackBits(v.data);
  const valid = validityBytes(v.data);
  for (let k = 0; k < count; k++) out[k] = valid !== null && valid[k] === 0 ? 2 : bits[k]!;
  return out;
}

function identity(count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = i;
  return out;
}

function internal(message: string): EngineError {
  return new EngineError(SqlState.internalError, `internal error: ${message}`);
}

/** The evaluator of a higher-order call, given its compiled value arguments and lambdas. */
export function compileHigherOrder(
  e: HigherOrderExpr,
  args: readonly Evaluator[],
  lambdas: readonly LambdaEvaluator[],
): Evaluator {
  const argTypes = e.args.map(exprType);
  const type = e.type;
  const lambda = lambdas[0]!;
  const arity = e.lambdas[0]!.params.length;
  const nested = (batch: arrow.RecordBatch, ctx: EvalContext, i: number): Nested =>
    readNested(toArray(args[i]!(batch, ctx), batch.numRows), batch.numRows);
  switch (e.name) {
    case 'transform':
      return (batch, ctx) => transform(batch, ctx, nested(batch, ctx, 0), argTypes[0]!, type, lambda, arity);
    case 'filter':
      return (batch, ctx) => filter(batch, ctx, nested(batch, ctx, 0), argTypes[0]!, lambda, arity);
    case 'exists':
    case 'forall': {
      const isExists = e.name === 'exists';
      return (batch, ctx) => quantify(batch, ctx, nested(batch, ctx, 0), argTypes[0]!, lambda, isExists);
    }
    case 'aggregate': {
      const finish = lambdas[1];
      return (batch, ctx) => {
        const zero = toArray(args[1]!(batch, ctx), batch.numRows);
        const a = nested(batch, ctx, 0);
        return aggregate(batch, ctx, a, argTypes[0]!, zero, argTypes[1]!, lambda, finish, type);
      };
    }
    case 'zip_with':
      return (batch, ctx) =>
        zipWith(batch, ctx, nested(batch, ctx, 0), nested(batch, ctx, 1), argTypes, type, lambda);
    case 'array_sort':
      return (batch, ctx) => sortWith(batch, ctx, nested(batch, ctx, 0), argTypes[0]!, lambda);
    case 'map_filter':
    case 'transform_keys':
    case 'transform_values': {
      const name = e.name;
      return (batch, ctx) => mapEntries(batch, ctx, nested(batch, ctx, 0), argTypes[0]!, type, lambda, name);
    }
    case 'map_zip_with':
      return (batch, ctx) =>
        mapZipWith(batch, ctx, nested(batch, ctx, 0), nested(batch, ctx, 1), argTypes, type, lambda);
    default:
      throw internal(`unknown higher-order function ${e.name}`);
  }
}

function transform(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  a: Nested,
  arrayType: DataType,
  type: DataType,
  lambda: LambdaEvaluator,
  arity: number,
): ColumnarValue {
  const f = flatten(a);
  const elems = takeChild(a.child, elementType(arrayType), f.elems, f.count);
  const params = arity === 2 ? [elems, makeColumn(T.int, f.positions, f.count, null)] : [elems];
  const values = toArray(lambda(batch, f.rows, params, f.count, ctx), f.count);
  return { kind: 'array', data: makeListColumn(type, f.offsets, values, a.n, a.valid) };
}

function filter(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  a: Nested,
  arrayType: DataType,
  lambda: LambdaEvaluator,
  arity: number,
): ColumnarValue {
  const f = flatten(a);
  const element = elementType(arrayType);
  const elems = takeChild(a.child, element, f.elems, f.count);
  const params = arity === 2 ? [elems, makeColumn(T.int, f.positions, f.count, null)] : [elems];
  const keep = truthOf(lambda(batch, f.rows, params, f.count, ctx), f.count);
  const offsets = new Int32Array(a.n + 1);
  const kept = new Int32Array(f.count);
  let p = 0;
  for (let i = 0; i < a.n; i++) {
    for (let k = f.offsets[i]!, end = f.offsets[i + 1]!; k < end; k++) if (keep[k] === 1) kept[p++] = k;
    offsets[i + 1] = p;
  }
  const child = take(elems, element, kept, p);
  return { kind: 'array', data: makeListColumn(arrayType, offsets, child, a.n, a.valid) };
}

/** exists (any element true) or forall (every element true), in three-valued logic. */
function quantify(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  a: Nested,
  arrayType: DataType,
  lambda: LambdaEvaluator,
  isExists: boolean,
): ColumnarValue {
  const f = flatten(a);
  const elems = takeChild(a.child, elementType(arrayType), f.elems, f.count);
  const truth = truthOf(lambda(batch, f.rows, [elems], f.count, ctx), f.count);
  const decisive = isExists ? 1 : 0;
  const out = new Uint8Array(a.n);
  const valid = new Uint8Array(a.n);
  for (let i = 0; i < a.n; i++) {
    if (a.valid !== null && a.valid[i] === 0) continue;
    let sawNull = false;
    let decided = false;
    for (let k = f.offsets[i]!, end = f.offsets[i + 1]!; k < end; k++) {
      const t = truth[k]!;
      if (t === decisive) {
        decided = true;
        break;
      }
      if (t === 2) sawNull = true;
    }
    if (decided) {
      out[i] = decisive;
      valid[i] = 1;
    } else if (!sawNull) {
      out[i] = 1 - decisive;
      valid[i] = 1;
    }
  }
  return { kind: 'array', data: makeColumn(T.boolean, out, a.n, valid) };
}

/**
 * Folds every array left to right. `act` lists the rows still folding, `acc` their accumulators
 * (one per entry of `act`); each step evaluates the merge once for all of them.
 */
function aggregate(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  a: Nested,
  arrayType: DataType,
  zero: arrow.Data,
  accType: DataType,
  merge: LambdaEvaluator,
  finish: LambdaEvaluator | undefined,
  type: DataType,
): ColumnarValue {
  const n = a.n;
  const element = elementType(arrayType);
  const done: arrow.Data[] = [];
  const where = new Int32Array(n).fill(-1);
  let doneCount = 0;
  const finishRows = (col: arrow.Data, idx: Int32Array, rows: Int32Array, count: number): void => {
    if (count === 0) return;
    done.push(take(col, accType, idx, count));
    for (let k = 0; k < count; k++) where[rows[k]!] = doneCount + k;
    doneCount += count;
  };
  // rows whose array is empty keep the start value; the others start folding
  const empty: number[] = [];
  const started: number[] = [];
  for (let i = 0; i < n; i++) {
    if (a.valid !== null && a.valid[i] === 0) continue;
    (a.lengths[i] === 0 ? empty : started).push(i);
  }
  finishRows(zero, Int32Array.from(empty), Int32Array.from(empty), empty.length);
  let act = Int32Array.from(started);
  let acc = take(zero, accType, act, act.length);
  for (let s = 0; act.length > 0; s++) {
    const count = act.length;
    const elemIdx = new Int32Array(count);
    for (let k = 0; k < count; k++) elemIdx[k] = a.starts[act[k]!]! + s;
    const elems = takeChild(a.child, element, elemIdx, count);
    const merged = toArray(merge(batch, act, [acc, elems], count, ctx), count);
    const going: number[] = [];
    const ending: number[] = [];
    for (let k = 0; k < count; k++) (a.lengths[act[k]!]! > s + 1 ? going : ending).push(k);
    const endIdx = Int32Array.from(ending);
    finishRows(
      merged,
      endIdx,
      endIdx.map((k) => act[k]!),
      endIdx.length,
    );
    const goIdx = Int32Array.from(going);
    acc = take(merged, accType, goIdx, goIdx.length);
    act = goIdx.map((k) => act[k]!);
  }
  const finals = take(
    done.length === 0 ? take(zero, accType, new Int32Array(0), 0) : concatColumns(done, accType),
    accType,
    where,
    n,
  );
  if (finish === undefined) return { kind: 'array', data: finals };
  // the finish lambda runs on the rows with an array only: a NULL array gives NULL whatever it says
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (where[i]! >= 0) rows.push(i);
  const validRows = Int32Array.from(rows);
  const accs = take(finals, accType, validRows, validRows.length);
  const out = toArray(finish(batch, validRows, [accs], validRows.length, ctx), validRows.length);
  const back = new Int32Array(n).fill(-1);
  validRows.forEach((r, k) => (back[r] = k));
  return { kind: 'array', data: take(out, type, back, n) };
}

function zipWith(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  left: Nested,
  right: Nested,
  argTypes: readonly DataType[],
  type: DataType,
  lambda: LambdaEvaluator,
): ColumnarValue {
  const n = left.n;
  const valid = new Uint8Array(n);
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ok = (left.valid === null || left.valid[i] === 1) && (right.valid === null || right.valid[i] === 1);
    if (ok) {
      valid[i] = 1;
      total += Math.max(left.lengths[i]!, right.lengths[i]!);
    }
    offsets[i + 1] = total;
  }
  const rows = new Int32Array(total);
  const li = new Int32Array(total);
  const ri = new Int32Array(total);
  for (let i = 0, k = 0; i < n; i++) {
    const len = offsets[i + 1]! - offsets[i]!;
    for (let j = 0; j < len; j++, k++) {
      rows[k] = i;
      li[k] = j < left.lengths[i]! ? left.starts[i]! + j : -1;
      ri[k] = j < right.lengths[i]! ? right.starts[i]! + j : -1;
    }
  }
  const xs = takeChild(left.child, elementType(argTypes[0]!), li, total);
  const ys = takeChild(right.child, elementType(argTypes[1]!), ri, total);
  const values = toArray(lambda(batch, rows, [xs, ys], total, ctx), total);
  return { kind: 'array', data: makeListColumn(type, offsets, values, n, valid) };
}

function comparatorReturnedNull(elems: arrow.Data, t: DataType, l: number, r: number): EngineError {
  const show = (i: number): string => valueText(valueAt(elems, t, i));
  return new EngineError(
    SqlState.nullValueNotAllowed,
    `[COMPARATOR_RETURNS_NULL] The comparator has returned a NULL for a comparison between ${show(l)} and ${show(r)}. It should return a positive integer for "greater than", 0 for "equal" and a negative integer for "less than". To revert to deprecated behavior where NULL is treated as 0 (equal), you must set "spark.sql.legacy.allowNullComparisonResultInArraySort" to "true".`,
  );
}

/**
 * array_sort with a comparator: a stable bottom-up merge sort of every array at once. A pass of
 * width w merges neighbouring runs of w elements in every array; each element finds its place in
 * the other run of its merge by binary search, and each round of the searches compares every
 * element of the batch still searching with one evaluation of the comparator (log2(w) + 1 rounds
 * per pass). A left element goes before the right ones it is not greater than, so ties keep
 * their order. A comparator that is not a consistent order still yields a permutation.
 */
function sortWith(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  a: Nested,
  arrayType: DataType,
  comparator: LambdaEvaluator,
): ColumnarValue {
  const f = flatten(a);
  const count = f.count;
  const element = elementType(arrayType);
  const elems = takeChild(a.child, element, f.elems, count);
  let perm = identity(count);
  const segStart = new Int32Array(count);
  const segMid = new Int32Array(count);
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const dest = new Int32Array(count);
  // the positions still searching, in two buffers used in turn
  let active = new Int32Array(count);
  let next = new Int32Array(count);
  for (let width = 1; width < a.maxLength; width *= 2) {
    let activeCount = 0;
    for (let i = 0; i < a.n; i++) {
      const end = f.offsets[i + 1]!;
      for (let s = f.offsets[i]!; s < end; s += 2 * width) {
        const mid = Math.min(s + width, end);
        const stop = Math.min(s + 2 * width, end);
        for (let p = s; p < stop; p++) {
          segStart[p] = s;
          segMid[p] = mid;
          // a left element searches the right run, a right element the left run
          lo[p] = p < mid ? mid : s;
          hi[p] = p < mid ? stop : mid;
          if (lo[p]! < hi[p]!) active[activeCount++] = p;
        }
      }
    }
    while (activeCount > 0) {
      const n = activeCount;
      const leftIdx = new Int32Array(n);
      const rightIdx = new Int32Array(n);
      const rows = new Int32Array(n);
      for (let k = 0; k < n; k++) {
        const p = active[k]!;
        const m = (lo[p]! + hi[p]!) >> 1;
        const left = p < segMid[p]!;
        leftIdx[k] = perm[left ? p : m]!;
        rightIdx[k] = perm[left ? m : p]!;
        rows[k] = f.rows[p]!;
      }
      const params = [take(elems, element, leftIdx, n), take(elems, element, rightIdx, n)];
      const result = toArray(comparator(batch, rows, params, n, ctx), n);
      const valid = validityBytes(result);
      const cmp = result.values as Int32Array;
      let still = 0;
      for (let k = 0; k < n; k++) {
        if (valid !== null && valid[k] === 0) {
          throw comparatorReturnedNull(elems, element, leftIdx[k]!, rightIdx[k]!);
        }
        const p = active[k]!;
        const m = (lo[p]! + hi[p]!) >> 1;
        // the left element goes before m when not greater; the right one after m unless m is greater
        const before = p < segMid[p]! ? cmp[k]! <= 0 : cmp[k]! > 0;
        if (before) hi[p] = m;
        else lo[p] = m + 1;
        if (lo[p]! < hi[p]!) next[still++] = p;
      }
      [active, next] = [next, active];
      activeCount = still;
    }
    const out = new Int32Array(count);
    const taken = new Uint8Array(count);
    let consistent = true;
    for (let p = 0; p < count; p++) {
      const s = segStart[p]!;
      const mid = segMid[p]!;
      const d = p < mid ? p + lo[p]! - mid : s + (p - mid) + (lo[p]! - s);
      dest[p] = d;
      if (taken[d] === 1) consistent = false;
      taken[d] = 1;
      out[d] = perm[p]!;
    }
    if (!consistent) {
      // an inconsistent comparator: keep its places as far as they go, ties by position
      const order = identity(count).sort((x, y) => dest[x]! - dest[y]! || x - y);
      for (let k = 0; k < count; k++) out[k] = perm[order[k]!]!;
    }
    perm = out;
  }
  const child = take(elems, element, perm, count);
  return { kind: 'array', data: makeListColumn(arrayType, f.offsets, child, a.n, a.valid) };
}

/** map_filter, transform_keys and transform_values over the entries of every map at once. */
function mapEntries(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  m: Nested,
  mapType: DataType,
  type: DataType,
  lambda: LambdaEvaluator,
  name: 'map_filter' | 'transform_keys' | 'transform_values',
): ColumnarValue {
  const f = flatten(m);
  const [keyType, valueType] = keyValueTypes(mapType);
  const keys = takeChild(m.child?.children[0], keyType, f.elems, f.count);
  const values = takeChild(m.child?.children[1], valueType, f.elems, f.count);
  const result = lambda(batch, f.rows, [keys, values], f.count, ctx);
  const outType = type as DataType & { kind: 'map' };
  if (name === 'transform_values') {
    const data = makeMapColumn(outType, f.offsets, keys, toArray(result, f.count), m.n, m.valid);
    return { kind: 'array', data };
  }
  if (name === 'transform_keys') {
    const newKeys = toArray(result, f.count);
    checkKeys(newKeys, outType.key, f.offsets, m.n);
    return { kind: 'array', data: makeMapColumn(outType, f.offsets, newKeys, values, m.n, m.valid) };
  }
  const keep = truthOf(result, f.count);
  const offsets = new Int32Array(m.n + 1);
  const kept = new Int32Array(f.count);
  let p = 0;
  for (let i = 0; i < m.n; i++) {
    for (let k = f.offsets[i]!, end = f.offsets[i + 1]!; k < end; k++) if (keep[k] === 1) kept[p++] = k;
    offsets[i + 1] = p;
  }
  const data = makeMapColumn(
    outType,
    offsets,
    take(keys, keyType, kept, p),
    take(values, valueType, kept, p),
    m.n,
    m.valid,
  );
  return { kind: 'array', data };
}

/** New map keys may be neither NULL (2200E) nor repeated within a map (23505). */
function checkKeys(keys: arrow.Data, keyType: DataType, offsets: Int32Array, n: number): void {
  const valid = validityBytes(keys);
  if (valid !== null) {
    for (let k = 0; k < keys.length; k++) if (valid[k] === 0) throw nullMapKey();
  }
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (end - start < 2) continue;
    const seen = new Set<string>();
    for (let k = start; k < end; k++) {
      const key = valueAt(keys, keyType, k);
      const id = valueKey(key);
      if (seen.has(id)) throw duplicatedMapKey(key);
      seen.add(id);
    }
  }
}

/**
 * map_zip_with: per row the keys of the first map in order, then those only in the second; the
 * lambda sees each key with its value in either map (NULL where a map lacks it).
 */
function mapZipWith(
  batch: arrow.RecordBatch,
  ctx: EvalContext,
  left: Nested,
  right: Nested,
  argTypes: readonly DataType[],
  type: DataType,
  lambda: LambdaEvaluator,
): ColumnarValue {
  const n = left.n;
  const [keyType, leftValueType] = keyValueTypes(argTypes[0]!);
  const rightValueType = keyValueTypes(argTypes[1]!)[1];
  const leftKeys = left.child?.children[0];
  const rightKeys = right.child?.children[0];
  const leftCount = leftKeys?.length ?? 0;
  const valid = new Uint8Array(n);
  const offsets = new Int32Array(n + 1);
  const keyIdx: number[] = [];
  const li: number[] = [];
  const ri: number[] = [];
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const ok = (left.valid === null || left.valid[i] === 1) && (right.valid === null || right.valid[i] === 1);
    if (ok) {
      valid[i] = 1;
      const position = new Map<string, number>();
      for (let j = 0; j < left.lengths[i]!; j++) {
        const at = left.starts[i]! + j;
        position.set(valueKey(valueAt(leftKeys!, keyType, at)), keyIdx.length);
        keyIdx.push(at);
        li.push(at);
        ri.push(-1);
        rows.push(i);
      }
      for (let j = 0; j < right.lengths[i]!; j++) {
        const at = right.starts[i]! + j;
        const found = position.get(valueKey(valueAt(rightKeys!, keyType, at)));
        if (found !== undefined) {
          ri[found] = at;
          continue;
        }
        keyIdx.push(leftCount + at);
        li.push(-1);
        ri.push(at);
        rows.push(i);
      }
    }
    offsets[i + 1] = keyIdx.length;
  }
  const total = keyIdx.length;
  const keySources: arrow.Data[] = [];
  if (leftKeys !== undefined) keySources.push(leftKeys);
  if (rightKeys !== undefined) keySources.push(rightKeys);
  const allKeys =
    keySources.length === 0
      ? undefined
      : keySources.length === 1
        ? keySources[0]
        : concatColumns(keySources, keyType);
  const keys = takeChild(allKeys, keyType, Int32Array.from(keyIdx), total);
  const v1 = takeChild(left.child?.children[1], leftValueType, Int32Array.from(li), total);
  const v2 = takeChild(right.child?.children[1], rightValueType, Int32Array.from(ri), total);
  const values = toArray(lambda(batch, Int32Array.from(rows), [keys, v1, v2], total, ctx), total);
  const outType = type as DataType & { kind: 'map' };
  return { kind: 'array', data: makeMapColumn(outType, offsets, keys, values, n, valid) };
}
