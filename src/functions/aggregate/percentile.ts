/**
 * Exact percentiles of a numeric or ANSI interval column (percentile_approx: also dates and
 * timestamps): percentile(col, p [, frequency]), median(col),
 * percentile_cont(p) / percentile_disc(p) WITHIN GROUP (ORDER BY col [DESC]), and
 * percentile_approx / approx_percentile(col, p [, accuracy]).
 *
 * Every group keeps all its non-NULL values (as doubles, with their frequencies for percentile's
 * third argument) in typed arrays, counted in `size()` for the memory manager; the partial state is
 * the values as an array column plus the percentages (which a final aggregate never sees as
 * arguments). At the end each group's values are sorted once.
 *
 * Two rules pick the result from the n sorted values (in the requested order; DESC reverses it):
 * - interpolate (percentile, median, percentile_cont): the value at position p·(n-1), linearly
 *   interpolated between its neighbours; double.
 * - rank (percentile_disc, percentile_approx): the first value whose cumulative distribution
 *   reaches p, the ⌈p·n⌉-th (the first for p = 0); percentile_disc returns it as a double,
 *   percentile_approx as the input's type. Spark's percentile_approx answers within
 *   1/accuracy of that rank; this one answers exactly, so any accuracy is met (it is still checked).
 *
 * p may be an array of percentages: the result is then an array. NULL for a group without values.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  T,
  columnFromValues,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { AggregateFunctionDef, GroupsAccumulator, ResolveContext } from '../registry.ts';
import { checkArity, typeMismatch } from '../scalar/define.ts';
import { numericArg, sig, validOf, words64 } from './support.ts';

type Rule = 'interpolate' | 'rank';

interface PercentileSpec {
  readonly rule: Rule;
  /** Whether the percentage is an array (so is the result). */
  readonly array: boolean;
  /** The argument holding the frequency of each row (percentile's third), or null. */
  readonly weightArg: number | null;
  /** The argument holding the DESC flag of WITHIN GROUP, or null. */
  readonly reverseArg: number | null;
  /** A fixed percentage (median), or null when the second argument gives it. */
  readonly fixed: number | null;
  readonly name: string;
}

const DOUBLES = T.array(T.double, false);

