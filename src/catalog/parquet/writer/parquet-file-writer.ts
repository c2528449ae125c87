/**
 * `ParquetFileWriter`: streams row groups to a file and writes the footer on `close`.
 *
 * `write` buffers batches and encodes a row group each time `rowGroupRows` rows are buffered;
 * `appendRowGroup` writes a row group encoded elsewhere (e.g. in a worker thread) after flushing any
 * buffered rows, so rows land in the file in call order. Calls are serialized internally. A file with
 * no rows is still a valid Parquet file (no row groups). `abort` closes and deletes the partial file.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, type Schema } from '../../../common/index.ts';
import { encodeFileMetaData } from './metadata-encoder.ts';
import { MAGIC, type RowGroupMeta } from './parquet-format.ts';
import {
  encodeRowGroupWith,
  rebaseRowGroup,
  writableSchema,
  type EncodedRowGroup,
} from './row-group-encoder.ts';
import { SPARK_ROW_METADATA_KEY, sparkSchemaJson, type ParquetSchema } from './schema-mapping.ts';
import {
  resolveWriteOptions,
  type ParquetWriteOptions,
  type ResolvedWriteOptions,
} from './writer-options.ts';

export const CREATED_BY = 'kindling';
/**
 * Spark reads dates and timestamps of files that name a Spark ≥ 3 version (and no legacy-calendar
 * key) as proleptic Gregorian, which is what the engine writes.
 */
const SPARK_VERSION_KEY = 'org.apache.spark.version';
const SPARK_VERSION = '4.0.0';

function ioError(path: string, what: string, err: unknown): EngineError {
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(SqlState.ioError, `could not ${what} Parquet file "${path}": ${message}`, {
    cause: err,
  });
}

export class ParquetFileWriter {
  private readonly path: string;
  private readonly handle: FileHandle;
  private readonly schema: Schema;
  private readonly parquet: ParquetSchema;
  private readonly options: ResolvedWriteOptions;
  private readonly rowGroups: RowGroupMeta[] = [];
  private pending: arrow.RecordBatch[] = [];
  private pendingRows = 0;
  private offset = 0;
  private rows = 0;
  private state: 'open' | 'closed' | 'aborted' = 'open';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    path: string,
    handle: FileHandle,
    schema: Schema,
    parquet: ParquetSchema,
    options: ResolvedWriteOptions,
  ) {
    this.path = path;
    this.handle = handle;
    this.schema = schema;
    this.parquet = parquet;
    this.options = options;
  }

  /** Creates (or truncates) `path` and writes the leading magic bytes. */
  static async create(
    path: string,
    schema: Schema,
    options?: ParquetWriteOptions,
  ): Promise<ParquetFileWriter> {
    const resolved = resolveWriteOptions(options);
    const parquet = writableSchema(schema);
    let handle: FileHandle;
    try {
      handle = await open(path, 'w');
    } catch (err) {
      throw ioError(path, 'create', err);
    }
    const writer = new ParquetFileWriter(path, handle, schema, parquet, resolved);
    try {
      await writer.writeBytes(MAGIC);
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return writer;
  }

  /** Buffers `batch`; encodes and writes a row group whenever `rowGroupRows` rows are buffered. */
  write(batch: arrow.RecordBatch): Promise<void> {
    return this.serialize(async () => {
      if (batch.numRows === 0) return;
      this.pending.push(batch);
      this.pendingRows += batch.numRows;
      const target = this.options.rowGroupRows;
      while (this.pendingRows >= target) await this.writeGroup(this.takePending(target));
    });
  }

  /** Writes a row group encoded by `encodeRowGroup` with the same schema, after any buffered rows. */
  appendRowGroup(group: EncodedRowGroup): Promise<void> {
    return this.serialize(async () => {
      this.checkSameSchema(group);
      await this.flushPending();
      await this.appendEncoded(group);
    });
  }

  /** Flushes buffered rows, writes the footer and closes the file. */
  close(): Promise<{ path: string; rows: number; bytes: number }> {
    return this.serialize(async () => {
      await this.flushPending();
      const footer = encodeFileMetaData({
        rootName: 'spark_schema',
        elements: this.parquet.elements,
        topLevelColumns: this.schema.fields.length,
        columns: this.parquet.leaves,
        numRows: this.rows,
        rowGroups: this.rowGroups,
        keyValueMetadata: [
          [SPARK_ROW_METADATA_KEY, sparkSchemaJson(this.schema)],
          [SPARK_VERSION_KEY, SPARK_VERSION],
        ],
        createdBy: CREATED_BY,
      });
      const tail = new Uint8Array(footer.length + 8);
      tail.set(footer);
      new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
      tail.set(MAGIC, footer.length + 4);
      await this.writeBytes(tail);
      this.state = 'closed';
      try {
        // On disk before any commit names it: a machine that stops right after the commit must
        // not come back with a table whose files are empty.
        await this.handle.sync();
        await this.handle.close();
      } catch (err) {
        throw ioError(this.path, 'close', err);
      }
      return { path: this.path, rows: this.rows, bytes: this.offset };
    });
  }

  /** Closes the file and deletes it. Safe to call more than once, and after a failure. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.pending = [];
    await this.queue.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.state !== 'open') {
        throw new EngineError(
          SqlState.internalError,
          `internal error: Parquet writer for "${this.path}" is ${this.state}`,
        );
      }
      return task();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Removes the first `rows` buffered rows (slicing a batch if needed). */
  private takePending(rows: number): arrow.RecordBatch[] {
    const taken: arrow.RecordBatch[] = [];
    let need = rows;
    while (need > 0) {
      const b = this.pending[0]!;
      if (b.numRows <= need) {
        taken.push(b);
        this.pending.shift();
        need -= b.numRows;
      } else {
        taken.push(b.slice(0, need));
        this.pending[0] = b.slice(need, b.numRows);
        need = 0;
      }
    }
    this.pendingRows -= rows;
    return taken;
  }

  private async flushPending(): Promise<void> {
    if (this.pendingRows === 0) return;
    await this.writeGroup(this.takePending(this.pendingRows));
  }

  private async writeGroup(batches: readonly arrow.RecordBatch[]): Promise<void> {
    const group = encodeRowGroupWith(this.schema, this.parquet, batches, this.options.compression);
    await this.appendEncoded(group);
  }

  private async appendEncoded(group: EncodedRowGroup): Promise<void> {
    if (group.meta.numRows === 0) return;
    const base = this.offset;
    await this.writeBytes(group.bytes);
    this.rowGroups.push(rebaseRowGroup(group.meta, base));
    this.rows += group.meta.numRows;
  }

  private checkSameSchema(group: EncodedRowGroup): void {
    const cols = group.meta.columns;
    const leaves = this.parquet.leaves;
    const same =
      cols.length === leaves.length &&
      cols.every(
        (c, i) =>
          c.path.join('.') === leaves[i]!.path.join('.') && c.physicalType === leaves[i]!.physicalType,
      );
    if (!same) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: row group appended to "${this.path}" does not match the file's schema`,
      );
    }
  }

  private async writeBytes(bytes: Uint8Array): Promise<void> {
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(
          bytes,
          done,
          bytes.length - done,
          this.offset + done,
        );
        done += bytesWritten;
      }
    } catch (err) {
      throw ioError(this.path, 'write', err);
    }
    this.offset += bytes.length;
  }
}
