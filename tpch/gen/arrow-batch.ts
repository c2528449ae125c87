/**
 * A chunk's columns as an Arrow `RecordBatch` in the engine's representation (src/common/arrow.ts):
 * bigint as BigInt64Array, decimal(15,2) as 64-bit unscaled values in a Uint32Array (2 words per
 * value, low word first), int as Int32Array, date as Int32 days since 1970-01-01, strings as UTF-8
 * bytes with Int32 offsets. Numbers are split into words arithmetically (no BigInt per value).
 */

import * as arrow from 'apache-arrow';
import { CENTS, DAY, INT32, INT64, STRING, WHOLE, type Column, type TableChunk } from './column.ts';

const TWO_32 = 4294967296;
/** Day number of 1992-01-01 since 1970-01-01 (our day numbers start at 1992-01-01). */
export const EPOCH_OFFSET = Math.round(Date.UTC(1992, 0, 1) / 86_400_000);

/** Little-endian 64-bit words of integers below 2^53 in magnitude, times `scale`. */
function words64(numbers: Float64Array, rows: number, scale: number): Uint32Array {
  const out = new Uint32Array(2 * rows);
  for (let i = 0; i < rows; i++) {
    const v = numbers[i]! * scale;
    out[2 * i] = v >>> 0;
    out[2 * i + 1] = Math.floor(v / TWO_32) >>> 0;
  }
  return out;
}

function columnData(c: Column, type: arrow.DataType, rows: number): arrow.Data {
  switch (c.kind) {
    case INT64: {
      const w = words64(c.numbers, rows, 1);
      return arrow.makeData({ type: type as arrow.Int64, length: rows, data: new BigInt64Array(w.buffer) });
    }
    case CENTS:
      return arrow.makeData({ type: type as arrow.Decimal, length: rows, data: words64(c.numbers, rows, 1) });
    case WHOLE:
      return arrow.makeData({
        type: type as arrow.Decimal,
        length: rows,
        data: words64(c.numbers, rows, 100),
      });
    case INT32:
      return arrow.makeData({ type: type as arrow.Int32, length: rows, data: c.ints.slice(0, rows) });
    case DAY: {
      const days = new Int32Array(rows);
      for (let i = 0; i < rows; i++) days[i] = c.ints[i]! + EPOCH_OFFSET;
      return arrow.makeData({ type: type as arrow.DateDay, length: rows, data: days });
    }
    case STRING:
      return arrow.makeData({
        type: type as arrow.Utf8,
        length: rows,
        valueOffsets: c.offsets.subarray(0, rows + 1),
        data: c.text.view.subarray(0, c.offsets[rows]),
      });
  }
}

/** The chunk as one RecordBatch of `schema` (whose fields match the chunk's columns in order). */
export function toRecordBatch(schema: arrow.Schema, chunk: TableChunk): arrow.RecordBatch {
  if (schema.fields.length !== chunk.columns.length) {
    throw new Error(`schema has ${schema.fields.length} fields, chunk ${chunk.columns.length} columns`);
  }
  const children = chunk.columns.map((c, i) =>
    columnData(c, schema.fields[i]!.type as arrow.DataType, chunk.rows),
  );
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: chunk.rows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
}
