/**
 * mode(col [, deterministic]) and mode() WITHIN GROUP (ORDER BY col [DESC]): the most frequent
 * non-NULL value of a group, of the column's type; NULL for a group without one.
 *
 * Each group counts its distinct values in a Map. Among equally frequent values the lowest wins
 * (which Spark guarantees only with deterministic = true, or WITHIN GROUP … ASC), or the highest
 * under WITHIN GROUP (ORDER BY col DESC) — so the answer never depends on how rows were split
 * into partitions. The partial state is each group's distinct values and their counts, with the
 * direction. Atomic types only (numbers, decimals, strings, booleans, dates, timestamps).
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
import { checkArity, coerce, typeMismatch } from '../scalar/define.ts';
import { sig, validOf } from './support.ts';

type Key = number | bigint | string | boolean;

class ModeAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #type: DataType;
  readonly #listType: DataType;
  readonly #counts: Map<Key, number>[] = [];
  #distinct = 0;
  #desc = false;
  constructor(type: DataType) {
    this.#type = type;
    this.#listType = T.array(type, false);
    this.stateTypes = [this.#listType, T.array(T.double, false), T.boolean];
  }
  #grow(numGroups: number): void {
    while (this.#counts.length < numGroups) this.#counts.push(new Map());
  }
  #add(g: number, k: Key, c: number): void {
    const m = this.#counts[g]!;
    const prev = m.get(k);
    if (prev === undefined) this.#distinct++;
    m.set(k, (prev ?? 0) + c);
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
    const dir = args[2];
    if (dir !== undefined) this.#desc = valueAt(dir, T.boolean, 0) === true;
    const data = args[0]!;
    const valid = validOf(data);
    const type = this.#type;
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      this.#add(groupIds[i]!, valueAt(data, type, i) as Key, 1);
    }
  }
  state(): arrow.Data[] {
    const keys: Value[] = [];
    const counts: Value[] = [];
    for (const m of this.#counts) {
      keys.push([...m.keys()]);
      counts.push([...m.values()]);
    }
    const n = this.#counts.length;
    return [
      columnFromValues(this.#listType, keys),
      columnFromValues(T.array(T.double, false), counts),
      columnFromValues(
        T.boolean,
        Array.from({ length: n }, () => this.#desc),
      ),
    ];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#grow(numGroups);
    for (let i = 0; i < numRows; i++) {
      if (valueAt(states[2]!, T.boolean, i) === true) this.#desc = true;
      const keys = valueAt(states[0]!, this.#listType, i) as Key[] | null;
      const counts = valueAt(states[1]!, T.array(T.double, false), i) as number[] | null;
      if (keys === null || counts === null) continue;
      const g = groupIds[i]!;
      for (let k = 0; k < keys.length; k++) this.#add(g, keys[k]!, counts[k]!);
    }
  }
  evaluate(): arrow.Data {
    const desc = this.#desc;
    const out: Value[] = this.#counts.map((m) => {
      let best: Key | null = null;
      let bestCount = 0;
      for (const [k, c] of m) {
        if (c > bestCount || (c === bestCount && best !== null && (desc ? k > best : k < best))) {
          best = k;
          bestCount = c;
        }
      }
      return best;
    });
    return columnFromValues(this.#type, out);
  }
  /** A Map entry per distinct value (about 80 bytes with the boxed key), and a Map per group. */
  size(): number {
    return this.#counts.length * 64 + this.#distinct * 80;
  }
}

function modeArg(t: DataType): DataType {
  switch (t.kind) {
    case 'boolean':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
    case 'string':
    case 'date':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
      return t;
    case 'null':
      return T.string;
    default:
      throw typeMismatch('mode', 0, '"ATOMIC"', t);
  }
}

export const modeFunctions: readonly AggregateFunctionDef[] = [
  {
    kind: 'aggregate',
    name: 'mode',
    description:
      'mode(col [, deterministic]) | mode() WITHIN GROUP (ORDER BY col [DESC]) - The most frequent non-NULL value; ties go to the lowest value (the highest with DESC).',
    resolve(argTypes, ctx) {
      // WITHIN GROUP (ORDER BY col [DESC]) arrives as (col, true, desc)
      checkArity('mode', argTypes, 1, 3);
      const t = modeArg(argTypes[0]!);
      const rest = argTypes.slice(1).map((a, k) => {
        const lit = ctx.literalArgs[k + 1];
        if (lit === undefined && a.kind !== 'null') {
          throw new EngineError(
            SqlState.datatypeMismatch,
            `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "mode" due to data type mismatch: the input deterministic should be a foldable "BOOLEAN" expression.`,
          );
        }
        return coerce('mode', k + 1, a, T.boolean);
      });
      return sig([t, ...rest], t);
    },
    createAccumulator(argTypes) {
      return new ModeAccumulator(argTypes[0]!);
    },
  },
];
