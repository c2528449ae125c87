/**
 * histogram_numeric(expr, nb): a histogram of at most nb bins of a numeric column, as an array of
 * structs {x: the bin's centre, of expr's type (double for a decimal); y: its height, double}, in
 * ascending x; NULL for a group without values.
 *
 * Ben-Haim and Tom-Tov's streaming histogram, as Spark builds it: a value equal to a bin's centre
 * adds to it, any other becomes a bin of height 1, and while there are more than nb bins the two
 * closest are merged into one at their weighted mean. Partial histograms merge by pooling their
 * bins and merging the closest the same way. With at most nb distinct values every bin is a value
 * with its count, however the rows are split; beyond that the bins approximate the distribution
 * (and, as in Spark, depend on the order the rows arrive in). Centres are truncated to an integral
 * type's value.
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
import type { AggregateFunctionDef, GroupsAccumulator } from '../registry.ts';
import { checkArity, typeMismatch } from '../scalar/define.ts';
import { numericArg, sig, validOf } from './support.ts';

const DOUBLES = T.array(T.double, false);

/** One group's bins: centres ascending, their heights; room for one bin over the limit. */
interface Bins {
  xs: Float64Array;
  ys: Float64Array;
  len: number;
}

/** Merges the two closest adjacent bins (the leftmost pair among equally close ones). */
function mergeClosest(b: Bins): void {
  let best = 0;
  let gap = Infinity;
  for (let k = 0; k + 1 < b.len; k++) {
    const d = b.xs[k + 1]! - b.xs[k]!;
    if (d < gap) {
      gap = d;
      best = k;
    }
  }
  const y = b.ys[best]! + b.ys[best + 1]!;
  b.xs[best] = (b.xs[best]! * b.ys[best]! + b.xs[best + 1]! * b.ys[best + 1]!) / y;
  b.ys[best] = y;
  b.xs.copyWithin(best + 1, best + 2, b.len);
  b.ys.copyWithin(best + 1, best + 2, b.len);
  b.len--;
}

class HistogramAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [DOUBLES, DOUBLES, T.double];
  readonly #result: DataType;
  readonly #element: DataType;
  readonly #bins: (Bins | null)[] = [];
  #nb = 0;
  #used = 0;
  constructor(element: DataType, result: DataType) {
    this.#element = element;
    this.#result = result;
  }
  #group(g: number): Bins {
    let b = this.#bins[g] ?? null;
    if (b === null) {
      b = { xs: new Float64Array(this.#nb + 1), ys: new Float64Array(this.#nb + 1), len: 0 };
      this.#bins[g] = b;
      this.#used++;
    }
    return b;
  }
  /** Adds height `y` at `x`: onto an equal centre, else as a new bin (merging when over nb). */
  #add(b: Bins, x: number, y: number): void {
    let lo = 0;
    let hi = b.len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b.xs[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo < b.len && b.xs[lo] === x) {
      b.ys[lo] = b.ys[lo]! + y;
      return;
    }
    b.xs.copyWithin(lo + 1, lo, b.len);
    b.ys.copyWithin(lo + 1, lo, b.len);
    b.xs[lo] = x;
    b.ys[lo] = y;
    b.len++;
    if (b.len > this.#nb) mergeClosest(b);
  }
  #setBins(nb: number): void {
    if (this.#nb !== 0) return;
    if (!Number.isInteger(nb) || nb < 2) {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve "histogram_numeric" due to data type mismatch: The nb must be an integer of at least 2, but got ${nb}.`,
      );
    }
    this.#nb = nb;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    while (this.#bins.length < numGroups) this.#bins.push(null);
    if (numRows === 0) return;
    this.#setBins(Number(valueAt(args[1]!, T.int, 0)));
    const data = args[0]!;
    const vals = (data.values as Float64Array).subarray(data.offset, data.offset + numRows);
    const valid = validOf(data);
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      this.#add(this.#group(groupIds[i]!), vals[i]!, 1);
    }
  }
  state(): arrow.Data[] {
    const xs: Value[] = [];
    const ys: Value[] = [];
    for (const b of this.#bins) {
      xs.push(b === null ? null : Array.from(b.xs.subarray(0, b.len)));
      ys.push(b === null ? null : Array.from(b.ys.subarray(0, b.len)));
    }
    return [
      columnFromValues(DOUBLES, xs),
      columnFromValues(DOUBLES, ys),
      columnFromValues(
        T.double,
        this.#bins.map(() => this.#nb),
      ),
    ];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    while (this.#bins.length < numGroups) this.#bins.push(null);
    for (let i = 0; i < numRows; i++) {
      const xs = valueAt(states[0]!, DOUBLES, i) as number[] | null;
      const ys = valueAt(states[1]!, DOUBLES, i) as number[] | null;
      if (xs === null || ys === null) continue;
      this.#setBins(valueAt(states[2]!, T.double, i) as number);
      const b = this.#group(groupIds[i]!);
      for (let k = 0; k < xs.length; k++) this.#add(b, xs[k]!, ys[k]!);
    }
  }
  evaluate(): arrow.Data {
    const t = this.#element;
    const integral = t.kind === 'tinyint' || t.kind === 'smallint' || t.kind === 'int';
    const out: Value[] = this.#bins.map((b) => {
      if (b === null || b.len === 0) return null;
      return Array.from({ length: b.len }, (_, k) => {
        const x = b.xs[k]!;
        const cx: Value = integral ? Math.trunc(x) : t.kind === 'bigint' ? BigInt(Math.trunc(x)) : x;
        return [cx, b.ys[k]!];
      });
    });
    return columnFromValues(this.#result, out);
  }
  size(): number {
    return this.#bins.length * 16 + this.#used * (16 * (this.#nb + 1) + 64);
  }
}

export const histogramFunctions: readonly AggregateFunctionDef[] = [
  {
    kind: 'aggregate',
    name: 'histogram_numeric',
    description:
      'histogram_numeric(expr, nb) - A histogram of expr with at most nb bins: an array of {x: bin centre, y: height}, ascending.',
    resolve(argTypes, ctx) {
      checkArity('histogram_numeric', argTypes, 2, 2);
      const t = numericArg('histogram_numeric', argTypes[0]!);
      const n = argTypes[1]!;
      if (n.kind !== 'tinyint' && n.kind !== 'smallint' && n.kind !== 'int')
        throw typeMismatch('histogram_numeric', 1, '"INT"', n);
      const lit = ctx.literalArgs[1];
      if (typeof lit !== 'number' || lit < 2) {
        throw new EngineError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve "histogram_numeric" due to data type mismatch: The nb must be an integer literal of at least 2, but got ${typeof lit === 'number' ? lit : 'a non-literal'}.`,
        );
      }
      // decimals are binned as doubles; strings were read as double
      const element = t.kind === 'decimal' ? T.double : t;
      const struct: DataType = {
        kind: 'struct',
        fields: [
          { name: 'x', type: element, nullable: true },
          { name: 'y', type: T.double, nullable: true },
        ],
      };
      return sig([T.double, T.int], T.array(struct, true));
    },
    createAccumulator(argTypes, returnType) {
      const struct = returnType.kind === 'array' ? returnType.element : returnType;
      const x = struct.kind === 'struct' ? struct.fields[0]!.type : T.double;
      return new HistogramAccumulator(x, returnType);
    },
  },
];