function invalidPercentage(name: string, p: unknown): EngineError {
  return new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve "${name}" due to data type mismatch: The percentage must be between [0.0, 1.0], but got ${String(p)}.`,
  );
}

/** The percentages of a constant argument (a number, or an array of numbers), checked. */
function percentagesOf(name: string, v: Value): number[] {
  const list = Array.isArray(v) ? (v as Value[]) : [v];
  return list.map((p) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw invalidPercentage(name, p);
    return p;
  });
}

class PercentileAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [DOUBLES, DOUBLES, DOUBLES];
  readonly #spec: PercentileSpec;
  readonly #result: DataType;
  #vals: Float64Array[] = [];
  #wts: Float64Array[] = [];
  #lens = new Int32Array(0);
  #total = 0;
  /** The percentages, learnt from the first rows or state; then whether the order is DESC. */
  #ps: number[] | null;
  #reverse = false;
  constructor(spec: PercentileSpec, result: DataType) {
    this.#spec = spec;
    this.#result = result;
    this.#ps = spec.fixed === null ? null : [spec.fixed];
  }
  #grow(numGroups: number): void {
    if (this.#lens.length < numGroups) {
      const next = new Int32Array(Math.max(numGroups, this.#lens.length * 2, 16));
      next.set(this.#lens);
      this.#lens = next;
    }
    const weighted = this.#spec.weightArg !== null;
    while (this.#vals.length < numGroups) {
      this.#vals.push(new Float64Array(4));
      if (weighted) this.#wts.push(new Float64Array(4));
    }
  }
  #add(g: number, v: number, w: number): void {
    const len = this.#lens[g]!;
    let vals = this.#vals[g]!;
    if (len === vals.length) {
      vals = new Float64Array(len * 2);
      vals.set(this.#vals[g]!);
      this.#vals[g] = vals;
      if (this.#spec.weightArg !== null) {
        const wts = new Float64Array(len * 2);
        wts.set(this.#wts[g]!);
        this.#wts[g] = wts;
      }
    }
    vals[len] = v;
    if (this.#spec.weightArg !== null) this.#wts[g]![len] = w;
    this.#lens[g] = len + 1;
    this.#total++;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.#grow(numGroups);
    if (numRows === 0) return;
    const spec = this.#spec;
    if (this.#ps === null) {
      const pt = spec.array ? DOUBLES : T.double;
      this.#ps = percentagesOf(spec.name, valueAt(args[1]!, pt, 0));
    }
    if (spec.fixed === null && !spec.array) constantPercentage(spec.name, args[1]!, this.#ps[0]!, numRows);
    if (spec.reverseArg !== null) this.#reverse = valueAt(args[spec.reverseArg]!, T.boolean, 0) === true;
    const data = args[0]!;
    const vals = doublesOf(data, numRows);
    const valid = validOf(data);
    if (spec.weightArg === null) {
      for (let i = 0; i < numRows; i++) {
        if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
        this.#add(groupIds[i]!, vals[i]!, 1);
      }
      return;
    }
    const wdata = args[spec.weightArg]!;
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      const w = valueAt(wdata, T.bigint, i) as bigint | null;
      if (w === null || w === 0n) continue;
      if (w < 0n) {
        throw new EngineError(
          SqlState.invalidParameterValue,
          `Negative values found in the frequency expression of ${spec.name}: ${w}.`,
        );
      }
      this.#add(groupIds[i]!, vals[i]!, Number(w));
    }
  }
  state(): arrow.Data[] {
    const n = this.#vals.length;
    const weighted = this.#spec.weightArg !== null;
    const values: Value[] = [];
    const weights: Value[] = [];
    for (let g = 0; g < n; g++) {
      const len = this.#lens[g]!;
      values.push(Array.from(this.#vals[g]!.subarray(0, len)));
      weights.push(weighted ? Array.from(this.#wts[g]!.subarray(0, len)) : null);
    }
    const params: Value[] = Array.from({ length: n }, () =>
      this.#ps === null ? null : [this.#reverse ? 1 : 0, ...this.#ps],
    );
    return [
      columnFromValues(DOUBLES, values),
      columnFromValues(DOUBLES, weights),
      columnFromValues(DOUBLES, params),
    ];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#grow(numGroups);
    for (let i = 0; i < numRows; i++) {
      const params = valueAt(states[2]!, DOUBLES, i) as number[] | null;
      if (params !== null && this.#ps === null) {
        this.#reverse = params[0] === 1;
        this.#ps = params.slice(1);
      } else if (params !== null && params[1] !== this.#ps![0]) {
        // partitions saw different percentages: the argument was not a constant
        throw nonFoldable(this.#spec.name);
      }
      const vals = valueAt(states[0]!, DOUBLES, i) as number[] | null;
      if (vals === null) continue;
      const wts = valueAt(states[1]!, DOUBLES, i) as number[] | null;
      const g = groupIds[i]!;
      for (let k = 0; k < vals.length; k++) this.#add(g, vals[k]!, wts === null ? 1 : wts[k]!);
    }
  }
  /** The percentiles of group `g` as doubles, or null without values. */
  #percentiles(g: number): number[] | null {
    const len = this.#lens[g]!;
    if (len === 0 || this.#ps === null) return null;
    const vals = this.#vals[g]!.subarray(0, len);
    let sorted: Float64Array;
    // cumulative frequencies, in ascending order of the values (null: each value once)
    let cum: Float64Array | null = null;
    if (this.#spec.weightArg === null) sorted = vals.slice().sort();
    else {
      const wts = this.#wts[g]!;
      const order = Array.from({ length: len }, (_, k) => k).sort((a, b) => vals[a]! - vals[b]!);
      sorted = Float64Array.from(order, (k) => vals[k]!);
      cum = new Float64Array(len);
      let c = 0;
      for (let k = 0; k < len; k++) cum[k] = c += wts[order[k]!]!;
    }
    const n = cum === null ? len : cum[len - 1]!;
    /** The value at 0-based position `pos` of the ascending expansion (each value frequency times). */
    const at = (pos: number): number => {
      if (cum === null) return sorted[pos]!;
      let lo = 0;
      let hi = len - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! > pos) hi = mid;
        else lo = mid + 1;
      }
      return sorted[lo]!;
    };
    const reverse = this.#reverse;
    return this.#ps.map((p) => {
      if (this.#spec.rule === 'rank') {
        const k = Math.max(Math.ceil(p * n), 1) - 1;
        return at(reverse ? n - 1 - k : k);
      }
      const pos = reverse ? (1 - p) * (n - 1) : p * (n - 1);
      const lower = Math.floor(pos);
      const higher = Math.ceil(pos);
      const a = at(lower);
      if (higher === lower) return a;
      const b = at(higher);
      return (higher - pos) * a + (pos - lower) * b;
    });
  }
  evaluate(): arrow.Data {
    const n = this.#vals.length;
    const out: Value[] = [];
    const element = this.#result.kind === 'array' ? this.#result.element : this.#result;
    for (let g = 0; g < n; g++) {
      const ps = this.#percentiles(g);
      if (ps === null) {
        out.push(null);
        continue;
      }
      const typed = ps.map((x) => fromDouble(x, element));
      out.push(this.#spec.array ? typed : typed[0]!);
    }
    return columnFromValues(this.#result, out);
  }
  size(): number {
    return this.#vals.length * 96 + this.#total * (this.#spec.weightArg === null ? 8 : 16);
  }
}

/** Checks a percentage column holds one value (Spark requires a constant; a column is rejected). */
function constantPercentage(name: string, data: arrow.Data, p: number, numRows: number): void {
  const vals = (data.values as Float64Array).subarray(data.offset, data.offset + numRows);
  const valid = validOf(data);
  for (let i = 0; i < numRows; i++) {
    if ((valid === null || valid[i] === 1) && vals[i] === p) continue;
    throw nonFoldable(name);
  }
}

function nonFoldable(name: string): EngineError {
  return new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "${name}" due to data type mismatch: the input percentage should be a foldable "DOUBLE" expression.`,
  );
}

