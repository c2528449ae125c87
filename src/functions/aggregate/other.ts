/**
 * first / last / any_value (with IGNORE NULLS), bool_and/every, bool_or/any/some, and the
 * variance family (Welford per group on values shifted by the group's first one, merged with Chan's
 * formula): var_samp/stddev_samp are NULL for fewer than 2 rows, var_pop/stddev_pop NULL for none;
 * all return double.
 */
import type * as arrow from 'apache-arrow';
import {
  T,
  columnFromValues,
  makeColumn,
  unpackBits,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { AggregateFunctionDef, GroupsAccumulator } from '../registry.ts';
import { castColumnar } from '../kernels/cast.ts';
import { coerce } from '../scalar/define.ts';
import { grow, numericArg, sig, unary, validOf } from './support.ts';

/** Exported for planners that know the IGNORE NULLS flag of an AggregateExpr. */
export class FirstLastAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #type: DataType;
  readonly #last: boolean;
  #ignoreNulls: boolean;
  #values: Value[] = [];
  #set = new Uint8Array(16);
  #groups = 0;
  constructor(type: DataType, last: boolean, ignoreNulls: boolean) {
    this.#type = type;
    this.#last = last;
    this.#ignoreNulls = ignoreNulls;
    this.stateTypes = [type, T.boolean];
  }
  #take(g: number, v: Value): void {
    if (this.#set[g] === 1 && !this.#last) return;
    if (v === null && this.#ignoreNulls) return;
    this.#values[g] = v;
    this.#set[g] = 1;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.#set = grow(this.#set, numGroups, (k) => new Uint8Array(k));
    if (numGroups > this.#groups) this.#groups = numGroups;
    const data = args[0]!;
    // The second argument (Spark's isIgnoreNull, or IGNORE NULLS) is a constant boolean.
    const flag = args[1];
    if (flag !== undefined && numRows > 0 && valueAt(flag, T.boolean, 0) === true) this.#ignoreNulls = true;
    for (let i = 0; i < numRows; i++) {
      if (filter !== null && filter[i] === 0) continue;
      const g = groupIds[i]!;
      if (this.#set[g] === 1 && !this.#last) continue;
      this.#take(g, valueAt(data, this.#type, i));
    }
  }
  state(): arrow.Data[] {
    const n = this.#groups;
    return [this.evaluate(), makeColumn(T.boolean, this.#set.slice(0, n), n, null)];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#set = grow(this.#set, numGroups, (k) => new Uint8Array(k));
    if (numGroups > this.#groups) this.#groups = numGroups;
    const set = unpackBits(states[1]!);
    for (let i = 0; i < numRows; i++) {
      if (set[i] === 0) continue;
      this.#take(groupIds[i]!, valueAt(states[0]!, this.#type, i));
    }
  }
  evaluate(): arrow.Data {
    const n = this.#groups;
    return columnFromValues(
      this.#type,
      Array.from({ length: n }, (_, g) => (this.#set[g] === 1 ? (this.#values[g] ?? null) : null)),
    );
  }
  size(): number {
    return this.#groups * 16;
  }
}

class BoolAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [T.boolean];
  readonly #and: boolean;
  /** -1 = no value yet, 0 = false, 1 = true. */
  #acc = new Int8Array(16).fill(-1);
  #groups = 0;
  constructor(and: boolean) {
    this.#and = and;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    if (this.#acc.length < numGroups) {
      const next = new Int8Array(Math.max(numGroups, this.#acc.length * 2)).fill(-1);
      next.set(this.#acc);
      this.#acc = next;
    }
    if (numGroups > this.#groups) this.#groups = numGroups;
    const data = args[0]!;
    const bits = unpackBits(data);
    const valid = validOf(data);
    const acc = this.#acc;
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      const g = groupIds[i]!;
      const b = bits[i]!;
      const cur = acc[g]!;
      acc[g] = cur === -1 ? b : this.#and ? cur & b : cur | b;
    }
  }
  state(): arrow.Data[] {
    return [this.evaluate()];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.update(states, groupIds, numGroups, numRows, null);
  }
  evaluate(): arrow.Data {
    const n = this.#groups;
    const out = new Uint8Array(n);
    const valid = new Uint8Array(n);
    for (let g = 0; g < n; g++) {
      const v = this.#acc[g]!;
      if (v >= 0) {
        out[g] = v;
        valid[g] = 1;
      }
    }
    return makeColumn(T.boolean, out, n, valid);
  }
  size(): number {
    return this.#acc.byteLength;
  }
}

type VarianceKind = 'var_samp' | 'var_pop' | 'stddev_samp' | 'stddev_pop';

/**
 * Welford's update per group on values shifted by the group's first value (so a large common
 * offset, 1e12 + small deviations, costs no precision in the running mean), merged with Chan's
 * formula. State: count, shift, mean of the shifted values, sum of squared deviations.
 */
class VarianceAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [T.double, T.double, T.double, T.double];
  readonly #kind: VarianceKind;
  readonly #input: DataType;
  #n = new Float64Array(16);
  #shift = new Float64Array(16);
  #mean = new Float64Array(16);
  #m2 = new Float64Array(16);
  #groups = 0;
  constructor(kind: VarianceKind, input: DataType) {
    this.#kind = kind;
    this.#input = input;
  }
  #ensure(n: number): void {
    this.#n = grow(this.#n, n, (k) => new Float64Array(k));
    this.#shift = grow(this.#shift, n, (k) => new Float64Array(k));
    this.#mean = grow(this.#mean, n, (k) => new Float64Array(k));
    this.#m2 = grow(this.#m2, n, (k) => new Float64Array(k));
    if (n > this.#groups) this.#groups = n;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.#ensure(numGroups);
    let data = args[0]!;
    if (this.#input.kind !== 'double') {
      const cast = castColumnar({ kind: 'array', data }, this.#input, T.double, 'legacy', numRows, {
        ansi: false,
        timeZone: 'UTC',
        queryStartMicros: 0n,
        currentDatabase: '',
        currentUser: '',
      });
      data = cast.kind === 'array' ? cast.data : data;
    }
    const vals = (data.values as Float64Array).subarray(data.offset, data.offset + numRows);
    const valid = validOf(data);
    const cnt = this.#n;
    const shift = this.#shift;
    const mean = this.#mean;
    const m2 = this.#m2;
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      const g = groupIds[i]!;
      const n = cnt[g]! + 1;
      cnt[g] = n;
      if (n === 1) shift[g] = vals[i]!;
      const x = vals[i]! - shift[g]!;
      const delta = x - mean[g]!;
      const m = mean[g]! + delta / n;
      mean[g] = m;
      m2[g] = m2[g]! + delta * (x - m);
    }
  }
  state(): arrow.Data[] {
    const n = this.#groups;
    return [this.#n, this.#shift, this.#mean, this.#m2].map((a) =>
      makeColumn(T.double, a.slice(0, n), n, null),
    );
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#ensure(numGroups);
    const [sn, sshift, smean, sm2] = states.map((s) =>
      (s.values as Float64Array).subarray(s.offset, s.offset + numRows),
    ) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const cnt = this.#n;
    const shift = this.#shift;
    const mean = this.#mean;
    const m2 = this.#m2;
    for (let i = 0; i < numRows; i++) {
      const nb = sn[i]!;
      if (nb === 0) continue;
      const g = groupIds[i]!;
      const na = cnt[g]!;
      if (na === 0) {
        cnt[g] = nb;
        shift[g] = sshift[i]!;
        mean[g] = smean[i]!;
        m2[g] = sm2[i]!;
        continue;
      }
      const n = na + nb;
      // The other mean in this group's shifted terms: shifts of close values subtract exactly.
      const delta = sshift[i]! - shift[g]! + smean[i]! - mean[g]!;
      mean[g] = mean[g]! + (delta * nb) / n;
      m2[g] = m2[g]! + sm2[i]! + (delta * delta * na * nb) / n;
      cnt[g] = n;
    }
  }
  evaluate(): arrow.Data {
    const groups = this.#groups;
    const out = new Float64Array(groups);
    const valid = new Uint8Array(groups);
    const samp = this.#kind === 'var_samp' || this.#kind === 'stddev_samp';
    const sqrt = this.#kind === 'stddev_samp' || this.#kind === 'stddev_pop';
    for (let g = 0; g < groups; g++) {
      const n = this.#n[g]!;
      if (n === 0 || (samp && n < 2)) continue;
      const v = this.#m2[g]! / (samp ? n - 1 : n);
      out[g] = sqrt ? Math.sqrt(v) : v;
      valid[g] = 1;
    }
    return makeColumn(T.double, out, groups, valid);
  }
  size(): number {
    return this.#groups * 32;
  }
}

function firstLast(name: string, last: boolean, aliases?: readonly string[]): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    ...(aliases === undefined ? {} : { aliases }),
    description: `${name}(expr[, ignoreNulls]) - The ${last ? 'last' : 'first'} value of expr in a group.`,
    resolve(argTypes) {
      if (argTypes.length === 2)
        return sig([argTypes[0]!, coerce(name, 1, argTypes[1]!, T.boolean)], argTypes[0]!);
      const t = unary(name, argTypes);
      return sig([t], t);
    },
    createAccumulator(argTypes, returnType, ctx) {
      void ctx;
      void argTypes;
      return new FirstLastAccumulator(returnType, last, false);
    },
  };
}

function boolAgg(name: string, and: boolean, aliases: readonly string[]): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    aliases,
    description: `${name}(expr) - True if ${and ? 'every' : 'any'} non-NULL value is true.`,
    resolve(argTypes) {
      return sig([coerce(name, 0, unary(name, argTypes), T.boolean)], T.boolean);
    },
    createAccumulator() {
      return new BoolAccumulator(and);
    },
  };
}

function variance(name: VarianceKind, aliases: readonly string[]): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    aliases,
    description: `${name}(expr) - The ${name.includes('stddev') ? 'standard deviation' : 'variance'} (${name.endsWith('samp') ? 'sample' : 'population'}).`,
    resolve(argTypes) {
      const t = numericArg(name, unary(name, argTypes));
      return sig([t], T.double);
    },
    createAccumulator(argTypes) {
      return new VarianceAccumulator(name, argTypes[0]!);
    },
  };
}

/** `ignoreNulls` from the AggregateExpr is passed by the planner as a second boolean argument. */
export const otherAggregates: readonly AggregateFunctionDef[] = [
  firstLast('first', false, ['first_value']),
  firstLast('last', true, ['last_value']),
  firstLast('any_value', false),
  boolAgg('bool_and', true, ['every']),
  boolAgg('bool_or', false, ['any', 'some']),
  variance('stddev_samp', ['stddev', 'std']),
  variance('stddev_pop', []),
  variance('var_samp', ['variance']),
  variance('var_pop', []),
];
