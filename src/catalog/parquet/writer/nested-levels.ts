/**
 * Shreds a nested column (array, map, struct, at any depth) into Parquet's leaf columns: for each
 * leaf, one repetition and one definition level per value slot it records, and which of the leaf's
 * Arrow slots hold the values written (the slots reached through present ancestors and not NULL
 * themselves). The schema layout is schema-mapping.ts's: a list is `LIST { repeated list {
 * element } }`, a map `MAP { repeated key_value { key; value } }`.
 *
 * Levels follow the Dremel encoding: a leaf records, for every row, every element of every list
 * and every map entry on its path, the definition level of the deepest node present (an empty or
 * NULL list and a NULL struct end the path early) and the repetition level at which the path
 * repeated (0 at a new row). Slots are visited in increasing order per leaf, so the selected
 * values are in the order the levels name them.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  invariant,
  isValid,
  type DataType,
  type Field,
} from '../../../common/index.ts';
import type { LeafColumn } from './parquet-format.ts';

/** One leaf's shredded values: its levels and the Arrow slots of its values, over all batches. */
export interface ShreddedLeaf {
  /** The leaf's engine field (its name, type and nullability). */
  readonly field: Field;
  /** Level entries recorded. */
  readonly count: number;
  readonly definition: Uint8Array;
  readonly repetition: Uint8Array;
  /** The leaf's Data in each batch. */
  readonly pieces: readonly arrow.Data[];
  /** One byte per slot of `pieces` in order: 1 where the slot holds a value to write. */
  readonly selected: Uint8Array;
  /** How many slots are selected (values to write). */
  readonly values: number;
}

/** A node of the column's type tree, with the levels its values reach. */
type Node =
  | { readonly kind: 'leaf'; readonly nullable: boolean; readonly def: number; readonly sink: LeafSink }
  | {
      readonly kind: 'struct';
      readonly nullable: boolean;
      readonly def: number;
      readonly children: readonly Node[];
      readonly sinks: readonly LeafSink[];
    }
  | {
      readonly kind: 'list';
      readonly nullable: boolean;
      readonly def: number;
      /** The repetition level of this list's elements after the first. */
      readonly rep: number;
      /** The element, or the map's key and value. */
      readonly children: readonly Node[];
      readonly map: boolean;
      readonly sinks: readonly LeafSink[];
    };

/** Grows one leaf's levels and slot selection as the column is walked. */
class LeafSink {
  readonly field: Field;
  readonly maxDefinition: number;
  definition = new Uint8Array(1024);
  repetition = new Uint8Array(1024);
  count = 0;
  readonly pieces: arrow.Data[] = [];
  private readonly selections: Uint8Array[] = [];
  /** The current batch's selection. */
  selected = new Uint8Array(0);
  values = 0;

  constructor(field: Field, maxDefinition: number) {
    this.field = field;
    this.maxDefinition = maxDefinition;
  }

  begin(data: arrow.Data): void {
    this.pieces.push(data);
    this.selected = new Uint8Array(data.length);
    this.selections.push(this.selected);
  }

  push(def: number, rep: number): void {
    if (this.count === this.definition.length) {
      const grow = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
        const b = new Uint8Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.definition = grow(this.definition);
      this.repetition = grow(this.repetition);
    }
    this.definition[this.count] = def;
    this.repetition[this.count] = rep;
    this.count++;
  }

  finish(): ShreddedLeaf {
    let slots = 0;
    for (const s of this.selections) slots += s.length;
    const selected = new Uint8Array(slots);
    let at = 0;
    for (const s of this.selections) {
      selected.set(s, at);
      at += s.length;
    }
    return {
      field: this.field,
      count: this.count,
      definition: this.definition.subarray(0, this.count),
      repetition: this.repetition.subarray(0, this.count),
      pieces: this.pieces,
      selected,
      values: this.values,
    };
  }
}