/** A double as a value of numeric type `t` (percentile_approx answers in its input's type). */
function fromDouble(x: number, t: DataType): Value {
  switch (t.kind) {
    case 'bigint':
      return BigInt(Math.round(x));
    case 'decimal':
      return BigInt(Math.round(x * 10 ** t.scale));
    case 'date':
    case 'interval_year_month':
      return Math.trunc(x);
    case 'timestamp':
    case 'timestamp_ntz':
    case 'interval_day_time':
      return BigInt(Math.trunc(x));
    default:
      return x;
  }
}

/** A value column as doubles: double itself, or days / months (int32), micros (int64, exact to 2^53). */
function doublesOf(data: arrow.Data, n: number): Float64Array {
  const v = data.values as Float64Array | Int32Array | BigInt64Array;
  if (v instanceof Float64Array) return v.subarray(data.offset, data.offset + n);
  if (v instanceof Int32Array) return Float64Array.from(v.subarray(data.offset, data.offset + n));
  const { lo, hi } = words64(data);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = hi[2 * i + 1]! * 4294967296 + lo[2 * i]!;
  return out;
}

/**
 * The value column: the type it is read as (numbers as double; intervals, and for
 * percentile_approx dates and timestamps, as they are) and the type of a percentile of it
 * (double, an interval of the same kind, or for percentile_approx the column's own type).
 */
function valueArg(name: string, t: DataType, approx: boolean): { arg: DataType; element: DataType } {
  switch (t.kind) {
    case 'interval_year_month':
    case 'interval_day_time':
      return { arg: t, element: t };
    case 'date':
    case 'timestamp':
    case 'timestamp_ntz':
      if (approx) return { arg: t, element: t };
      throw typeMismatch(name, 0, '("NUMERIC" or "ANSI INTERVAL")', t);
    default: {
      const n = numericArg(name, t);
      const element = approx && n.kind !== 'null' && n.kind !== 'string' ? n : T.double;
      return { arg: T.double, element };
    }
  }
}

/** The percentage argument: a double, or an array of them; checked now when it is a literal. */
function percentageArg(name: string, t: DataType, literal: Value | undefined): boolean {
  const array = t.kind === 'array';
  const element = t.kind === 'array' ? t.element : t;
  switch (element.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
    case 'null':
      break;
    default:
      throw typeMismatch(name, 1, '"DOUBLE" or "ARRAY<DOUBLE>"', t);
  }
  if (literal === null) throw invalidPercentage(name, null);
  if (typeof literal === 'number') percentagesOf(name, literal);
  if (typeof literal === 'bigint' && element.kind === 'decimal')
    percentagesOf(name, Number(literal) / 10 ** element.scale);
  return array;
}

function define(
  name: string,
  aliases: readonly string[],
  description: string,
  resolve: (argTypes: readonly DataType[], ctx: ResolveContext) => { argTypes: DataType[]; result: DataType },
): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    aliases,
    description,
    resolve(argTypes, ctx) {
      const r = resolve(argTypes, ctx);
      return sig(r.argTypes, r.result);
    },
    createAccumulator(argTypes, returnType) {
      return new PercentileAccumulator(specOf(name, argTypes), returnType);
    },
  };
}

