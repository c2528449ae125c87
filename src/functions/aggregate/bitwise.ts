/**
 * bit_and / bit_or / bit_xor over an integral column: the bitwise AND / OR / XOR of the non-NULL
 * values of a group, of the input's type; NULL for a group without one. Values are folded as 32-bit
 * words (a bigint as its low and high words), so no BigInt is made per row; the partial state is
 * the result column itself.
 */
import type * as arrow from 'apache-arrow';
import { T, makeColumn, type DataType } from '../../common/index.ts';
import type { AggregateFunctionDef, GroupsAccumulator } from '../registry.ts';
import { typeMismatch } from '../scalar/define.ts';
import { grow, sig, unary, validOf, words64 } from './support.ts';

type BitOp = 'and' | 'or' | 'xor';

function fold(op: BitOp, a: number, b: number): number {
  return op === 'and' ? a & b : op === 'or' ? a | b : a ^ b;
}

class BitAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #op: BitOp;
  readonly #type: DataType;
  readonly #wide: boolean;
  /** Low words (the whole value below bigint) and high words of each group's result. */
  #lo = new Int32Array(16);
  #hi = new Int32Array(16);
  #seen = new Uint8Array(16);
  #groups = 0;
  constructor(op: BitOp, type: DataType) {
    this.#op = op;
    this.#type = type;
    this.#wide = type.kind === 'bigint';
    this.stateTypes = [type];
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.#lo = grow(this.#lo, numGroups, (k) => new Int32Array(k));
    this.#hi = grow(this.#hi, numGroups, (k) => new Int32Array(k));
    this.#seen = grow(this.#seen, numGroups, (k) => new Uint8Array(k));
    if (numGroups > this.#groups) this.#groups = numGroups;
    const data = args[0]!;
    const valid = validOf(data);
    const op = this.#op;
    const lo = this.#lo;
    const hi = this.#hi;
    const seen = this.#seen;
    if (this.#wide) {
      const w = words64(data);
      for (let i = 0; i < numRows; i++) {
        if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
        const g = groupIds[i]!;
        const l = w.lo[2 * i]! | 0;
        const h = w.hi[2 * i + 1]!;
        if (seen[g] === 0) {
          seen[g] = 1;
          lo[g] = l;
          hi[g] = h;
        } else {
          lo[g] = fold(op, lo[g]!, l);
          hi[g] = fold(op, hi[g]!, h);
        }
      }
      return;
    }
    const vals = (data.values as Int8Array | Int16Array | Int32Array).subarray(
      data.offset,
      data.offset + numRows,
    );
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      const g = groupIds[i]!;
      const v = vals[i]!;
      if (seen[g] === 0) {
        seen[g] = 1;
        lo[g] = v;
      } else lo[g] = fold(op, lo[g]!, v);
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
    const valid = this.#seen.slice(0, n);
    switch (this.#type.kind) {
      case 'tinyint':
        return makeColumn(this.#type, Int8Array.from(this.#lo.subarray(0, n)), n, valid);
      case 'smallint':
        return makeColumn(this.#type, Int16Array.from(this.#lo.subarray(0, n)), n, valid);
      case 'int':
        return makeColumn(this.#type, this.#lo.slice(0, n), n, valid);
      default: {
        const out = new BigInt64Array(n);
        const words = new Int32Array(out.buffer);
        for (let g = 0; g < n; g++) {
          words[2 * g] = this.#lo[g]!;
          words[2 * g + 1] = this.#hi[g]!;
        }
        return makeColumn(this.#type, out, n, valid);
      }
    }
  }
  size(): number {
    return this.#lo.byteLength * 2 + this.#seen.byteLength;
  }
}

function bitAggregate(op: BitOp): AggregateFunctionDef {
  const name = `bit_${op}`;
  return {
    kind: 'aggregate',
    name,
    description: `${name}(expr) - The bitwise ${op.toUpperCase()} of the non-NULL integral values.`,
    resolve(argTypes) {
      const t = unary(name, argTypes);
      switch (t.kind) {
        case 'tinyint':
        case 'smallint':
        case 'int':
        case 'bigint':
          return sig([t], t);
        case 'null':
          return sig([T.bigint], T.bigint);
        default:
          throw typeMismatch(name, 0, '"INTEGRAL"', t);
      }
    },
    createAccumulator(argTypes) {
      return new BitAccumulator(op, argTypes[0]!);
    },
  };
}

export const bitwiseFunctions: readonly AggregateFunctionDef[] = [
  bitAggregate('and'),
  bitAggregate('or'),
  bitAggregate('xor'),
];
