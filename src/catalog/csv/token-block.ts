/**
 * The fields of a block of CSV records, as byte offsets into the current buffer: record r's field f
 * spans `starts[r*width+f] .. ends[r*width+f]`. The tokenizer fills it; column builders then convert
 * one column at a time over all its records (tight, monomorphic loops).
 */

export const QUOTED = 1;
export const ESCAPED = 2;
/** Bytes after a closing quote, or an unterminated quote: the field is malformed. */
export const GARBAGE = 4;

export class TokenBlock {
  /** Fields stored per record: the table's CSV fields plus one (to recognise a trailing separator). */
  readonly width: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly flags: Uint8Array;
  /** How many fields record r has (may exceed `width`). */
  readonly fieldCounts: Int32Array;
  /** Line number (1-based, within the range) and file offset where record r starts, for errors. */
  readonly lines: Int32Array;
  readonly offsets: Float64Array;
  /** Record indexes to convert, in output order (identity unless malformed records are dropped). */
  readonly order: Int32Array;
  /** Malformed marks per record, set by the converters. */
  readonly bad: Uint8Array;
  /** Records in the block. */
  count = 0;
  /** True when some field in the block has flags (quotes). */
  anyFlags = false;

  constructor(fieldCount: number, capacity: number) {
    this.width = fieldCount + 1;
    this.starts = new Int32Array(capacity * this.width);
    this.ends = new Int32Array(capacity * this.width);
    this.flags = new Uint8Array(capacity * this.width);
    this.fieldCounts = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
    this.offsets = new Float64Array(capacity);
    this.order = new Int32Array(capacity);
    this.bad = new Uint8Array(capacity);
  }
}
