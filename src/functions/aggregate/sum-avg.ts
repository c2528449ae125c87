/**
 * sum and avg. Integral and decimal inputs are summed exactly: per-group partial sums of unscaled
 * values are kept as float64 (exact while below 2^53, checked at 2^52) and folded into a per-group
 * BigInt only when they grow past that, so the hot loop never allocates a BigInt for TPC-H-sized
 * values. Spark result types: sum(integral) → bigint (ANSI overflow 22003), sum(decimal(p,s)) →
 * decimal(min(38,p+10),s), sum(float/double) → double; avg(decimal(p,s)) →
 * decimal(min(38,p+4),min(38,s+4)) rounded HALF_UP, avg of anything else → double. try_sum and
 * try_avg are sum and avg giving NULL where those overflow; a partial state that overflowed
 * carries a NULL sum, which makes its group's result NULL.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  T,
  decimal128Words,
  decimal64Values,
  makeColumn,
  readDecimal128,
  type DataType,
} from '../../common/index.ts';
import type { AggregateFunctionDef, EvalContext, GroupsAccumulator } from '../registry.ts';
import { boundedDecimal } from '../type-coercion.ts';
import {
  DecimalColumnWriter,
  POW10_NUM,
  decimalToString,
  divHalfUp,
  fitsPrecision,
  pow10,
  writeInt53,
} from '../kernels/decimal.ts';
import { INT64_MAX, INT64_MIN, decimalOverflowError, overflowError } from '../kernels/common.ts';
import { SAFE, grow, numericArg, sig, unary, validOf, words64 } from './support.ts';

type InputKind = 'small' | 'words' | 'wide' | 'float';

function inputKind(t: DataType): InputKind {
  switch (t.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
      return 'small';
    case 'bigint':
      return 'words';
    case 'decimal':
      return t.precision <= MAX_DECIMAL64_PRECISION ? 'words' : 'wide';
    default:
      return 'float';
  }
}

/** Per-group exact or floating sums with counts. */
class GroupSums {
  acc = new Float64Array(16);
  count = new Float64Array(16);
  big: bigint[] = [];
  /** 1 for a group a partial state of which overflowed (its sum arrived NULL): its result is NULL. */
  lost = new Uint8Array(16);
  groups = 0;
  readonly exact: boolean;
  constructor(exact: boolean) {
    this.exact = exact;
  }
  ensure(n: number): void {
    this.acc = grow(this.acc, n, (k) => new Float64Array(k));
    this.count = grow(this.count, n, (k) => new Float64Array(k));
    this.lost = grow(this.lost, n, (k) => new Uint8Array(k));
    if (n > this.groups) this.groups = n;
  }
  fold(g: number): void {
    this.big[g] = (this.big[g] ?? 0n) + BigInt(this.acc[g]!);
    this.acc[g] = 0;
  }
  total(g: number): bigint {
    return (this.big[g] ?? 0n) + BigInt(this.acc[g]!);
  }
  /** Whether group `g`'s exact total is `acc[g]` alone (nothing folded into a BigInt). */
  small(g: number): boolean {
    return this.big[g] === undefined;
  }
  /** Each group's count as a bigint column. */
  countsColumn(): arrow.Data {
    const n = this.groups;
    const out = new BigInt64Array(n);
    const words = new Int32Array(out.buffer);
    for (let g = 0; g < n; g++) writeInt53(words, 2 * g, this.count[g]!);
    return makeColumn(T.bigint, out, n, null);
  }
  /**
   * Adds a column of `type`: its non-NULL rows that `filter` keeps, each counted once — or, when
   * merging partial states, `counts[i]` times. `groupRows` (see `GroupsAccumulator.update`) stands
   * for the counts when the column has no NULL.
   */
  add(
    data: arrow.Data,
    type: DataType,
    groupIds: Int32Array,
    n: number,
    filter: Uint8Array | null,
    counts: Float64Array | null,
    groupRows: Float64Array | null = null,
  ): void {
    // Counts first (by group when the rows a group has are given), then one loop a kind with NULLs
    // folded into the rows kept.
    const valid = validOf(data);
    const keep = keptRows(valid, filter, n);
    const cnt = this.count;
    if (groupRows !== null && valid === null && counts === null) {
      const groups = this.groups;
      for (let g = 0; g < groups; g++) cnt[g] = cnt[g]! + groupRows[g]!;
    } else {
      const per = counts ?? ones(n);
      for (let i = 0; i < n; i++) {
        if (keep !== null && keep[i] === 0) continue;
        const g = groupIds[i]!;
        cnt[g] = cnt[g]! + per[i]!;
      }
    }
    const acc = this.acc;
    switch (inputKind(type)) {
      case 'small': {
        const vals = (data.values as Int32Array).subarray(data.offset, data.offset + n);
        for (let i = 0; i < n; i++) {
          if (keep !== null && keep[i] === 0) continue;
          const g = groupIds[i]!;
          const s = acc[g]! + vals[i]!;
          acc[g] = s;
          if (s > SAFE || s < -SAFE) this.fold(g);
        }
        return;
      }
      case 'words': {
        const { lo, hi } = words64(data);
        const big = decimal64Values(data);
        for (let i = 0; i < n; i++) {
          if (keep !== null && keep[i] === 0) continue;
          const g = groupIds[i]!;
          const h = hi[2 * i + 1]!;
          if (h >= -1048576 && h < 1048576) {
            const s = acc[g]! + (h * 4294967296 + lo[2 * i]!);
            acc[g] = s;
            if (s > SAFE || s < -SAFE) this.fold(g);
          } else this.big[g] = (this.big[g] ?? 0n) + big[i]!;
        }
        return;
      }
      case 'wide': {
        const w = decimal128Words(data);
        const words = new Int32Array(w.buffer, w.byteOffset, n * 4);
        const low = new Uint32Array(w.buffer, w.byteOffset, n * 4);
        for (let i = 0; i < n; i++) {
          if (keep !== null && keep[i] === 0) continue;
          const g = groupIds[i]!;
          const o = 4 * i;
          const h = words[o + 1]!;
          const sign = h >> 31;
          if (h >= -1048576 && h < 1048576 && words[o + 2] === sign && words[o + 3] === sign) {
            const sum = acc[g]! + (h * 4294967296 + low[o]!);
            acc[g] = sum;
            if (sum > SAFE || sum < -SAFE) this.fold(g);
          } else this.big[g] = (this.big[g] ?? 0n) + readDecimal128(w, i);
        }
        return;
      }
      case 'float': {
        const vals = (data.values as Float64Array).subarray(data.offset, data.offset + n);
        for (let i = 0; i < n; i++) {
          if (keep !== null && keep[i] === 0) continue;
          const g = groupIds[i]!;
          acc[g] = acc[g]! + vals[i]!;
        }
        return;
      }
    }
  }
}

