/**
 * count(*) / count(expr, …) / count_if(cond): per-group counts in a Float64Array (exact to 2^53).
 */
import type * as arrow from 'apache-arrow';
import { T, makeColumn, unpackBits, type DataType } from '../../common/index.ts';
import type { AggregateFunctionDef, GroupsAccumulator } from '../registry.ts';
import { checkArity, coerce } from '../scalar/define.ts';
import { grow, sig, validOf, words64 } from './support.ts';
import { writeInt53 } from '../kernels/decimal.ts';

export class CountAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [T.bigint];
  #counts = new Float64Array(16);
  #groups = 0;
  readonly #countIf: boolean;
  constructor(countIf: boolean) {
    this.#countIf = countIf;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
    groupRows?: Float64Array | null,
  ): void {
    this.#counts = grow(this.#counts, numGroups, (n) => new Float64Array(n));
    this.#groups = Math.max(this.#groups, numGroups);
    const counts = this.#counts;
    const valids = args.map(validOf).filter((v): v is Uint8Array => v !== null);
    if (groupRows != null && valids.length === 0 && !this.#countIf) {
      for (let g = 0; g < numGroups; g++) counts[g]! += groupRows[g]!;
      return;
    }
    const truth = this.#countIf ? unpackBits(args[0]!) : null;
    for (let i = 0; i < numRows; i++) {
      if (filter !== null && filter[i] === 0) continue;
      let ok = true;
      for (const v of valids) if (v[i] === 0) ok = false;
      if (!ok || (truth !== null && truth[i] === 0)) continue;
      counts[groupIds[i]!]! += 1;
    }
  }
  state(): arrow.Data[] {
    return [this.evaluate()];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#counts = grow(this.#counts, numGroups, (n) => new Float64Array(n));
    this.#groups = Math.max(this.#groups, numGroups);
    const { lo, hi } = words64(states[0]!);
    const counts = this.#counts;
    for (let i = 0; i < numRows; i++) counts[groupIds[i]!]! += hi[2 * i + 1]! * 4294967296 + lo[2 * i]!;
  }
  evaluate(): arrow.Data {
    const n = this.#groups;
    const out = new BigInt64Array(n);
    const words = new Int32Array(out.buffer);
    for (let g = 0; g < n; g++) writeInt53(words, 2 * g, this.#counts[g]!);
    return makeColumn(T.bigint, out, n, null);
  }
  size(): number {
    return this.#counts.byteLength;
  }
}

export const countFunctions: readonly AggregateFunctionDef[] = [
  {
    kind: 'aggregate',
    name: 'count',
    description: 'count(*) | count(expr, ...) - The number of rows (where every expr is non-NULL).',
    resolve(argTypes) {
      return sig(argTypes, T.bigint, false);
    },
    createAccumulator() {
      return new CountAccumulator(false);
    },
  },
  {
    kind: 'aggregate',
    name: 'count_if',
    description: 'count_if(cond) - The number of rows where cond is true.',
    resolve(argTypes) {
      checkArity('count_if', argTypes, 1, 1);
      return sig([coerce('count_if', 0, argTypes[0]!, T.boolean)], T.bigint, false);
    },
    createAccumulator() {
      return new CountAccumulator(true);
    },
  },
];
