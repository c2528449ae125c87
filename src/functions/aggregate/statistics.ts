/**
 * Statistical aggregates beyond the variance family: covar_pop / covar_samp / corr and the
 * regr_* linear-regression family over pairs (y, x), and skewness / kurtosis over one column.
 *
 * Pairs with a NULL on either side are skipped. Per group, values are shifted by the group's first
 * pair (a large common offset costs no precision) and accumulated with Welford-style updates of
 * the means, the sums of squared deviations and the co-moment; partial states from other
 * partitions merge with Chan's pairwise formulas, so splitting the input anywhere gives the same
 * result up to rounding. skewness / kurtosis keep the third and fourth central moments the same
 * way (Terriberry's update and Pébay's pairwise merge).
 *
 * Spark's results, all double: covar_pop NULL for no pairs; covar_samp and corr NULL for fewer than
 * two; corr NaN when either side is constant; regr_sxx / regr_syy / regr_sxy NULL for no pairs;
 * regr_slope / regr_intercept NULL when x is constant (or no pairs); regr_r2 NULL when x is
 * constant, 1 when y is; skewness / kurtosis NULL for no rows or a constant column. regr_count is a
 * bigint count of pairs, regr_avgx / regr_avgy are avg's of x / y over the pairs (decimal for
 * decimal input, as avg).
 */
import type * as arrow from 'apache-arrow';
import { T, makeColumn, type DataType } from '../../common/index.ts';
import type { AggregateFunctionDef, GroupsAccumulator } from '../registry.ts';
import { checkArity } from '../scalar/define.ts';
import { CountAccumulator } from './count.ts';
import { AvgAccumulator, avgTypes } from './sum-avg.ts';
import { grow, numericArg, sig, unary, validOf } from './support.ts';

type PairKind =
  | 'covar_pop'
  | 'covar_samp'
  | 'corr'
  | 'regr_sxx'
  | 'regr_syy'
  | 'regr_sxy'
  | 'regr_slope'
  | 'regr_intercept'
  | 'regr_r2';

/** The double values of a column and its validity (null when all valid). */
function doubles(data: arrow.Data, n: number): { vals: Float64Array; valid: Uint8Array | null } {
  return { vals: (data.values as Float64Array).subarray(data.offset, data.offset + n), valid: validOf(data) };
}

/**
 * Co-moments of pairs (y, x) per group. State (all double): count, the shifts of x and y, the means
 * of the shifted x and y, the sums of squared deviations of x and y, and the co-moment
 * Σ(x - x̄)(y - ȳ).
 */
class CoMomentAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = Array.from({ length: 8 }, () => T.double);
  readonly #kind: PairKind;
  #n = new Float64Array(16);
  #sx = new Float64Array(16);
  #sy = new Float64Array(16);
  #mx = new Float64Array(16);
  #my = new Float64Array(16);
  #m2x = new Float64Array(16);
  #m2y = new Float64Array(16);
  #ck = new Float64Array(16);
  #groups = 0;
  constructor(kind: PairKind) {
    this.#kind = kind;
  }
  #arrays(): Float64Array[] {
    return [this.#n, this.#sx, this.#sy, this.#mx, this.#my, this.#m2x, this.#m2y, this.#ck];
  }
  #ensure(n: number): void {
    this.#n = grow(this.#n, n, (k) => new Float64Array(k));
    this.#sx = grow(this.#sx, n, (k) => new Float64Array(k));
    this.#sy = grow(this.#sy, n, (k) => new Float64Array(k));
    this.#mx = grow(this.#mx, n, (k) => new Float64Array(k));
    this.#my = grow(this.#my, n, (k) => new Float64Array(k));
    this.#m2x = grow(this.#m2x, n, (k) => new Float64Array(k));
    this.#m2y = grow(this.#m2y, n, (k) => new Float64Array(k));
    this.#ck = grow(this.#ck, n, (k) => new Float64Array(k));
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
    const y = doubles(args[0]!, numRows);
    const x = doubles(args[1]!, numRows);
    const yv = y.vals;
    const xv = x.vals;
    const cnt = this.#n;
    const sx = this.#sx;
    const sy = this.#sy;
    const mx = this.#mx;
    const my = this.#my;
    const m2x = this.#m2x;
    const m2y = this.#m2y;
    const ck = this.#ck;
    for (let i = 0; i < numRows; i++) {
      if (filter !== null && filter[i] === 0) continue;
      if ((y.valid !== null && y.valid[i] === 0) || (x.valid !== null && x.valid[i] === 0)) continue;
      const g = groupIds[i]!;
      const n = cnt[g]! + 1;
      cnt[g] = n;
      if (n === 1) {
        sx[g] = xv[i]!;
        sy[g] = yv[i]!;
      }
      const a = xv[i]! - sx[g]!;
      const b = yv[i]! - sy[g]!;
      const dx = a - mx[g]!;
      const dy = b - my[g]!;
      const nmx = mx[g]! + dx / n;
      const nmy = my[g]! + dy / n;
      mx[g] = nmx;
      my[g] = nmy;
      m2x[g] = m2x[g]! + dx * (a - nmx);
      m2y[g] = m2y[g]! + dy * (b - nmy);
      ck[g] = ck[g]! + dx * (b - nmy);
    }
  }
  state(): arrow.Data[] {
    const n = this.#groups;
    return this.#arrays().map((a) => makeColumn(T.double, a.slice(0, n), n, null));
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#ensure(numGroups);
    const col = (k: number): Float64Array => doubles(states[k]!, numRows).vals;
    const [bn, bsx, bsy, bmx, bmy, bm2x, bm2y, bck] = [0, 1, 2, 3, 4, 5, 6, 7].map(col) as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const cnt = this.#n;
    const sx = this.#sx;
    const sy = this.#sy;
    const mx = this.#mx;
    const my = this.#my;
    const m2x = this.#m2x;
    const m2y = this.#m2y;
    const ck = this.#ck;
    for (let i = 0; i < numRows; i++) {
      const nb = bn[i]!;
      if (nb === 0) continue;
      const g = groupIds[i]!;
      const na = cnt[g]!;
      if (na === 0) {
        cnt[g] = nb;
        sx[g] = bsx[i]!;
        sy[g] = bsy[i]!;
        mx[g] = bmx[i]!;
        my[g] = bmy[i]!;
        m2x[g] = bm2x[i]!;
        m2y[g] = bm2y[i]!;
        ck[g] = bck[i]!;
        continue;
      }
      const n = na + nb;
      // The other side's means in this group's shifted terms.
      const dx = bsx[i]! - sx[g]! + bmx[i]! - mx[g]!;
      const dy = bsy[i]! - sy[g]! + bmy[i]! - my[g]!;
      const w = (na * nb) / n;
      mx[g] = mx[g]! + (dx * nb) / n;
      my[g] = my[g]! + (dy * nb) / n;
      m2x[g] = m2x[g]! + bm2x[i]! + dx * dx * w;
      m2y[g] = m2y[g]! + bm2y[i]! + dy * dy * w;
      ck[g] = ck[g]! + bck[i]! + dx * dy * w;
      cnt[g] = n;
    }
  }
  /** The result of group `g`, or null. */
  #result(g: number): number | null {
    const n = this.#n[g]!;
    const sxx = this.#m2x[g]!;
    const syy = this.#m2y[g]!;
    const sxy = this.#ck[g]!;
    switch (this.#kind) {
      case 'covar_pop':
        return n === 0 ? null : sxy / n;
      case 'covar_samp':
        return n < 2 ? null : sxy / (n - 1);
      case 'corr':
        return n < 2 ? null : sxy / Math.sqrt(sxx * syy);
      case 'regr_sxx':
        return n === 0 ? null : sxx;
      case 'regr_syy':
        return n === 0 ? null : syy;
      case 'regr_sxy':
        return n === 0 ? null : sxy;
      case 'regr_slope':
        return n === 0 || sxx === 0 ? null : sxy / sxx;
      case 'regr_intercept': {
        if (n === 0 || sxx === 0) return null;
        const meanX = this.#sx[g]! + this.#mx[g]!;
        const meanY = this.#sy[g]! + this.#my[g]!;
        return meanY - (sxy / sxx) * meanX;
      }
      case 'regr_r2':
        if (n === 0 || sxx === 0) return null;
        return syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
    }
  }
  evaluate(): arrow.Data {
    const groups = this.#groups;
    const out = new Float64Array(groups);
    const valid = new Uint8Array(groups);
    for (let g = 0; g < groups; g++) {
      const r = this.#result(g);
      if (r === null) continue;
      out[g] = r;
      valid[g] = 1;
    }
    return makeColumn(T.double, out, groups, valid);
  }
  size(): number {
    return this.#groups * 64;
  }
}

/**
 * Central moments up to the fourth of one column per group (shifted by the group's first value).
 * State (all double): count, shift, mean, M2, M3, M4.
 */
class HigherMomentAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = Array.from({ length: 6 }, () => T.double);
  readonly #kurtosis: boolean;
  #n = new Float64Array(16);
  #shift = new Float64Array(16);
  #mean = new Float64Array(16);
  #m2 = new Float64Array(16);
  #m3 = new Float64Array(16);
  #m4 = new Float64Array(16);
  #groups = 0;
  constructor(kurtosis: boolean) {
    this.#kurtosis = kurtosis;
  }
  #ensure(n: number): void {
    this.#n = grow(this.#n, n, (k) => new Float64Array(k));
    this.#shift = grow(this.#shift, n, (k) => new Float64Array(k));
    this.#mean = grow(this.#mean, n, (k) => new Float64Array(k));
    this.#m2 = grow(this.#m2, n, (k) => new Float64Array(k));
    this.#m3 = grow(this.#m3, n, (k) => new Float64Array(k));
    this.#m4 = grow(this.#m4, n, (k) => new Float64Array(k));
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
    const { vals, valid } = doubles(args[0]!, numRows);
    const cnt = this.#n;
    const shift = this.#shift;
    const mean = this.#mean;
    const m2 = this.#m2;
    const m3 = this.#m3;
    const m4 = this.#m4;
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      const g = groupIds[i]!;
      const n1 = cnt[g]!;
      const n = n1 + 1;
      cnt[g] = n;
      if (n === 1) shift[g] = vals[i]!;
      const delta = vals[i]! - shift[g]! - mean[g]!;
      const dn = delta / n;
      const dn2 = dn * dn;
      const term1 = delta * dn * n1;
      mean[g] = mean[g]! + dn;
      m4[g] = m4[g]! + term1 * dn2 * (n * n - 3 * n + 3) + 6 * dn2 * m2[g]! - 4 * dn * m3[g]!;
      m3[g] = m3[g]! + term1 * dn * (n - 2) - 3 * dn * m2[g]!;
      m2[g] = m2[g]! + term1;
    }
  }
  state(): arrow.Data[] {
    const n = this.#groups;
    return [this.#n, this.#shift, this.#mean, this.#m2, this.#m3, this.#m4].map((a) =>
      makeColumn(T.double, a.slice(0, n), n, null),
    );
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#ensure(numGroups);
    const [bn, bshift, bmean, bm2, bm3, bm4] = states.map((s) => doubles(s, numRows).vals) as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const cnt = this.#n;
    const shift = this.#shift;
    const mean = this.#mean;
    const m2 = this.#m2;
    const m3 = this.#m3;
    const m4 = this.#m4;
    for (let i = 0; i < numRows; i++) {
      const nb = bn[i]!;
      if (nb === 0) continue;
      const g = groupIds[i]!;
      const na = cnt[g]!;
      if (na === 0) {
        cnt[g] = nb;
        shift[g] = bshift[i]!;
        mean[g] = bmean[i]!;
        m2[g] = bm2[i]!;
        m3[g] = bm3[i]!;
        m4[g] = bm4[i]!;
        continue;
      }
      const n = na + nb;
      const d = bshift[i]! - shift[g]! + bmean[i]! - mean[g]!;
      const d2 = d * d;
      const a2 = m2[g]!;
      const a3 = m3[g]!;
      const b2 = bm2[i]!;
      const b3 = bm3[i]!;
      m4[g] =
        m4[g]! +
        bm4[i]! +
        (d2 * d2 * na * nb * (na * na - na * nb + nb * nb)) / (n * n * n) +
        (6 * d2 * (na * na * b2 + nb * nb * a2)) / (n * n) +
        (4 * d * (na * b3 - nb * a3)) / n;
      m3[g] = a3 + b3 + (d2 * d * na * nb * (na - nb)) / (n * n) + (3 * d * (na * b2 - nb * a2)) / n;
      m2[g] = a2 + b2 + (d2 * na * nb) / n;
      mean[g] = mean[g]! + (d * nb) / n;
      cnt[g] = n;
    }
  }
  evaluate(): arrow.Data {
    const groups = this.#groups;
    const out = new Float64Array(groups);
    const valid = new Uint8Array(groups);
    for (let g = 0; g < groups; g++) {
      const n = this.#n[g]!;
      const m2 = this.#m2[g]!;
      if (n === 0 || m2 === 0) continue;
      out[g] = this.#kurtosis
        ? (n * this.#m4[g]!) / (m2 * m2) - 3
        : (Math.sqrt(n) * this.#m3[g]!) / Math.sqrt(m2 * m2 * m2);
      valid[g] = 1;
    }
    return makeColumn(T.double, out, groups, valid);
  }
  size(): number {
    return this.#groups * 48;
  }
}

/**
 * Runs an accumulator over one side of the pairs (y, x): only rows where the other side is
 * non-NULL too (regr_avgx / regr_avgy are avg over the pairs).
 */
class PairSideAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #inner: GroupsAccumulator;
  readonly #side: number;
  constructor(inner: GroupsAccumulator, side: number) {
    this.#inner = inner;
    this.#side = side;
    this.stateTypes = inner.stateTypes;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    const other = validOf(args[1 - this.#side]!);
    let keep = filter;
    if (other !== null) {
      keep = new Uint8Array(numRows);
      for (let i = 0; i < numRows; i++) keep[i] = other[i]! & (filter === null ? 1 : filter[i]!);
    }
    this.#inner.update([args[this.#side]!], groupIds, numGroups, numRows, keep);
  }
  state(): arrow.Data[] {
    return this.#inner.state();
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#inner.merge(states, groupIds, numGroups, numRows);
  }
  evaluate(): arrow.Data {
    return this.#inner.evaluate();
  }
  size(): number {
    return this.#inner.size();
  }
}

/** The two numeric arguments (y, x) of a pair aggregate. */
function pairArgs(name: string, argTypes: readonly DataType[]): [DataType, DataType] {
  checkArity(name, argTypes, 2, 2);
  return [numericArg(name, argTypes[0]!), numericArg(name, argTypes[1]!)];
}

function pairAggregate(name: PairKind, description: string): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    description,
    resolve(argTypes) {
      pairArgs(name, argTypes);
      return sig([T.double, T.double], T.double);
    },
    createAccumulator() {
      return new CoMomentAccumulator(name);
    },
  };
}