/** Marks the groups of partial states whose sum overflowed: a NULL sum over a non-zero count. */
function markLost(
  s: GroupSums,
  sums: arrow.Data,
  counts: Float64Array,
  groupIds: Int32Array,
  n: number,
): void {
  const valid = validOf(sums);
  if (valid === null) return;
  for (let i = 0; i < n; i++) if (valid[i] === 0 && counts[i]! > 0) s.lost[groupIds[i]!] = 1;
}

/** The rows to add: valid (`valid`, one byte a row) and kept by `filter`; null for all. */
function keptRows(valid: Uint8Array | null, filter: Uint8Array | null, n: number): Uint8Array | null {
  if (valid === null) return filter;
  if (filter === null) return valid;
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) keep[i] = valid[i] !== 0 && filter[i] !== 0 ? 1 : 0;
  return keep;
}

/** A partial state's counts (a bigint column) as doubles. */
function countsOf(c: arrow.Data, n: number): Float64Array {
  const { lo, hi } = words64(c);
  const counts = new Float64Array(n);
  for (let i = 0; i < n; i++) counts[i] = hi[2 * i + 1]! * 4294967296 + lo[2 * i]!;
  return counts;
}

let onesScratch = new Float64Array(0);

/** A count of 1 for each of `n` rows (shared; never written). */
function ones(n: number): Float64Array {
  if (onesScratch.length < n) onesScratch = new Float64Array(Math.max(n, 2 * onesScratch.length)).fill(1);
  return onesScratch;
}

