/**
 * collect_list (alias array_agg) and collect_set: the non-NULL values of each group as an array
 * (collect_set without duplicates, first occurrence kept). A group with no values gives an empty
 * array, never NULL. The state is the array itself, so partial results merge by concatenation.
 *
 * collect_rows(value[, position]): every value, NULLs included, ordered by `position` when given
 * (rows of equal or NULL position keep the order they arrived in) — PostgreSQL's
 * `ARRAY(SELECT … ORDER BY …)`. The state is the values and their positions.
 *
 * listagg (alias string_agg): the non-NULL values of each group joined by a delimiter (none by
 * default), in the order they arrive; NULL when there are none. The state is the values and the
 * delimiter.
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
import { valueKey } from '../scalar/array-values.ts';
import { checkArity, coerce } from '../scalar/define.ts';
import { sig, unary, validOf } from './support.ts';

/** The most elements a JavaScript array can hold in V8 (its largest fixed array). */
const MAX_ELEMENTS = 134_217_725;

class CollectAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #element: DataType;
  readonly #type: DataType;
  readonly #distinct: boolean;
  readonly #lists: Value[][] = [];
  readonly #seen: Set<string>[] = [];
  #count = 0;
  constructor(element: DataType, distinct: boolean) {
    this.#element = element;
    this.#type = T.array(element, false);
    this.#distinct = distinct;
    this.stateTypes = [this.#type];
  }
  #grow(numGroups: number): void {
    while (this.#lists.length < numGroups) {
      this.#lists.push([]);
      if (this.#distinct) this.#seen.push(new Set());
    }
  }
  #add(g: number, v: Value): void {
    const list = this.#lists[g]!;
    if (list.length >= MAX_ELEMENTS) {
      throw new EngineError(
        SqlState.programLimitExceeded,
        `[COLLECTION_SIZE_LIMIT_EXCEEDED] Can't create an array of more than ${MAX_ELEMENTS} elements in ${this.#distinct ? 'collect_set' : 'collect_list'}.`,
        { hint: 'group the rows more finely, or aggregate them instead of collecting them' },
      );
    }
    if (this.#distinct) {
      const k = valueKey(v);
      const seen = this.#seen[g]!;
      if (seen.has(k)) return;
      seen.add(k);
    }
    list.push(v);
    this.#count++;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.#grow(numGroups);
    const data = args[0]!;
    const valid = validOf(data);
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      this.#add(groupIds[i]!, valueAt(data, this.#element, i));
    }
  }
  state(): arrow.Data[] {
    return [this.evaluate()];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#grow(numGroups);
    const data = states[0]!;
    for (let i = 0; i < numRows; i++) {
      const list = valueAt(data, this.#type, i) as readonly Value[] | null;
      if (list === null) continue;
      const g = groupIds[i]!;
      for (const v of list) this.#add(g, v);
    }
  }
  evaluate(): arrow.Data {
    return columnFromValues(this.#type, this.#lists);
  }
  /** JavaScript arrays of boxed values: about 40 bytes a value, and 64 more per set entry. */
  size(): number {
    return this.#lists.length * 64 + this.#count * (this.#distinct ? 104 : 40);
  }
}

function collect(name: string, distinct: boolean, aliases: readonly string[] = []): AggregateFunctionDef {
  return {
    kind: 'aggregate',
    name,
    aliases,
    description: `${name}(expr) - The non-NULL values of the group as an array${distinct ? ', without duplicates' : ''}.`,
    resolve(argTypes) {
      const t = unary(name, argTypes);
      return sig([t], T.array(t, false), false);
    },
    createAccumulator(argTypes) {
      return new CollectAccumulator(argTypes[0]!, distinct);
    },
  };
}

class CollectRowsAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #element: DataType;
  readonly #type: DataType;
  readonly #positioned: boolean;
  readonly #values: Value[][] = [];
  readonly #positions: (bigint | null)[][] = [];
  #count = 0;
  constructor(element: DataType, positioned: boolean) {
    this.#element = element;
    this.#type = T.array(element, true);
    this.#positioned = positioned;
    this.stateTypes = [this.#type, T.array(T.bigint, true)];
  }
  #grow(numGroups: number): void {
    while (this.#values.length < numGroups) {
      this.#values.push([]);
      this.#positions.push([]);
    }
  }
  #add(g: number, v: Value, position: bigint | null): void {
    const list = this.#values[g]!;
    if (list.length >= MAX_ELEMENTS) {
      throw new EngineError(
        SqlState.programLimitExceeded,
        `[COLLECTION_SIZE_LIMIT_EXCEEDED] Can't create an array of more than ${MAX_ELEMENTS} elements in an ARRAY subquery.`,
      );
    }
    list.push(v);
    this.#positions[g]!.push(position);
    this.#count++;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.#grow(numGroups);
    const data = args[0]!;
    const positions = this.#positioned ? args[1]! : null;
    for (let i = 0; i < numRows; i++) {
      if (filter !== null && filter[i] === 0) continue;
      const p = positions === null ? null : (valueAt(positions, T.bigint, i) as bigint | null);
      this.#add(groupIds[i]!, valueAt(data, this.#element, i), p);
    }
  }
  state(): arrow.Data[] {
    return [
      columnFromValues(this.#type, this.#values),
      columnFromValues(this.stateTypes[1]!, this.#positions),
    ];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#grow(numGroups);
    for (let i = 0; i < numRows; i++) {
      const values = valueAt(states[0]!, this.#type, i) as readonly Value[] | null;
      const positions = valueAt(states[1]!, this.stateTypes[1]!, i) as readonly (bigint | null)[] | null;
      if (values === null) continue;
      const g = groupIds[i]!;
      values.forEach((v, k) => this.#add(g, v, positions?.[k] ?? null));
    }
  }
  evaluate(): arrow.Data {
    if (!this.#positioned) return columnFromValues(this.#type, this.#values);
    const ordered = this.#values.map((values, g) => {
      const positions = this.#positions[g]!;
      const order = values.map((_, k) => k);
      // Array.prototype.sort is stable: ties keep their arrival order.
      order.sort((a, b) => comparePositions(positions[a]!, positions[b]!));
      return order.map((k) => values[k]!);
    });
    return columnFromValues(this.#type, ordered);
  }
  /** Boxed values and positions: about 40 + 40 bytes a row. */
  size(): number {
    return this.#values.length * 128 + this.#count * 80;
  }
}

/** NULL positions last. */
function comparePositions(a: bigint | null, b: bigint | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

const collectRows: AggregateFunctionDef = {
  kind: 'aggregate',
  name: 'collect_rows',
  description:
    'collect_rows(expr[, position]) - Every value of the group, NULLs included, as an array ordered by position.',
  resolve(argTypes) {
    checkArity('collect_rows', argTypes, 1, 2);
    const t = argTypes[0]!;
    const types = argTypes.length === 2 ? [t, coerce('collect_rows', 1, argTypes[1]!, T.bigint)] : [t];
    return sig(types, T.array(t, true), false);
  },
  createAccumulator(argTypes) {
    return new CollectRowsAccumulator(argTypes[0]!, argTypes.length === 2);
  },
};

class ListAggAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [T.array(T.string, false), T.string];
  readonly #lists: string[][] = [];
  #delimiter: string | null = null;
  #bytes = 0;
  #grow(numGroups: number): void {
    while (this.#lists.length < numGroups) this.#lists.push([]);
  }
  #add(g: number, v: string): void {
    const list = this.#lists[g]!;
    if (list.length >= MAX_ELEMENTS) {
      throw new EngineError(
        SqlState.programLimitExceeded,
        `[COLLECTION_SIZE_LIMIT_EXCEEDED] Can't join more than ${MAX_ELEMENTS} values in listagg.`,
      );
    }
    list.push(v);
    this.#bytes += 40 + v.length * 2;
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.#grow(numGroups);
    const data = args[0]!;
    const valid = validOf(data);
    if (args.length > 1 && numRows > 0 && this.#delimiter === null)
      this.#delimiter = valueAt(args[1]!, T.string, 0) as string | null;
    for (let i = 0; i < numRows; i++) {
      if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
      this.#add(groupIds[i]!, valueAt(data, T.string, i) as string);
    }
  }
  state(): arrow.Data[] {
    const n = this.#lists.length;
    return [
      columnFromValues(this.stateTypes[0]!, this.#lists),
      columnFromValues(T.string, new Array<Value>(n).fill(this.#delimiter)),
    ];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.#grow(numGroups);
    for (let i = 0; i < numRows; i++) {
      this.#delimiter ??= valueAt(states[1]!, T.string, i) as string | null;
      const list = valueAt(states[0]!, this.stateTypes[0]!, i) as readonly string[] | null;
      if (list === null) continue;
      const g = groupIds[i]!;
      for (const v of list) this.#add(g, v);
    }
  }
  evaluate(): arrow.Data {
    const delimiter = this.#delimiter ?? '';
    return columnFromValues(
      T.string,
      this.#lists.map((l) => (l.length === 0 ? null : l.join(delimiter))),
    );
  }
  size(): number {
    return this.#lists.length * 64 + this.#bytes;
  }
}

const listAgg: AggregateFunctionDef = {
  kind: 'aggregate',
  name: 'listagg',
  aliases: ['string_agg'],
  description:
    'listagg(expr[, delimiter]) - The non-NULL values of the group joined by the delimiter; NULL if there are none.',
  resolve(argTypes) {
    checkArity('listagg', argTypes, 1, 2);
    return sig(
      argTypes.map((t, i) => coerce('listagg', i, t, T.string)),
      T.string,
    );
  },
  createAccumulator() {
    return new ListAggAccumulator();
  },
};

export const collectFunctions: readonly AggregateFunctionDef[] = [
  collect('collect_list', false, ['array_agg']),
  collect('collect_set', true),
  collectRows,
  listAgg,
];
