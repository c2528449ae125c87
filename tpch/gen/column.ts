/**
 * One generated column of a chunk, in a form both outputs read without conversion per row: keys
 * and money as numbers (money in integer cents), small integers and dates (day numbers since
 * 1992-01-01) in an Int32Array, strings as ASCII bytes plus Int32 end offsets. One class for every
 * kind, so that the loops that format rows stay monomorphic.
 */

import { ByteWriter } from './byte-writer.ts';

/** A bigint column (keys); values in `numbers`. */
export const INT64 = 0;
/** An int column; values in `ints`. */
export const INT32 = 1;
/** A decimal(15,2) column of cents; values in `numbers`, written `d.dd`. */
export const CENTS = 2;
/** A decimal(15,2) column of whole numbers (quantities); values in `numbers`, written `d`. */
export const WHOLE = 3;
/** A date column of day numbers since 1992-01-01; values in `ints`. */
export const DAY = 4;
/** A string column; bytes in `text`, row i ends at `offsets[i + 1]`. */
export const STRING = 5;

export type ColumnKind =
  typeof INT64 | typeof INT32 | typeof CENTS | typeof WHOLE | typeof DAY | typeof STRING;

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);

export class Column {
  readonly kind: ColumnKind;
  /** Rows held. */
  length = 0;
  numbers: Float64Array = EMPTY_F64;
  ints: Int32Array = EMPTY_I32;
  /** Row boundaries of a string column: `length + 1` entries, the first 0. */
  offsets: Int32Array = EMPTY_I32;
  readonly text: ByteWriter;

  constructor(kind: ColumnKind, capacity: number, bytesPerRow = 0) {
    this.kind = kind;
    const rows = Math.max(16, capacity);
    switch (kind) {
      case INT64:
      case CENTS:
      case WHOLE:
        this.numbers = new Float64Array(rows);
        break;
      case INT32:
      case DAY:
        this.ints = new Int32Array(rows);
        break;
      case STRING:
        this.offsets = new Int32Array(rows + 1);
        break;
    }
    this.text = new ByteWriter(kind === STRING ? Math.max(64, rows * bytesPerRow) : 0);
  }

  /** Appends a value of a numeric column (INT64, CENTS, WHOLE). */
  number(v: number): void {
    if (this.length === this.numbers.length) this.numbers = grow(this.numbers);
    this.numbers[this.length++] = v;
  }

  /** Appends a value of an Int32 column (INT32, DAY). */
  int(v: number): void {
    if (this.length === this.ints.length) this.ints = grow(this.ints);
    this.ints[this.length++] = v;
  }

  /** Ends the current row of a string column (its bytes were written to `text`). */
  endString(): void {
    if (this.length + 1 === this.offsets.length) this.offsets = grow(this.offsets);
    this.offsets[++this.length] = this.text.length;
  }

  /** Appends a whole string value from bytes. */
  bytes(source: Uint8Array): void {
    this.text.bytes(source);
    this.endString();
  }
}

function grow<T extends Float64Array | Int32Array>(array: T): T {
  const grown = new (array.constructor as new (n: number) => T)(array.length * 2);
  grown.set(array);
  return grown;
}

/** The columns of one table for a range of generation units. */
export interface TableChunk {
  readonly rows: number;
  readonly columns: readonly Column[];
}

/** Wraps columns as a chunk, checking that they hold the same number of rows. */
export function tableChunk(columns: readonly Column[]): TableChunk {
  const rows = columns[0]?.length ?? 0;
  for (const c of columns) {
    if (c.length !== rows) throw new Error(`column lengths differ: ${c.length} != ${rows}`);
  }
  return { rows, columns };
}