/** The accumulator's spec from the (resolved) argument types. */
function specOf(name: string, argTypes: readonly DataType[]): PercentileSpec {
  const array = argTypes[1]?.kind === 'array';
  switch (name) {
    case 'median':
      return { rule: 'interpolate', array: false, weightArg: null, reverseArg: null, fixed: 0.5, name };
    case 'percentile':
      return {
        rule: 'interpolate',
        array,
        weightArg: argTypes.length === 3 ? 2 : null,
        reverseArg: null,
        fixed: null,
        name,
      };
    case 'percentile_cont':
    case 'percentile_disc':
      return {
        rule: name === 'percentile_cont' ? 'interpolate' : 'rank',
        array,
        weightArg: null,
        reverseArg: 2,
        fixed: null,
        name,
      };
    default:
      return { rule: 'rank', array, weightArg: null, reverseArg: null, fixed: null, name };
  }
}

function percentageType(array: boolean): DataType {
  return array ? DOUBLES : T.double;
}

function resultType(element: DataType, array: boolean): DataType {
  return array ? T.array(element, false) : element;
}

export const percentileFunctions: readonly AggregateFunctionDef[] = [
  define(
    'percentile',
    [],
    'percentile(col, percentage [, frequency]) - The exact percentile(s) of the numeric column, interpolated; frequency (a positive integer) counts each row that many times.',
    (argTypes, ctx) => {
      checkArity('percentile', argTypes, 2, 3);
      const v = valueArg('percentile', argTypes[0]!, false);
      const array = percentageArg('percentile', argTypes[1]!, ctx.literalArgs[1]);
      const types = [v.arg, percentageType(array)];
      if (argTypes.length === 3) {
        const f = argTypes[2]!;
        if (
          f.kind !== 'tinyint' &&
          f.kind !== 'smallint' &&
          f.kind !== 'int' &&
          f.kind !== 'bigint' &&
          f.kind !== 'null'
        )
          throw typeMismatch('percentile', 2, '"INTEGRAL"', f);
        types.push(T.bigint);
      }
      return { argTypes: types, result: resultType(v.element, array) };
    },
  ),
  define('median', [], 'median(col) - The exact median of the numeric column, interpolated.', (argTypes) => {
    checkArity('median', argTypes, 1, 1);
    const v = valueArg('median', argTypes[0]!, false);
    return { argTypes: [v.arg], result: v.element };
  }),
  ...(['percentile_cont', 'percentile_disc'] as const).map((name) =>
    define(
      name,
      [],
      `${name}(percentage) WITHIN GROUP (ORDER BY col [DESC]) - The ${name === 'percentile_cont' ? 'interpolated (continuous)' : 'first value reaching the (discrete)'} percentile(s) of the numeric column.`,
      (argTypes, ctx) => {
        // WITHIN GROUP (ORDER BY col [DESC]) arrives as the arguments (col, percentage, desc)
        if (argTypes.length !== 3) {
          throw new EngineError(
            SqlState.syntaxError,
            `[INVALID_INVERSE_DISTRIBUTION_FUNCTION.WITHIN_GROUP_MISSING] ${name} requires a WITHIN GROUP (ORDER BY …) clause with one ordering expression.`,
          );
        }
        const v = valueArg(name, argTypes[0]!, false);
        const array = percentageArg(name, argTypes[1]!, ctx.literalArgs[1]);
        const types = [v.arg, percentageType(array), T.boolean];
        return { argTypes: types, result: resultType(v.element, array) };
      },
    ),
  ),
  define(
    'percentile_approx',
    ['approx_percentile'],
    "percentile_approx(col, percentage [, accuracy]) - The smallest value of the numeric column whose cumulative distribution reaches the percentage (exact: any accuracy is met), of the column's type.",
    (argTypes, ctx) => {
      checkArity('percentile_approx', argTypes, 2, 3);
      const v = valueArg('percentile_approx', argTypes[0]!, true);
      const array = percentageArg('percentile_approx', argTypes[1]!, ctx.literalArgs[1]);
      const types = [v.arg, percentageType(array)];
      if (argTypes.length === 3) {
        const a = argTypes[2]!;
        const lit = ctx.literalArgs[2];
        const ok = a.kind === 'tinyint' || a.kind === 'smallint' || a.kind === 'int' || a.kind === 'bigint';
        if (!ok) throw typeMismatch('percentile_approx', 2, '"INTEGRAL"', a);
        const acc = typeof lit === 'bigint' ? Number(lit) : typeof lit === 'number' ? lit : null;
        if (acc === null || acc <= 0 || acc > 2147483647) {
          throw new EngineError(
            SqlState.datatypeMismatch,
            `[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve "percentile_approx" due to data type mismatch: The accuracy must be a positive integer literal no larger than 2147483647, but got ${acc === null ? 'a non-literal' : acc}.`,
          );
        }
        types.push(a);
      }
      return { argTypes: types, result: resultType(v.element, array) };
    },
  ),
];
