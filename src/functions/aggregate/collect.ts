/**
 * collect_list (alias array_agg) and collect_set: the non-NULL values of each group as an array
 * (collect_set without duplicates, first occurrence kept). A group with no values gives an empty
 * array, never NULL. The state is the array itself, so partial results merge by concatenation.
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

export const collectFunctions: readonly AggregateFunctionDef[] = [
  collect('collect_list', false, ['array_agg']),
  collect('collect_set', true),
];
