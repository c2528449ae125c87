/**
 * Streams the rows of a result into DataRows: pulls one batch at a time, formats each column once
 * (text or binary per the column's format code), writes rows into the connection's buffer, and
 * stops after `maxRows` rows leaving its place for the next Execute of the same portal.
 */
import type * as arrow from 'apache-arrow';
import type { DataType } from '../common/index.ts';
import { writeDataRows } from './backend-messages.ts';
import { formatBinaryColumn } from './binary-format.ts';
import type { ColumnCells } from './cells.ts';
import { formatTextColumn, type TextFormatContext } from './text-format.ts';
import type { WriteBuffer } from './write-buffer.ts';

/** Rows are written in slices of this many, checking the buffer size after each. */
const ROWS_PER_SLICE = 256;
/** Flush the buffer to the socket once it holds this much. */
export const FLUSH_BYTES = 64 * 1024;

export interface RowSink {
  readonly out: WriteBuffer;
  textContext: TextFormatContext;
  /** Sends the buffered bytes, waiting for 'drain' when the socket is full. */
  flush(): Promise<void>;
  /** Throws (57014) when the running query was cancelled. */
  checkCancelled(): void;
}

/** Writes rows [from, to) of formatted columns into the buffer. */
export type RowWriter = (out: WriteBuffer, columns: readonly ColumnCells[], from: number, to: number) => void;

export class RowCursor {
  private readonly iterator: AsyncIterator<arrow.RecordBatch>;
  private readonly types: readonly DataType[];
  private readonly formats: readonly number[];
  private cells: ColumnCells[] | null = null;
  private batchRows = 0;
  private row = 0;
  private exhausted = false;
  private readonly writeRows: RowWriter;

  /** `writeRows`: how rows go out (DataRows, or COPY lines). */
  constructor(
    batches: AsyncIterable<arrow.RecordBatch>,
    types: readonly DataType[],
    formats: readonly number[],
    writeRows: RowWriter = writeDataRows,
  ) {
    this.iterator = batches[Symbol.asyncIterator]();
    this.types = types;
    this.formats = formats;
    this.writeRows = writeRows;
  }

  get done(): boolean {
    return this.exhausted;
  }

  /**
   * Writes up to `maxRows` rows (0 = all). Returns the number written and whether the portal is
   * suspended (the limit was reached) rather than finished.
   */
  async stream(sink: RowSink, maxRows: number): Promise<{ rows: number; suspended: boolean }> {
    let sent = 0;
    for (;;) {
      if (maxRows > 0 && sent >= maxRows) return { rows: sent, suspended: true };
      if (this.cells !== null && this.row < this.batchRows) {
        const limit = maxRows > 0 ? Math.min(this.batchRows, this.row + (maxRows - sent)) : this.batchRows;
        while (this.row < limit) {
          const to = Math.min(limit, this.row + ROWS_PER_SLICE);
          this.writeRows(sink.out, this.cells, this.row, to);
          sent += to - this.row;
          this.row = to;
          if (sink.out.length >= FLUSH_BYTES) await sink.flush();
        }
        continue;
      }
      this.cells = null;
      sink.checkCancelled();
      const next = await this.iterator.next();
      if (next.done === true) {
        this.exhausted = true;
        return { rows: sent, suspended: false };
      }
      this.load(next.value, sink.textContext);
    }
  }

  private load(batch: arrow.RecordBatch, ctx: TextFormatContext): void {
    const columns = batch.data.children;
    const cells: ColumnCells[] = [];
    for (let c = 0; c < this.types.length; c++) {
      const data = columns[c]!;
      const type = this.types[c]!;
      cells.push(this.formats[c] === 1 ? formatBinaryColumn(data, type) : formatTextColumn(data, type, ctx));
    }
    this.cells = cells;
    this.batchRows = batch.numRows;
    this.row = 0;
  }

  /** Stops the underlying query early (portal closed, connection gone, error). */
  async close(): Promise<void> {
    if (this.exhausted) return;
    this.exhausted = true;
    this.cells = null;
    try {
      await this.iterator.return?.();
    } catch {
      // The query is being abandoned; its clean-up error has nobody to go to.
    }
  }
}