function buildNode(
  name: string,
  type: DataType,
  nullable: boolean,
  def: number,
  rep: number,
  sinks: LeafSink[],
): Node {
  const d = def + (nullable ? 1 : 0);
  const first = sinks.length;
  switch (type.kind) {
    case 'struct': {
      const children = type.fields.map((f) => buildNode(f.name, f.type, f.nullable, d, rep, sinks));
      return { kind: 'struct', nullable, def: d, children, sinks: sinks.slice(first) };
    }
    case 'array': {
      const element = buildNode('element', type.element, type.containsNull, d + 1, rep + 1, sinks);
      return {
        kind: 'list',
        nullable,
        def: d,
        rep: rep + 1,
        children: [element],
        map: false,
        sinks: sinks.slice(first),
      };
    }
    case 'map': {
      const key = buildNode('key', type.key, false, d + 1, rep + 1, sinks);
      const value = buildNode('value', type.value, type.valueContainsNull, d + 1, rep + 1, sinks);
      return {
        kind: 'list',
        nullable,
        def: d,
        rep: rep + 1,
        children: [key, value],
        map: true,
        sinks: sinks.slice(first),
      };
    }
    default: {
      const sink = new LeafSink({ name, type, nullable }, d);
      sinks.push(sink);
      return { kind: 'leaf', nullable, def: d, sink };
    }
  }
}

/** Points each leaf's sink at its Data within `data` (one batch's column). */
function beginBatch(node: Node, data: arrow.Data): void {
  switch (node.kind) {
    case 'leaf':
      node.sink.begin(data);
      return;
    case 'struct':
      node.children.forEach((c, k) => beginBatch(c, data.children[k]!));
      return;
    case 'list': {
      const child = data.children[0]!;
      if (node.map) node.children.forEach((c, k) => beginBatch(c, child.children[k]!));
      else beginBatch(node.children[0]!, child);
    }
  }
}

function notNullable(field: Field): EngineError {
  return new EngineError(
    SqlState.nullValueNotAllowed,
    `cannot write NULL into non-nullable column "${field.name}"`,
  );
}

/** Records slot `i` of `data` (a value of `node`) whose path repeated at level `rep`. */
function shred(node: Node, data: arrow.Data, i: number, rep: number, top: Field): void {
  if (!isValid(data, i)) {
    if (!node.nullable) throw notNullable(top);
    const def = node.def - 1;
    if (node.kind === 'leaf') node.sink.push(def, rep);
    else for (const s of node.sinks) s.push(def, rep);
    return;
  }
  switch (node.kind) {
    case 'leaf':
      node.sink.push(node.def, rep);
      node.sink.selected[i] = 1;
      node.sink.values++;
      return;
    case 'struct':
      for (let k = 0; k < node.children.length; k++) shred(node.children[k]!, data.children[k]!, i, rep, top);
      return;
    case 'list': {
      const offsets = data.valueOffsets as Int32Array;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      if (start === end) {
        for (const s of node.sinks) s.push(node.def, rep);
        return;
      }
      const child = data.children[0]!;
      if (node.map) {
        const keys = child.children[0]!;
        const values = child.children[1]!;
        const [keyNode, valueNode] = node.children as [Node, Node];
        for (let j = start; j < end; j++) {
          const r = j === start ? rep : node.rep;
          shred(keyNode, keys, j, r, top);
          shred(valueNode, values, j, r, top);
        }
      } else {
        const element = node.children[0]!;
        for (let j = start; j < end; j++) shred(element, child, j, j === start ? rep : node.rep, top);
      }
    }
  }
}

/**
 * Shreds column `field` of each batch (`pieces`) into its leaves, in the order of `leaves` (the
 * column's leaves of the Parquet schema).
 */
export function shredColumn(
  field: Field,
  leaves: readonly LeafColumn[],
  pieces: readonly arrow.Data[],
): ShreddedLeaf[] {
  const sinks: LeafSink[] = [];
  const root = buildNode(field.name, field.type, field.nullable, 0, 0, sinks);
  invariant(
    sinks.length === leaves.length && sinks.every((s, k) => s.maxDefinition === leaves[k]!.maxDefinition),
    `column "${field.name}" does not match its Parquet leaves`,
  );
  for (const data of pieces) {
    beginBatch(root, data);
    for (let i = 0; i < data.length; i++) shred(root, data, i, 0, field);
  }
  return sinks.map((s) => s.finish());
}