function regrAvg(name: string, side: number): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    description: `${name}(y, x) - The mean of the ${side === 0 ? 'dependent' : 'independent'} variable over the non-NULL pairs.`,
    resolve(argTypes) {
      const types = pairArgs(name, argTypes);
      return sig(types, avgTypes(types[side]!).result);
    },
    createAccumulator(argTypes, returnType, ctx) {
      return new PairSideAccumulator(new AvgAccumulator(argTypes[side]!, returnType, ctx), side);
    },
  };
}

function moment(name: 'skewness' | 'kurtosis'): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    description: `${name}(expr) - The ${name} of the non-NULL values.`,
    resolve(argTypes) {
      numericArg(name, unary(name, argTypes));
      return sig([T.double], T.double);
    },
    createAccumulator() {
      return new HigherMomentAccumulator(name === 'kurtosis');
    },
  };
}

export const statisticsFunctions: readonly AggregateFunctionDef[] = [
  pairAggregate('covar_pop', 'covar_pop(expr1, expr2) - The population covariance of the non-NULL pairs.'),
  pairAggregate('covar_samp', 'covar_samp(expr1, expr2) - The sample covariance of the non-NULL pairs.'),
  pairAggregate('corr', 'corr(expr1, expr2) - The Pearson correlation coefficient of the non-NULL pairs.'),
  pairAggregate('regr_sxx', 'regr_sxx(y, x) - Σ(x - avg(x))² over the non-NULL pairs.'),
  pairAggregate('regr_syy', 'regr_syy(y, x) - Σ(y - avg(y))² over the non-NULL pairs.'),
  pairAggregate('regr_sxy', 'regr_sxy(y, x) - Σ(x - avg(x))(y - avg(y)) over the non-NULL pairs.'),
  pairAggregate(
    'regr_slope',
    'regr_slope(y, x) - The slope of the least-squares line of the non-NULL pairs.',
  ),
  pairAggregate(
    'regr_intercept',
    'regr_intercept(y, x) - The intercept of the least-squares line of the non-NULL pairs.',
  ),
  pairAggregate('regr_r2', 'regr_r2(y, x) - The coefficient of determination of the non-NULL pairs.'),
  {
    kind: 'aggregate',
    name: 'regr_count',
    description: 'regr_count(y, x) - The number of pairs where neither is NULL.',
    resolve(argTypes) {
      return sig(pairArgs('regr_count', argTypes), T.bigint, false);
    },
    createAccumulator() {
      return new CountAccumulator(false);
    },
  },
  regrAvg('regr_avgy', 0),
  regrAvg('regr_avgx', 1),
  moment('skewness'),
  moment('kurtosis'),
];
