/**
 * dbgen's `.tbl` text of a chunk: every field followed by `|`, rows ended by `\n`.
 *
 * The output buffer is sized once from an upper bound (string bytes, date widths, and the digits
 * of each numeric column's largest value), so the row loop writes without bounds checks: integers
 * and cents two digits at a time from a table of digit pairs, dates copied from a table of
 * `YYYY-MM-DD` bytes, strings copied from the column's bytes.
 */

import { CENTS, DAY, INT32, INT64, STRING, WHOLE, type Column, type TableChunk } from './column.ts';
import { DATE_BYTES } from './format.ts';

const PIPE = 0x7c;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;
const TWO_31 = 2147483648;

/** ASCII of 00, 01, …, 99: two bytes each. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = ZERO + Math.floor(i / 10);
  PAIRS[2 * i + 1] = ZERO + (i % 10);
}

function digitCount(n: number): number {
  let digits = 1;
  let limit = 10;
  while (n >= limit && digits < 17) {
    digits++;
    limit *= 10;
  }
  return digits;
}

/** Writes a non-negative integer below 2^53 at `p`; returns the position after it. */
function writeInt(b: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    b[p] = ZERO + n;
    return p + 1;
  }
  const end = p + digitCount(n);
  let q = end;
  while (n >= TWO_31) {
    const next = Math.floor(n / 10);
    b[--q] = ZERO + (n - next * 10);
    n = next;
  }
  let v = n | 0;
  while (v >= 100) {
    const next = (v / 100) | 0;
    const pair = (v - next * 100) * 2;
    b[--q] = PAIRS[pair + 1]!;
    b[--q] = PAIRS[pair]!;
    v = next;
  }
  if (v >= 10) {
    b[--q] = PAIRS[v * 2 + 1]!;
    b[--q] = PAIRS[v * 2]!;
  } else {
    b[--q] = ZERO + v;
  }
  return end;
}

/** Writes cents as `[-]d.dd` at `p`; returns the position after it. */
function writeCents(b: Uint8Array, p: number, cents: number): number {
  if (cents < 0) {
    b[p++] = MINUS;
    cents = -cents;
  }
  const whole = Math.floor(cents / 100);
  const pair = (cents - whole * 100) * 2;
  p = writeInt(b, p, whole);
  b[p] = DOT;
  b[p + 1] = PAIRS[pair]!;
  b[p + 2] = PAIRS[pair + 1]!;
  return p + 3;
}

/** An upper bound of the bytes of one column's fields over all rows (without separators). */
function columnBound(c: Column, rows: number): number {
  switch (c.kind) {
    case STRING:
      return c.offsets[rows]!;
    case DAY:
      return 10 * rows;
    case INT32: {
      let max = 0;
      for (let i = 0; i < rows; i++) max = Math.max(max, Math.abs(c.ints[i]!));
      return (digitCount(max) + 1) * rows;
    }
    case INT64:
    case CENTS:
    case WHOLE: {
      let max = 0;
      for (let i = 0; i < rows; i++) max = Math.max(max, Math.abs(c.numbers[i]!));
      return (digitCount(max) + 4) * rows;
    }
  }
}

/** The `.tbl` bytes of a chunk (a view of a buffer of its own, safe to transfer). */
export function formatTbl(chunk: TableChunk): Uint8Array {
  const rows = chunk.rows;
  const columns = chunk.columns;
  const width = columns.length;
  let bound = rows;
  for (const c of columns) bound += rows + columnBound(c, rows);
  const b = new Uint8Array(bound);
  const dates = DATE_BYTES;
  let p = 0;
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < width; j++) {
      const c = columns[j]!;
      switch (c.kind) {
        case INT64:
        case WHOLE:
          p = writeInt(b, p, c.numbers[row]!);
          break;
        case CENTS:
          p = writeCents(b, p, c.numbers[row]!);
          break;
        case INT32:
          p = writeInt(b, p, c.ints[row]!);
          break;
        case DAY: {
          const at = c.ints[row]! * 10;
          for (let k = 0; k < 10; k++) b[p + k] = dates[at + k]!;
          p += 10;
          break;
        }
        case STRING: {
          const text = c.text.view;
          const start = c.offsets[row]!;
          const end = c.offsets[row + 1]!;
          for (let k = start; k < end; k++) b[p++] = text[k]!;
          break;
        }
      }
      b[p++] = PIPE;
    }
    b[p++] = NEWLINE;
  }
  return b.subarray(0, p);
}
