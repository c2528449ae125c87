/**
 * Reading one partition of a Parquet scan: its (file, row group) units in order. Each file is opened
 * once as a Blob (`fs.openAsBlob`, so only the byte ranges parquet-wasm asks for are read, never the
 * whole file into wasm memory), each row group is decoded with only the needed columns, brought into
 * arrow-js through an IPC stream, and its columns converted to the engine's representation. Output
 * columns a file lacks are NULL; partition columns are constants. When no file column is needed
 * (`count(*)`, partition columns only) nothing is decoded: batches come from the footer's row counts.
 */
import * as fs from 'node:fs';
import * as arrow from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm';
import {
  EngineError,
  SqlState,
  makeBatchWithArrowSchema,
  nullColumn,
  repeatValue,
  toArrowSchema,
  toEngineError,
  type Schema,
} from '../../common/index.ts';
import type { ScanContext } from '../types.ts';
import { convertColumn } from './parquet-convert.ts';
import type { PlannedFile, WorkUnit } from './parquet-scan-plan.ts';
import { guardWasm } from './wasm-trap-guard.ts';

/** Counters a scan keeps while it runs (tests and EXPLAIN ANALYZE-style metrics). */
export interface ParquetScanMetrics {
  rowGroupsDecoded: number;
  rowsProduced: number;
}

export interface PartitionRead {
  readonly schema: Schema;
  readonly units: readonly WorkUnit[];
  readonly limit: number | null;
  readonly metrics: ParquetScanMetrics;
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted)
    throw new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
}

/** Turns whatever parquet-wasm throws (errors, wasm traps) into an EngineError naming the file. */
function decodeError(filePath: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const trap = err instanceof Error && err.name === 'RuntimeError' ? ' (decoder trap)' : '';
  return new EngineError(SqlState.ioError, `could not read Parquet file "${filePath}"${trap}: ${message}`, {
    cause: err,
  });
}

export async function* readParquetPartition(
  read: PartitionRead,
  ctx: ScanContext,
): AsyncGenerator<arrow.RecordBatch> {
  const batchSize = Math.max(1, ctx.batchSize);
  const arrowSchema = toArrowSchema(read.schema);
  const limit = read.limit ?? Infinity;
  let produced = 0;
  let i = 0;
  const units = read.units;
  while (i < units.length && produced < limit) {
    checkAborted(ctx.signal);
    const file = units[i]!.file;
    let j = i;
    while (j < units.length && units[j]!.file === file) j++;
    if (file.error !== null) throw file.error;
    const fileUnits = units.slice(i, j);
    i = j;
    const builder = new BatchBuilder(file, arrowSchema);
    if (file.decode.length === 0) {
      for (const unit of fileUnits) {
        let left = Math.min(unit.rows, limit - produced);
        while (left > 0) {
          checkAborted(ctx.signal);
          const n = Math.min(batchSize, left);
          left -= n;
          produced += n;
          read.metrics.rowsProduced += n;
          yield builder.build(null, n);
        }
        if (produced >= limit) break;
      }
      continue;
    }
    let parquet: ParquetFile;
    try {
      parquet = await guardWasm(file.path, ParquetFile.fromFile(await fs.openAsBlob(file.path)));
    } catch (err) {
      throw decodeError(file.path, err);
    }
    try {
      for (const unit of fileUnits) {
        if (produced >= limit) break;
        checkAborted(ctx.signal);
        const remaining = limit - produced;
        let table: arrow.Table;
        try {
          const wasmTable = await guardWasm(
            file.path,
            parquet.read({
              rowGroups: [unit.rowGroup],
              columns: file.decode.slice(),
              batchSize,
              ...(remaining < unit.rows ? { limit: remaining } : {}),
            }),
          );
          table = arrow.tableFromIPC(wasmTable.intoIPCStream());
        } catch (err) {
          throw decodeError(file.path, err);
        }
        read.metrics.rowGroupsDecoded++;
        for (const batch of table.batches) {
          if (batch.numRows === 0) continue;
          const n = Math.min(batch.numRows, limit - produced);
          if (n <= 0) break;
          const out = builder.build(n === batch.numRows ? batch : batch.slice(0, n), n);
          produced += n;
          read.metrics.rowsProduced += n;
          yield out;
        }
      }
    } finally {
      try {
        parquet.free();
      } catch {
        // After a decoder trap the handle is still borrowed by the abandoned read: leave it.
      }
    }
  }
}

/** Assembles output batches for one file: converted, NULL and constant columns. */
class BatchBuilder {
  private readonly file: PlannedFile;
  private readonly arrowSchema: arrow.Schema;
  private readonly constants = new Map<number, arrow.Data>();
  private constantLength = -1;

  constructor(file: PlannedFile, arrowSchema: arrow.Schema) {
    this.file = file;
    this.arrowSchema = arrowSchema;
  }

  build(batch: arrow.RecordBatch | null, n: number): arrow.RecordBatch {
    if (n !== this.constantLength) {
      this.constants.clear();
      this.constantLength = n;
    }
    const columns: arrow.Data[] = [];
    const sources = this.file.sources;
    for (let c = 0; c < sources.length; c++) {
      const source = sources[c]!;
      switch (source.kind) {
        case 'partition':
        case 'missing': {
          let data = this.constants.get(c);
          if (data === undefined) {
            data =
              source.kind === 'partition' && source.value !== null
                ? repeatValue(source.field.type, source.value, n)
                : nullColumn(source.field.type, n);
            this.constants.set(c, data);
          }
          columns.push(data);
          break;
        }
        case 'file': {
          const child = batch?.getChild(source.name);
          if (batch === null || child === null || child === undefined) {
            throw new EngineError(
              SqlState.internalError,
              `internal error: column \`${source.name}\` missing from the decoded Parquet batch of "${this.file.path}"`,
            );
          }
          // A RecordBatch's child vector is a single chunk.
          const data = child.data[0] as arrow.Data;
          try {
            columns.push(
              convertColumn(data, source.field.type, { filePath: this.file.path, column: source.name }),
            );
          } catch (err) {
            throw toEngineError(err);
          }
          break;
        }
      }
    }
    return makeBatchWithArrowSchema(this.arrowSchema, columns, n);
  }
}
