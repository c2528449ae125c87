/**
 * Reading one partition of a JSON table scan: its file pieces in order. JSON Lines files stream in
 * chunks, each line one record (a byte range of a large file starts at the line after its start and
 * reads through the line that crosses its end, as CSV ranges do); `multiLine` files are read whole
 * as one record. Records become rows through the JSON ↔ value conversion shared with from_json
 * (src/common/json-values.ts), in the table's parse mode; batches hold `batchSize` rows (fewer at
 * the end of a file with partition values, or when the limit is reached). Dates and timestamps
 * are read as Spark's default formats; a timestamp without a zone is UTC, as CSV tables read it.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  columnFromValues,
  jsonRecordRows,
  jsonToValue,
  makeBatchWithArrowSchema,
  toArrowSchema,
  utf8,
  zoneOffsetMillis,
  JsonValueError,
  type Field,
  type JsonValueRules,
  type JsonNode,
  type Schema,
  type Value,
} from '../../common/index.ts';
import type { ScanContext } from '../types.ts';
import { gzipReader, plainReader, type ChunkReader } from '../csv/byte-chunks.ts';
import { parseDate, parseTimestamp } from '../csv/csv-datetime-parsers.ts';
import type { FilePiece } from '../csv/csv-splits.ts';
import type { JsonOptions } from './json-options.ts';

const LF = 10;
const EMPTY = new Uint8Array(0);

/**
 * Dates and timestamps of JSON files: Spark's default formats; a TIMESTAMP whose text names no zone
 * is wall-clock time in `zone` (the session's, as Spark reads it), a TIMESTAMP_NTZ keeps its wall
 * clock. Written timestamps carry their offset from `zone`.
 */
export function fileDatetimeRules(zone: string): JsonValueRules {
  return {
    parseDate(text) {
      const bytes = utf8.encoder.encode(text);
      const days = parseDate(bytes, 0, bytes.length);
      return Number.isNaN(days) ? null : days;
    },
    parseTimestamp(text, ntz) {
      const bytes = utf8.encoder.encode(text);
      return parseTimestamp(bytes, 0, bytes.length, ntz ? 'UTC' : zone);
    },
    offsetSeconds: (utcMicros) => zoneOffsetMillis(zone, Number(utcMicros / 1000n)) / 1000,
  };
}

/** A partition folder's value as a value of the column's type (NULL when it does not parse). */
export function partitionValue(field: Field, raw: string | null, rules: JsonValueRules): Value {
  if (raw === null) return null;
  if (field.type.kind === 'string') return raw;
  const numeric = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw);
  const node: JsonNode = numeric
    ? { kind: 'number', text: raw, integral: /^-?\d+$/.test(raw) }
    : raw === 'true' || raw === 'false'
      ? { kind: 'boolean', value: raw === 'true' }
      : { kind: 'string', value: raw };
  try {
    return jsonToValue(node, field.type, rules);
  } catch (err) {
    if (err instanceof JsonValueError) return null;
    throw err;
  }
}

/** Where each output column comes from: a field of the JSON records (`dataIndex` ≥ 0) or a folder. */
export interface JsonOutputColumn {
  readonly field: Field;
  /** Index among the data fields read from the records, or -1 for a partition column. */
  readonly dataIndex: number;
}

export interface JsonPartitionRead {
  readonly schema: Schema;
  readonly columns: readonly JsonOutputColumn[];
  /** The fields read from each record (the projected data columns), in `dataIndex` order. */
  readonly dataFields: readonly Field[];
  /** Index among `dataFields` of the corrupt-record column, or -1. */
  readonly corruptField: number;
  readonly options: JsonOptions;
  readonly pieces: readonly FilePiece[];
  readonly limit: number | null;
  readonly chunkSize: number;
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted)
    throw new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
}

/** A record's rows, the file named in errors a record raises (FAILFAST). */
function recordRows(text: string, read: JsonPartitionRead, file: string, rules: JsonValueRules): Value[][] {
  try {
    return jsonRecordRows(
      text,
      read.dataFields,
      { mode: read.options.mode, corruptField: read.corruptField, arrayOfRows: true },
      rules,
    );
  } catch (err) {
    if (err instanceof EngineError && err.sqlstate === SqlState.invalidParameterValue) {
      throw new EngineError(err.sqlstate, `${err.message} (file "${file}")`);
    }
    throw err;
  }
}

