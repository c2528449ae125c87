/**
 * The disk copy of a cached table (`CACHE TABLE … OPTIONS ('storageLevel' 'DISK_ONLY')` or
 * `'MEMORY_AND_DISK'`): one Arrow IPC stream file per partition of the cache, uncompressed (as
 * Spark's disk blocks are by default: reading back costs a copy, not a decompression), in the
 * engine's spill folder, so that an engine that closes, or a process that dies, leaves nothing
 * (the folder is removed on close and swept at the next start).
 *
 * Files are written by the session that fills the cache, a batch at a time as the cache's query
 * yields them, and read by the scan tasks of later queries on whichever thread runs them: a
 * partition is read as a stream, so a scan holds one batch of it at a time.
 */
import * as arrow from 'apache-arrow';
import * as fs from 'node:fs';
import {
  EngineError,
  IpcChunkSink,
  SqlState,
  makeBatch,
  makeBatchWithArrowSchema,
  toArrowSchema,
  type Schema,
} from '../../common/index.ts';

function cacheFileError(verb: string, file: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError(
    SqlState.ioError,
    `could not ${verb} cache file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    { hint: 'free disk space in kindling.local.dir, or point it at a larger disk', cause: err },
  );
}

/** Writes one partition of a disk cache: `write` each batch, then `finish` (or `abort`). */
export class CacheFileWriter {
  readonly path: string;
  bytes = 0;
  rows = 0;
  private handle: fs.promises.FileHandle | null = null;
  private readonly sink = new IpcChunkSink();
  private readonly writer = new arrow.RecordBatchStreamWriter();
  private readonly arrowSchema: arrow.Schema;

  /** The file starts with `schema`, so that even an empty partition reads back. */
  constructor(path: string, schema: Schema) {
    this.path = path;
    this.arrowSchema = toArrowSchema(schema);
    this.writer.reset(this.sink, this.arrowSchema);
  }

  async write(batch: arrow.RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    // Every batch under the one schema the stream started with.
    this.writer.write(makeBatchWithArrowSchema(this.arrowSchema, batch.data.children, batch.numRows));
    this.rows += batch.numRows;
    await this.flush();
  }

  async finish(): Promise<void> {
    this.writer.finish();
    await this.flush();
    try {
      await this.open().then((h) => h.close());
    } catch (err) {
      throw cacheFileError('write', this.path, err);
    }
    this.handle = null;
  }

  /** Closes and removes the file (a failed or cancelled fill). */
  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    fs.rmSync(this.path, { force: true });
  }

  private async open(): Promise<fs.promises.FileHandle> {
    this.handle ??= await fs.promises.open(this.path, 'wx');
    return this.handle;
  }

  private async flush(): Promise<void> {
    const chunks = this.sink.take();
    if (chunks.length === 0) return;
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    try {
      await (await this.open()).write(data);
    } catch (err) {
      throw cacheFileError('write', this.path, err);
    }
    this.bytes += data.byteLength;
  }
}

/** The batches of one partition file of a disk cache, with the columns `projection` picks. */
export async function* readCacheFile(
  file: string,
  schema: Schema,
  projection: readonly number[],
  signal: AbortSignal,
): AsyncGenerator<arrow.RecordBatch> {
  let stream: fs.ReadStream | undefined;
  try {
    stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    const reader = await arrow.RecordBatchReader.from(stream);
    for await (const b of reader) {
      if (signal.aborted)
        throw new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
      if (b.numRows === 0) continue;
      yield makeBatch(
        schema,
        projection.map((i) => b.data.children[i]!),
        b.numRows,
      );
    }
  } catch (err) {
    throw cacheFileError('read', file, err);
  } finally {
    stream?.destroy();
  }
}
