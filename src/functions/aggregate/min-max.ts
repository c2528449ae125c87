/**
 * min / max of any orderable type, and min_by / max_by. Numbers are kept in a Float64Array,
 * 64-bit values (bigint, timestamps, Decimal64) in a BigInt64Array, strings as copied UTF-8 bytes
 * compared in place against the batch's buffer (a copy is made only when the best value changes);
 * other types fall back to values compared with `compareValues`.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  columnFromValues,
  decimal64Values,
  makeColumn,
  makeStringColumn,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { AggregateFunctionDef, GroupsAccumulator } from '../registry.ts';
import { allocNumber } from '../kernels/common.ts';
import { compareBytes, compareDoubles, compareValues } from '../kernels/compare.ts';
import { checkArity, typeMismatch } from '../scalar/define.ts';
import { grow, sig, unary, validOf } from './support.ts';

type Layout = 'num' | 'big' | 'bytes' | 'value';

function layout(t: DataType): Layout {
  switch (t.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'float':
    case 'double':
    case 'interval_year_month':
      return 'num';
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time':
      return 'big';
    case 'decimal':
      return t.precision <= MAX_DECIMAL64_PRECISION ? 'big' : 'value';
    case 'string':
    case 'binary':
      return 'bytes';
    default:
      return 'value';
  }
}

class MinMaxAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #type: DataType;
  readonly #sign: number;
  readonly #layout: Layout;
  #set = new Uint8Array(16);
  #num = new Float64Array(16);
  #big = new BigInt64Array(16);
  #bytes: (Uint8Array | undefined)[] = [];
  #values: Value[] = [];
  #groups = 0;
  constructor(type: DataType, isMax: boolean) {
    this.#type = type;
    this.#sign = isMax ? 1 : -1;
    this.#layout = layout(type);
    this.stateTypes = [type];
  }
  #ensure(n: number): void {
    this.#set = grow(this.#set, n, (k) => new Uint8Array(k));
    if (this.#layout === 'num') this.#num = grow(this.#num, n, (k) => new Float64Array(k));
    if (this.#layout === 'big') this.#big = grow(this.#big, n, (k) => new BigInt64Array(k));
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
    const data = args[0]!;
    const valid = validOf(data);
    const set = this.#set;
    const sign = this.#sign;
    switch (this.#layout) {
      case 'num': {
        const vals = (data.values as Float64Array).subarray(data.offset, data.offset + numRows);
        const best = this.#num;
        const isFloat = this.#type.kind === 'float' || this.#type.kind === 'double';
        for (let i = 0; i < numRows; i++) {
          if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
          const g = groupIds[i]!;
          const x = vals[i]!;
          if (set[g] === 0) {
            set[g] = 1;
            best[g] = x;
          } else if (
            isFloat ? compareDoubles(x, best[g]!) * sign > 0 : sign > 0 ? x > best[g]! : x < best[g]!
          )
            best[g] = x;
        }
        return;
      }
      case 'big': {
        const vals =
          this.#type.kind === 'decimal'
            ? decimal64Values(data)
            : (data.values as BigInt64Array).subarray(data.offset, data.offset + numRows);
        const best = this.#big;
        for (let i = 0; i < numRows; i++) {
          if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
          const g = groupIds[i]!;
          const x = vals[i]!;
          if (set[g] === 0) {
            set[g] = 1;
            best[g] = x;
          } else if (sign > 0 ? x > best[g]! : x < best[g]!) best[g] = x;
        }
        return;
      }
      case 'bytes': {
        const offsets = data.valueOffsets as Int32Array;
        const bytes = data.values as Uint8Array;
        const base = data.offset;
        const best = this.#bytes;
        for (let i = 0; i < numRows; i++) {
          if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
          const g = groupIds[i]!;
          const s = offsets[base + i]!;
          const e = offsets[base + i + 1]!;
          const cur = best[g];
          if (cur === undefined || compareBytes(bytes, s, e, cur, 0, cur.length) * sign > 0) {
            best[g] = bytes.slice(s, e);
            set[g] = 1;
          }
        }
        return;
      }
      case 'value': {
        for (let i = 0; i < numRows; i++) {
          if ((valid !== null && valid[i] === 0) || (filter !== null && filter[i] === 0)) continue;
          const g = groupIds[i]!;
          const x = valueAt(data, this.#type, i);
          if (set[g] === 0 || compareValues(x, this.#values[g]!, this.#type) * sign > 0) {
            set[g] = 1;
            this.#values[g] = x;
          }
        }
      }
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
    const valid = this.#set.slice(0, n);
    switch (this.#layout) {
      case 'num': {
        const out = allocNumber(this.#type, n);
        for (let g = 0; g < n; g++) out[g] = this.#num[g]!;
        return makeColumn(this.#type, out, n, valid);
      }
      case 'big':
        return makeColumn(this.#type, this.#big.slice(0, n), n, valid);
      case 'bytes': {
        const offsets = new Int32Array(n + 1);
        let total = 0;
        for (let g = 0; g < n; g++) {
          total += this.#bytes[g]?.length ?? 0;
          offsets[g + 1] = total;
        }
        const bytes = new Uint8Array(total);
        for (let g = 0; g < n; g++) {
          const b = this.#bytes[g];
          if (b !== undefined) bytes.set(b, offsets[g]);
        }
        return makeStringColumn(offsets, bytes, n, valid, this.#type);
      }
      case 'value':
        return columnFromValues(
          this.#type,
          Array.from({ length: n }, (_, g) => (valid[g] === 1 ? this.#values[g]! : null)),
        );
    }
  }
  size(): number {
    return this.#groups * 16;
  }
}

/** min_by(x, ord) / max_by(x, ord): the x of the row with the smallest / largest ord. */
class ByAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[];
  readonly #valueType: DataType;
  readonly #orderType: DataType;
  readonly #sign: number;
  #values: Value[] = [];
  #orders: Value[] = [];
  #groups = 0;
  constructor(valueType: DataType, orderType: DataType, isMax: boolean) {
    this.#valueType = valueType;
    this.#orderType = orderType;
    this.#sign = isMax ? 1 : -1;
    this.stateTypes = [valueType, orderType];
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    if (numGroups > this.#groups) this.#groups = numGroups;
    const [vals, ords] = args as [arrow.Data, arrow.Data];
    for (let i = 0; i < numRows; i++) {
      if (filter !== null && filter[i] === 0) continue;
      const o = valueAt(ords, this.#orderType, i);
      if (o === null) continue;
      const g = groupIds[i]!;
      const cur = this.#orders[g];
      if (cur === undefined || cur === null || compareValues(o, cur, this.#orderType) * this.#sign > 0) {
        this.#orders[g] = o;
        this.#values[g] = valueAt(vals, this.#valueType, i);
      }
    }
  }
  state(): arrow.Data[] {
    const n = this.#groups;
    return [
      columnFromValues(
        this.#valueType,
        Array.from({ length: n }, (_, g) => this.#values[g] ?? null),
      ),
      columnFromValues(
        this.#orderType,
        Array.from({ length: n }, (_, g) => this.#orders[g] ?? null),
      ),
    ];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.update(states, groupIds, numGroups, numRows, null);
  }
  evaluate(): arrow.Data {
    return this.state()[0]!;
  }
  size(): number {
    return this.#groups * 32;
  }
}

/** Maps and calendar intervals have no order, nor arrays or structs holding one. */
function holdsMap(t: DataType): boolean {
  if (t.kind === 'map' || t.kind === 'calendar_interval') return true;
  if (t.kind === 'array') return holdsMap(t.element);
  if (t.kind === 'struct') return t.fields.some((f) => holdsMap(f.type));
  return false;
}

function orderable(name: string, t: DataType): void {
  if (holdsMap(t)) throw typeMismatch(name, 0, 'orderable', t);
}

export const minMaxFunctions: readonly AggregateFunctionDef[] = (['min', 'max'] as const).flatMap(
  (name): AggregateFunctionDef[] => [
    {
      kind: 'aggregate',
      name,
      description: `${name}(expr) - The ${name === 'min' ? 'smallest' : 'largest'} non-NULL value.`,
      resolve(argTypes) {
        const t = unary(name, argTypes);
        orderable(name, t);
        return sig([t], t);
      },
      createAccumulator(argTypes) {
        return new MinMaxAccumulator(argTypes[0]!, name === 'max');
      },
    },
    {
      kind: 'aggregate',
      name: `${name}_by`,
      description: `${name}_by(x, ord) - The x of the row with the ${name === 'min' ? 'smallest' : 'largest'} ord.`,
      resolve(argTypes) {
        checkArity(`${name}_by`, argTypes, 2, 2);
        orderable(`${name}_by`, argTypes[1]!);
        return sig(argTypes, argTypes[0]!);
      },
      createAccumulator(argTypes) {
        return new ByAccumulator(argTypes[0]!, argTypes[1]!, name === 'max');
      },
    },
  ],
);