function sumResultType(t: DataType): DataType {
  if (t.kind === 'decimal') return boundedDecimal(t.precision + 10, t.scale);
  if (t.kind === 'tinyint' || t.kind === 'smallint' || t.kind === 'int' || t.kind === 'bigint')
    return T.bigint;
  return T.double;
}

/**
 * What a sum beyond its type's range gives: an error (ANSI), the total mod 2^64 for bigint and NULL
 * for decimal (Spark's legacy sum), or NULL (try_sum / try_avg).
 */
export type OverflowMode = 'error' | 'legacy' | 'null';

/** Writes per-group sums as a column of `type`; groups with zero count (or an overflow) are NULL. */
function sumsColumn(s: GroupSums, type: DataType, overflow: OverflowMode): arrow.Data {
  const failOnError = overflow === 'error';
  const n = s.groups;
  const valid = new Uint8Array(n);
  if (type.kind === 'double') {
    const out = new Float64Array(n);
    for (let g = 0; g < n; g++) {
      if (s.count[g]! > 0 && s.lost[g] === 0) {
        valid[g] = 1;
        out[g] = s.acc[g]!;
      }
    }
    return makeColumn(type, out, n, valid);
  }
  if (type.kind === 'bigint') {
    const out = new BigInt64Array(n);
    const words = new Int32Array(out.buffer);
    for (let g = 0; g < n; g++) {
      if (s.count[g]! === 0 || s.lost[g] === 1) continue;
      if (s.small(g)) {
        valid[g] = 1;
        writeInt53(words, 2 * g, s.acc[g]!);
        continue;
      }
      const v = s.total(g);
      if (v > INT64_MAX || v < INT64_MIN) {
        if (failOnError) throw overflowError('long', 'try_sum');
        if (overflow === 'null') continue;
        valid[g] = 1;
        // ANSI off: Spark's legacy sum of bigint wraps around (the exact total mod 2^64)
        out[g] = BigInt.asIntN(64, v);
        continue;
      }
      valid[g] = 1;
      out[g] = v;
    }
    return makeColumn(type, out, n, valid);
  }
  const p = type.kind === 'decimal' ? type.precision : 38;
  const sc = type.kind === 'decimal' ? type.scale : 0;
  const w = new DecimalColumnWriter(type, n);
  // |sum| < 2^53 < 10^16: a decimal of 16 digits or more holds it.
  const smallLimit = p >= 16 ? Infinity : POW10_NUM[p]! - 1;
  for (let g = 0; g < n; g++) {
    if (s.count[g]! === 0 || s.lost[g] === 1) continue;
    if (s.small(g)) {
      const a = s.acc[g]!;
      if (a <= smallLimit && a >= -smallLimit) {
        valid[g] = 1;
        w.setSmall(g, a);
        continue;
      }
    }
    const v = s.total(g);
    if (!fitsPrecision(v, p)) {
      if (failOnError) throw decimalOverflowError(decimalToString(v, sc), p, sc);
      continue;
    }
    valid[g] = 1;
    w.set(g, v);
  }
  return w.finish(valid);
}

/**
 * What sum and avg have in common: per-group sums and counts of one input. Over a decimal or
 * floating input, their partial states are the same (the sum as decimal(p+10, s) or double, and the
 * count), so sum(x) and avg(x) in one operator keep one `GroupSums` (`share`): Q1's sum and avg of
 * l_quantity and of l_extendedprice read each column once.
 */