export async function* readJsonPartition(
  read: JsonPartitionRead,
  ctx: ScanContext,
): AsyncGenerator<arrow.RecordBatch> {
  const batchSize = Math.max(1, ctx.batchSize);
  const rules = fileDatetimeRules(ctx.timeZone ?? 'UTC');
  const arrowSchema = toArrowSchema(read.schema);
  const hasPartitionColumns = read.columns.some((c) => c.dataIndex < 0);
  const limit = read.limit ?? Infinity;
  let produced = 0;
  let rows: Value[][] = [];
  let partitionValues: readonly Value[] = [];

  const flush = (): arrow.RecordBatch => {
    const n = rows.length;
    const columns = read.columns.map((c, j) =>
      columnFromValues(
        c.field.type,
        c.dataIndex >= 0
          ? rows.map((r) => r[c.dataIndex] ?? null)
          : new Array<Value>(n).fill(partitionValues[j] ?? null),
      ),
    );
    rows = [];
    produced += n;
    return makeBatchWithArrowSchema(arrowSchema, columns, n);
  };
  /** Adds a record's rows; true when a batch is full or the limit reached. */
  const add = (text: string, file: string): boolean => {
    for (const r of recordRows(text, read, file, rules)) {
      rows.push(r);
      if (produced + rows.length >= limit) return true;
    }
    return rows.length >= batchSize;
  };

  if (limit <= 0) return;
  for (const piece of read.pieces) {
    checkAborted(ctx.signal);
    const file = piece.file.path;
    partitionValues = read.columns.map((c) =>
      c.dataIndex >= 0
        ? null
        : partitionValue(c.field, piece.file.partitionValues.get(c.field.name.toLowerCase()) ?? null, rules),
    );
    const readFrom = piece.compressed ? 0 : Math.max(0, piece.start - 1);
    const reader: ChunkReader = piece.compressed
      ? gzipReader(file, read.chunkSize)
      : plainReader(file, readFrom, read.chunkSize);
    try {
      if (read.options.multiLine) {
        const parts: Uint8Array[] = [];
        for (let chunk = await reader.read(EMPTY); chunk !== null; chunk = await reader.read(EMPTY)) {
          checkAborted(ctx.signal);
          parts.push(chunk);
        }
        const text = utf8.decoder.decode(Buffer.concat(parts)).replace(/^\uFEFF/, '');
        if (add(text, file)) {
          yield flush();
          if (produced >= limit) return;
        }
      } else {
        // Offsets are file offsets of `data[0]`; lines starting at or past `piece.end` are the next piece's.
        let base = readFrom;
        let carry: Uint8Array = EMPTY;
        let skipping = piece.start > 0;
        let atFileStart = piece.start === 0;
        for (;;) {
          checkAborted(ctx.signal);
          const buf = await reader.read(carry);
          const atEof = buf === null;
          const data = buf ?? carry;
          let pos = 0;
          if (atFileStart && data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf)
            pos = 3;
          atFileStart = false;
          if (skipping) {
            const nl = data.indexOf(LF);
            if (nl < 0) {
              if (atEof) break;
              base += data.length;
              carry = EMPTY;
              continue;
            }
            pos = nl + 1;
            skipping = false;
          }
          let past = false;
          for (;;) {
            if (base + pos >= piece.end) {
              past = true;
              break;
            }
            const nl = data.indexOf(LF, pos);
            if (nl < 0 && !atEof) break;
            const lineEnd = nl < 0 ? data.length : nl;
            if (lineEnd > pos || nl >= 0) {
              let e = lineEnd;
              if (e > pos && data[e - 1] === 13) e--;
              const text = utf8.decoder.decode(data.subarray(pos, e));
              if (text.trim() !== '' && add(text, file)) {
                yield flush();
                if (produced >= limit) return;
              }
            }
            pos = nl < 0 ? data.length : nl + 1;
            if (nl < 0) break;
          }
          if (past || atEof) break;
          carry = data.subarray(pos);
          base += pos;
        }
      }
    } finally {
      await reader.close();
    }
    if (hasPartitionColumns && rows.length > 0) {
      yield flush();
      if (produced >= limit) return;
    }
  }
  if (rows.length > 0) yield flush();
}
