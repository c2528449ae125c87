/**
 * Reading one partition of a CSV scan: its file pieces in order, streamed in chunks through the record
 * parser, cut into batches of `batchSize` rows (fewer at the end of a file with partition values, or
 * when the limit is reached). Partition columns are constants per file.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  makeBatchWithArrowSchema,
  repeatValue,
  toArrowSchema,
  type Field,
  type Schema,
  type Value,
} from '../../common/index.ts';
import type { ScanContext } from '../types.ts';
import { gzipReader, plainReader } from './byte-chunks.ts';
import { CsvColumnBuilder } from './csv-column-builder.ts';
import type { CsvOptions } from './csv-options.ts';
import { CsvRecordParser } from './csv-record-parser.ts';
import type { FilePiece } from './csv-splits.ts';

const LF = 10;

/** Where each output column comes from: a CSV field (`field` ≥ 0) or a partition folder. */
export interface OutputColumn {
  readonly field: Field;
  /** Index of the field in a CSV record, or -1 for a partition column. */
  readonly csvIndex: number;
}

export interface CsvPartitionRead {
  readonly schema: Schema;
  readonly columns: readonly OutputColumn[];
  /** Number of data (non-partition) columns in each CSV record. */
  readonly csvFieldCount: number;
  readonly options: CsvOptions;
  readonly pieces: readonly FilePiece[];
  readonly limit: number | null;
  readonly chunkSize: number;
  /** Parses a partition folder value into a value of the column's type (timestamps in `zone`). */
  readonly partitionValue: (field: Field, raw: string | null, zone: string) => Value;
}

const EMPTY = new Uint8Array(0);

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted)
    throw new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
}

export async function* readCsvPartition(
  read: CsvPartitionRead,
  ctx: ScanContext,
): AsyncGenerator<arrow.RecordBatch> {
  const batchSize = Math.max(1, ctx.batchSize);
  const dataColumns = read.columns.filter((c) => c.csvIndex >= 0);
  const zone = ctx.timeZone ?? 'UTC';
  const builders = dataColumns.map((c) => new CsvColumnBuilder(c.field.type, batchSize, read.options, zone));
  const parser = new CsvRecordParser(
    read.csvFieldCount,
    builders,
    dataColumns.map((c) => c.csvIndex),
    read.options,
    batchSize,
  );
  const arrowSchema = toArrowSchema(read.schema);
  const hasPartitionColumns = dataColumns.length !== read.columns.length;
  const limit = read.limit ?? Infinity;
  let produced = 0;
  let partitionValues: readonly Value[] = [];
  const constantCache = new Map<number, arrow.Data>();

  const setMaxRows = (): void => {
    parser.maxRows = Math.min(batchSize, limit - produced);
  };
  const flush = (): arrow.RecordBatch => {
    const rows = parser.rows;
    const built = builders.map((b) => b.finish(rows));
    const columns: arrow.Data[] = [];
    let d = 0;
    for (let j = 0; j < read.columns.length; j++) {
      const c = read.columns[j]!;
      if (c.csvIndex >= 0) columns.push(built[d++]!);
      else {
        const key = j * 1e9 + rows;
        let col = constantCache.get(key);
        if (col === undefined) {
          col = repeatValue(c.field.type, partitionValues[j] ?? null, rows);
          constantCache.set(key, col);
        }
        columns.push(col);
      }
    }
    parser.rows = 0;
    produced += rows;
    setMaxRows();
    return makeBatchWithArrowSchema(arrowSchema, columns, rows);
  };

  setMaxRows();
  if (parser.maxRows <= 0) return;
  for (const piece of read.pieces) {
    checkAborted(ctx.signal);
    partitionValues = read.columns.map((c) =>
      c.csvIndex >= 0
        ? null
        : read.partitionValue(
            c.field,
            piece.file.partitionValues.get(c.field.name.toLowerCase()) ?? null,
            zone,
          ),
    );
    constantCache.clear();
    const file = piece.file.path;
    parser.beginSource({ file, start: piece.start, end: piece.end });
    const readFrom = piece.compressed ? 0 : Math.max(0, piece.start - 1);
    const reader = piece.compressed
      ? gzipReader(file, read.chunkSize)
      : plainReader(file, readFrom, read.chunkSize);
    try {
      let skipping = piece.start > 0;
      /** A UTF-8 byte order mark at the start of a file is not data. */
      let atFileStart = piece.start === 0;
      let carry: Uint8Array = EMPTY;
      /** File offset of `buf[0]` (meaningful for plain files, which are the only ones split). */
      let bufBase = readFrom;
      for (;;) {
        checkAborted(ctx.signal);
        const buf = await reader.read(carry);
        const atEof = buf === null;
        const data = buf ?? carry;
        let pos = 0;
        if (atFileStart) {
          if (data.length < 3 && !atEof) {
            carry = data;
            continue;
          }
          if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) pos = 3;
          atFileStart = false;
        }
        if (skipping) {
          const nl = data.indexOf(LF);
          if (nl < 0) {
            if (atEof) break;
            bufBase += data.length;
            carry = EMPTY;
            continue;
          }
          pos = nl + 1;
          skipping = false;
        }
        for (;;) {
          pos = parser.parse(data, pos, data.length, atEof, bufBase);
          if (parser.rows > 0 && parser.rows >= parser.maxRows) {
            yield flush();
            if (produced >= limit) return;
            continue;
          }
          break;
        }
        if (atEof || parser.finished) break;
        carry = data.subarray(pos);
        bufBase += pos;
      }
    } finally {
      await reader.close();
    }
    if (hasPartitionColumns && parser.rows > 0) {
      yield flush();
      if (produced >= limit) return;
    }
  }
  if (parser.rows > 0) yield flush();
}