abstract class SumsAccumulator implements GroupsAccumulator {
  abstract readonly stateTypes: readonly DataType[];
  protected sums: GroupSums;
  protected readonly input: DataType;
  /** Whether another accumulator's `GroupSums` is this one's (its update and merge add to it). */
  private follows = false;
  constructor(input: DataType) {
    this.input = input;
    this.sums = new GroupSums(inputKind(input) !== 'float');
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
    groupRows?: Float64Array | null,
  ): void {
    if (this.follows) return;
    this.sums.ensure(numGroups);
    this.sums.add(args[0]!, this.input, groupIds, numRows, filter, null, groupRows ?? null);
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    if (this.follows) return;
    this.sums.ensure(numGroups);
    this.mergeStates(states, groupIds, numRows);
  }
  protected abstract mergeStates(states: readonly arrow.Data[], groupIds: Int32Array, numRows: number): void;
  share(earlier: GroupsAccumulator): boolean {
    const t = this.input;
    if (!(earlier instanceof SumsAccumulator) || earlier.follows) return false;
    // Integral inputs: sum's state is a bigint, avg's a double — not the same.
    if (t.kind !== 'decimal' && t.kind !== 'float' && t.kind !== 'double') return false;
    if (!sameType(t, earlier.input)) return false;
    this.sums = earlier.sums;
    this.follows = true;
    return true;
  }
  abstract state(): arrow.Data[];
  abstract evaluate(): arrow.Data;
  size(): number {
    return this.follows ? 0 : this.sums.acc.byteLength * 2 + this.sums.big.length * 16;
  }
}

function sameType(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'decimal' || (b.kind === 'decimal' && a.precision === b.precision && a.scale === b.scale);
}

class SumAccumulator extends SumsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #result: DataType;
  readonly #overflow: OverflowMode;
  constructor(input: DataType, result: DataType, ctx: EvalContext, nullOnOverflow = false) {
    super(input);
    this.#result = result;
    this.#overflow = nullOnOverflow ? 'null' : ctx.ansi ? 'error' : 'legacy';
    this.stateTypes = [result, T.bigint];
  }
  state(): arrow.Data[] {
    return [sumsColumn(this.sums, this.#result, this.#overflow), this.sums.countsColumn()];
  }
  protected mergeStates(states: readonly arrow.Data[], groupIds: Int32Array, numRows: number): void {
    const counts = countsOf(states[1]!, numRows);
    markLost(this.sums, states[0]!, counts, groupIds, numRows);
    this.sums.add(states[0]!, this.#result, groupIds, numRows, null, counts);
  }
  evaluate(): arrow.Data {
    return sumsColumn(this.sums, this.#result, this.#overflow);
  }
}

export function avgTypes(t: DataType): { sum: DataType; result: DataType } {
  if (t.kind === 'decimal')
    return {
      sum: boundedDecimal(t.precision + 10, t.scale),
      result: boundedDecimal(t.precision + 4, t.scale + 4),
    };
  return { sum: T.double, result: T.double };
}

export class AvgAccumulator extends SumsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #sumType: DataType;
  readonly #result: DataType;
  readonly #fail: boolean;
  constructor(input: DataType, result: DataType, ctx: EvalContext, nullOnOverflow = false) {
    super(input);
    this.#result = result;
    this.#sumType = avgTypes(input).sum;
    this.#fail = ctx.ansi && !nullOnOverflow;
    this.stateTypes = [this.#sumType, T.bigint];
  }
  state(): arrow.Data[] {
    const sumState =
      this.#sumType.kind === 'double'
        ? this.#doubleSums()
        : sumsColumn(this.sums, this.#sumType, this.#fail ? 'error' : 'null');
    return [sumState, this.sums.countsColumn()];
  }
  #doubleSums(): arrow.Data {
    const n = this.sums.groups;
    const out = new Float64Array(n);
    const valid = new Uint8Array(n);
    for (let g = 0; g < n; g++) {
      if (this.sums.count[g]! === 0 || this.sums.lost[g] === 1) continue;
      valid[g] = 1;
      out[g] = this.sums.exact ? Number(this.sums.total(g)) : this.sums.acc[g]!;
    }
    return makeColumn(T.double, out, n, valid);
  }
  protected mergeStates(states: readonly arrow.Data[], groupIds: Int32Array, numRows: number): void {
    const counts = countsOf(states[1]!, numRows);
    markLost(this.sums, states[0]!, counts, groupIds, numRows);
    if (this.#sumType.kind === 'double' && this.sums.exact) {
      // exact integral partial sums arrive as doubles; fold them in as floating values
      const s = states[0]!;
      const vals = (s.values as Float64Array).subarray(s.offset, s.offset + numRows);
      const valid = validOf(s);
      for (let i = 0; i < numRows; i++) {
        if (valid !== null && valid[i] === 0) continue;
        const g = groupIds[i]!;
        this.sums.big[g] = (this.sums.big[g] ?? 0n) + BigInt(Math.round(vals[i]!));
        this.sums.count[g] = this.sums.count[g]! + counts[i]!;
      }
      return;
    }
    this.sums.add(states[0]!, this.#sumType, groupIds, numRows, null, counts);
  }
  evaluate(): arrow.Data {
    const s = this.sums;
    const n = s.groups;
    const valid = new Uint8Array(n);
    if (this.#result.kind === 'double') {
      const out = new Float64Array(n);
      for (let g = 0; g < n; g++) {
        const c = s.count[g]!;
        if (c === 0 || s.lost[g] === 1) continue;
        valid[g] = 1;
        out[g] = (s.exact ? Number(s.total(g)) : s.acc[g]!) / c;
      }
      return makeColumn(T.double, out, n, valid);
    }
    const inScale = this.input.kind === 'decimal' ? this.input.scale : 0;
    const rp = this.#result.kind === 'decimal' ? this.#result.precision : 38;
    const rs = this.#result.kind === 'decimal' ? this.#result.scale : 0;
    const w = new DecimalColumnWriter(this.#result, n);
    for (let g = 0; g < n; g++) {
      const c = s.count[g]!;
      if (c === 0 || s.lost[g] === 1) continue;
      const v = divHalfUp(s.total(g) * pow10(rs - inScale), BigInt(c));
      if (!fitsPrecision(v, rp)) {
        if (this.#fail) throw decimalOverflowError(decimalToString(v, rs), rp, rs);
        continue;
      }
      valid[g] = 1;
      w.set(g, v);
    }
    return w.finish(valid);
  }
}

export const sumAvgFunctions: readonly AggregateFunctionDef[] = [
  {
    kind: 'aggregate',
    name: 'sum',
    description: 'sum(expr) - The sum of the non-NULL values.',
    resolve(argTypes) {
      const t = numericArg('sum', unary('sum', argTypes));
      return sig([t], sumResultType(t));
    },
    createAccumulator(argTypes, returnType, ctx) {
      return new SumAccumulator(argTypes[0]!, returnType, ctx);
    },
  },
  {
    kind: 'aggregate',
    name: 'avg',
    aliases: ['mean'],
    description: 'avg(expr) - The mean of the non-NULL values.',
    resolve(argTypes) {
      const t = numericArg('avg', unary('avg', argTypes));
      return sig([t], avgTypes(t).result);
    },
    createAccumulator(argTypes, returnType, ctx) {
      return new AvgAccumulator(argTypes[0]!, returnType, ctx);
    },
  },
  {
    kind: 'aggregate',
    name: 'try_sum',
    description: 'try_sum(expr) - The sum of the non-NULL values, NULL when it overflows its type.',
    resolve(argTypes) {
      const t = numericArg('try_sum', unary('try_sum', argTypes));
      return sig([t], sumResultType(t));
    },
    createAccumulator(argTypes, returnType, ctx) {
      return new SumAccumulator(argTypes[0]!, returnType, ctx, true);
    },
  },
  {
    kind: 'aggregate',
    name: 'try_avg',
    description: 'try_avg(expr) - The mean of the non-NULL values, NULL when their sum overflows.',
    resolve(argTypes) {
      const t = numericArg('try_avg', unary('try_avg', argTypes));
      return sig([t], avgTypes(t).result);
    },
    createAccumulator(argTypes, returnType, ctx) {
      return new AvgAccumulator(argTypes[0]!, returnType, ctx, true);
    },
  },
];
