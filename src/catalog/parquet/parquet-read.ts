/**
 * Reading one partition of a Parquet scan: its work units in order — a (file, row group), or a
 * range of a row group's rows where the planner cut one between partitions. A row group whose
 * needed column chunks the native decoder handles (native/: flat columns, PLAIN and dictionary
 * encodings, uncompressed/snappy/gzip/zstd) is decoded in TypeScript straight into the engine's
 * arrays, one positioned read per chunk from a FileHandle (the next row group's chunks read while
 * this one decodes), and cut into batches. Any other row group goes to parquet-wasm: the file is
 * opened once as a Blob (`fs.openAsBlob`, so only the byte ranges it asks for are read), the row
 * group decoded with only the needed columns, brought into arrow-js through an IPC stream, and its
 * columns converted to the engine's representation. Output columns a file lacks are NULL;
 * partition columns are constants. When no file column is needed (`count(*)`, partition columns
 * only) nothing is decoded: batches come from the footer's row counts.
 *
 * Under a filter (`ScanContext.rowFilter`, no LIMIT), a natively decoded row group is read late-
 * materialized: the columns of the filter's first step are decoded, the rows it rejects dropped,
 * the next step's columns decoded for the survivors alone, and so on; the remaining columns are
 * decoded last, for the rows every step kept. A step that keeps most rows is not applied (the
 * filter above does that job) and is tried again only now and then.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
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
  yieldToEventLoop,
  type Schema,
} from '../../common/index.ts';
import type { ScanContext, ScanFilterStep, ScanRowFilter } from '../types.ts';
import {
  STEP_MAX_KEEP,
  STEP_MAX_KEEP_UNDECODED,
  StepOutcomes,
  orderedRowFilter,
  pick,
  tryKeep,
} from '../scan-row-filter.ts';
import { convertColumn } from './parquet-convert.ts';
import {
  NativeUnsupportedError,
  decodeNativeChunk,
  decodeSelectedIndices,
  decodeSelectedRows,
  nativeChunkPlan,
  nativeEngineColumn,
  nativeParquetDecoding,
  readNativeChunk,
  sliceColumn,
  type DecodedChunk,
  type NativeChunkPlan,
} from './native/index.ts';
import type { PlannedFile, WorkUnit } from './parquet-scan-plan.ts';
import { fileColumns, type FileColumn } from './parquet-schema.ts';
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
  // One-column steps first: a join's l_suppkey before l_commitdate < l_receiptdate, which
  // decodes two dates.
  const filter = orderedRowFilter(read.limit === null ? ctx.rowFilter : undefined);
  const steps = filter === undefined ? null : new ParquetStepOutcomes(filter.steps.length);
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
    const natives = nativeColumnsOf(file);
    let parquet: ParquetFile | null = null;
    let handle: fsp.FileHandle | null = null;
    // The next row group's chunks are read while this one decodes (not under a LIMIT, which
    // reads only prefixes).
    let prefetched: { readonly unit: WorkUnit; readonly reads: ChunkReads } | null = null;
    const startReads = (unit: WorkUnit): ChunkReads | null => {
      const plans =
        natives === null || read.limit !== null ? null : nativePlans(file, natives, unit.rowGroup);
      return plans === null || handle === null ? null : readChunks(handle, plans);
    };
    try {
      for (let u = 0; u < fileUnits.length; u++) {
        const unit = fileUnits[u]!;
        if (produced >= limit) break;
        checkAborted(ctx.signal);
        const plans = natives === null ? null : nativePlans(file, natives, unit.rowGroup);
        if (plans !== null) {
          let decoded: DecodedRowGroup | null;
          try {
            handle ??= await fsp.open(file.path, 'r');
            const reads = prefetched?.unit === unit ? prefetched.reads : startReads(unit);
            const next = fileUnits[u + 1];
            prefetched = next === undefined ? null : { unit: next, reads: startReads(next) ?? new Map() };
            const range = rangeOf(unit);
            decoded =
              filter === undefined
                ? await decodeNative(file, natives!, plans, handle, reads, limit - produced, unit.rows, range)
                : await decodeNativeFiltered(file, natives!, plans, reads!, filter, steps!, unit.rows, range);
          } catch (err) {
            throw decodeError(file.path, err);
          }
          if (decoded !== null) {
            read.metrics.rowGroupsDecoded++;
            const columns = decoded.columns;
            const rows = Math.min(decoded.rows, limit - produced);
            for (let start = 0; start < rows; start += batchSize) {
              if (start > 0) checkAborted(ctx.signal);
              const n = Math.min(batchSize, rows - start);
              const out = builder.buildFrom(n, (c) => sliceColumn(columns[c]!, start, n));
              produced += n;
              read.metrics.rowsProduced += n;
              yield out;
            }
            continue;
          }
        }
        // The unit's rows `first…first + rows` of the row group, no more than the LIMIT leaves.
        const wanted = Math.min(unit.rows, limit - produced);
        let table: arrow.Table;
        try {
          parquet ??= await guardWasm(file.path, ParquetFile.fromFile(await fs.openAsBlob(file.path)));
          const wasmTable = await guardWasm(
            file.path,
            parquet.read({
              rowGroups: [unit.rowGroup],
              columns: file.decode.slice(),
              batchSize,
              ...(unit.first + wanted < unit.groupRows ? { limit: unit.first + wanted } : {}),
            }),
          );
          table = arrow.tableFromIPC(wasmTable.intoIPCStream());
        } catch (err) {
          throw decodeError(file.path, err);
        }
        read.metrics.rowGroupsDecoded++;
        let skip = unit.first;
        let left = wanted;
        for (const batch of table.batches) {
          if (left <= 0) break;
          if (skip >= batch.numRows) {
            skip -= batch.numRows;
            continue;
          }
          const from = skip;
          skip = 0;
          const n = Math.min(batch.numRows - from, left);
          if (n <= 0) continue;
          const out = builder.build(
            from === 0 && n === batch.numRows ? batch : batch.slice(from, from + n),
            n,
          );
          left -= n;
          produced += n;
          read.metrics.rowsProduced += n;
          yield out;
        }
      }
    } finally {
      if (handle !== null) await handle.close().catch(() => undefined);
      try {
        parquet?.free();
      } catch {
        // After a decoder trap the handle is still borrowed by the abandoned read: leave it.
      }
    }
  }
}

/** The file columns of each output column that is read from the file (null for the others). */
function nativeColumnsOf(file: PlannedFile): (FileColumn | null)[] | null {
  if (!nativeParquetDecoding() || file.footer === null) return null;
  const byName = new Map(fileColumns(file.footer.metadata).map((c) => [c.name, c]));
  return file.sources.map((s) => (s.kind === 'file' ? (byName.get(s.name) ?? null) : null));
}

/** The native plans of the row group's decoded chunks, or null when any needs parquet-wasm. */
function nativePlans(
  file: PlannedFile,
  natives: readonly (FileColumn | null)[],
  rowGroup: number,
): Map<string, NativeChunkPlan> | null {
  const plans = new Map<string, NativeChunkPlan>();
  for (let c = 0; c < natives.length; c++) {
    const source = file.sources[c]!;
    if (source.kind !== 'file') continue;
    const fc = natives[c];
    if (fc === null || fc === undefined) return null;
    if (plans.has(fc.name)) continue;
    const plan = nativeChunkPlan(file.footer!, rowGroup, fc);
    if (plan === null) return null;
    plans.set(fc.name, plan);
  }
  return plans;
}

/** A natively decoded row group: a column per output column read from the file (null for others). */
interface DecodedRowGroup {
  readonly columns: readonly (arrow.Data | null)[];
  readonly rows: number;
}

/** The rows of the row group a unit that is only part of it reads; null for a whole group. */
function rangeOf(unit: WorkUnit): Int32Array | null {
  if (unit.first === 0 && unit.rows === unit.groupRows) return null;
  const range = new Int32Array(unit.rows);
  for (let i = 0; i < unit.rows; i++) range[i] = unit.first + i;
  return range;
}

/** The row group's chunks being read (all at once), by file column name. */
type ChunkReads = ReadonlyMap<string, Promise<Uint8Array>>;

function readChunks(handle: fsp.FileHandle, plans: ReadonlyMap<string, NativeChunkPlan>): ChunkReads {
  const reads = new Map<string, Promise<Uint8Array>>();
  for (const [name, plan] of plans) {
    const bytes = readNativeChunk(handle, plan);
    // Awaited when decoded; a read left behind (an error, a LIMIT reached) must not go unhandled.
    bytes.catch(() => undefined);
    reads.set(name, bytes);
  }
  return reads;
}

/**
 * Decodes a row group natively: one whole-row-group column per output column read from the file,
 * from the chunks `reads` holds — or, under a LIMIT (`reads` null), read chunk by chunk.
 */
async function decodeNative(
  file: PlannedFile,
  natives: readonly (FileColumn | null)[],
  plans: ReadonlyMap<string, NativeChunkPlan>,
  handle: fsp.FileHandle,
  reads: ChunkReads | null,
  rowLimit: number,
  rows: number,
  range: Int32Array | null,
): Promise<DecodedRowGroup | null> {
  const decoded = new Map<string, DecodedChunk>();
  try {
    for (const [name, plan] of plans) {
      const bytes = reads?.get(name) ?? (range === null ? undefined : readNativeChunk(handle, plan));
      decoded.set(
        name,
        bytes === undefined
          ? await decodeNativeChunk(handle, plan, rowLimit)
          : decodeSelectedRows(plan, await bytes, range),
      );
      // A row group takes tens of milliseconds: let this thread answer other tasks meanwhile.
      await yieldToEventLoop();
    }
  } catch (err) {
    if (err instanceof NativeUnsupportedError) return null;
    throw err;
  }
  const columns = file.sources.map((source, c) =>
    source.kind === 'file' ? engineColumnOf(file, natives[c]!, decoded.get(natives[c]!.name)!, c) : null,
  );
  return { columns, rows };
}

function engineColumnOf(file: PlannedFile, fc: FileColumn, chunk: DecodedChunk, c: number): arrow.Data {
  try {
    return nativeEngineColumn(chunk, fc, file.sources[c]!.field.type, file.path);
  } catch (err) {
    if (err instanceof NativeUnsupportedError) throw err;
    throw toEngineError(err);
  }
}

/**
 * What one partition's read has learned: the steps' outcomes, and the output columns whose chunks
 * were found not dictionary-encoded throughout.
 */
class ParquetStepOutcomes extends StepOutcomes {
  readonly notDictionary = new Set<number>();
}

/** The rows a one-column step keeps, evaluated once per dictionary entry; null when that raises. */
function keepByDictionary(step: ScanFilterStep, dict: DictionaryColumn, count: number): Int32Array | null {
  const size = dict.entries.length;
  const passing = tryKeep(step, [dict.entries], size);
  if (passing === null) return null;
  // pass[x + 1]: whether entry x passes; pass[0] is the NULL entry's (index -1).
  const pass = new Uint8Array(size + 1);
  for (const e of passing) pass[e === size - 1 ? 0 : e + 1] = 1;
  const indices = dict.indices;
  const kept = new Int32Array(count);
  let k = 0;
  for (let r = 0; r < count; r++) {
    kept[k] = r;
    k += pass[indices[r]! + 1]!;
  }
  return kept.subarray(0, k);
}

/** A column held as its dictionary (an engine column, NULL last) and each kept row's entry. */
interface DictionaryColumn {
  readonly entries: arrow.Data;
  indices: Int32Array;
}

/**
 * Decodes a row group natively, late-materialized under `filter`: each step's columns for the rows
 * the earlier steps kept, then the other columns for the rows all kept. A one-column step on a
 * dictionary-encoded chunk with fewer entries than rows left is evaluated once per entry, and the
 * rows kept by looking their entry up: the column's values are never gathered for the rows it
 * drops (and a chunk read as indices gives its values from them, never decoded twice). Null when
 * a chunk needs parquet-wasm.
 */
async function decodeNativeFiltered(
  file: PlannedFile,
  natives: readonly (FileColumn | null)[],
  plans: ReadonlyMap<string, NativeChunkPlan>,
  reads: ChunkReads,
  filter: ScanRowFilter,
  outcomes: ParquetStepOutcomes,
  rows: number,
  range: Int32Array | null,
): Promise<DecodedRowGroup | null> {
  const sources = file.sources;
  const columns: (arrow.Data | null)[] = sources.map(() => null);
  const dictionaries = new Map<number, DictionaryColumn>();
  // The row group's rows kept so far (null: all); every decoded column holds just these.
  let selection: Int32Array | null = range;
  let count = rows;
  const bytesOf = async (c: number): Promise<{ plan: NativeChunkPlan; bytes: Uint8Array }> => {
    const fc = natives[c]!;
    return { plan: plans.get(fc.name)!, bytes: await reads.get(fc.name)! };
  };
  /** Column `c`'s values for the rows kept. */
  const materialize = async (c: number): Promise<arrow.Data> => {
    const dict = dictionaries.get(c);
    const type = sources[c]!.field.type;
    if (dict !== undefined) {
      dictionaries.delete(c);
      const nullEntry = dict.entries.length - 1;
      const indices = dict.indices;
      const at = new Int32Array(indices.length);
      for (let r = 0; r < at.length; r++) {
        const x = indices[r]!;
        at[r] = x < 0 ? nullEntry : x;
      }
      return filter.take(dict.entries, type, at);
    }
    const { plan, bytes } = await bytesOf(c);
    const column = engineColumnOf(file, natives[c]!, decodeSelectedRows(plan, bytes, selection), c);
    await yieldToEventLoop(); // as in decodeNative
    return column;
  };
  /** Column `c` as its dictionary and each kept row's entry, when it is dictionary-encoded throughout. */
  const asDictionary = async (c: number): Promise<DictionaryColumn | null> => {
    const held = dictionaries.get(c);
    if (held !== undefined) return held;
    if (columns[c] !== null || outcomes.notDictionary.has(c)) return null;
    const { plan, bytes } = await bytesOf(c);
    const decoded = decodeSelectedIndices(plan, bytes, selection);
    if (decoded === null) {
      outcomes.notDictionary.add(c);
      return null;
    }
    const dict = {
      entries: engineColumnOf(file, natives[c]!, decoded.dictionary, c),
      indices: decoded.indices,
    };
    dictionaries.set(c, dict);
    return dict;
  };
  try {
    for (let s = 0; s < filter.steps.length && count > 0; s++) {
      const step = filter.steps[s]!;
      if (!step.columns.every((c) => sources[c]?.kind === 'file')) continue;
      if (!outcomes.tryStep(s)) continue;
      const dict = step.columns.length === 1 ? await asDictionary(step.columns[0]!) : null;
      // Per entry only where there are fewer entries than rows left; else the column's values
      // are gathered from the dictionary already decoded (`materialize`).
      let keep =
        dict === null || dict.entries.length > count / 2 ? null : keepByDictionary(step, dict, count);
      if (keep === null) {
        for (const c of step.columns) columns[c] ??= await materialize(c);
        keep = tryKeep(
          step,
          step.columns.map((c) => columns[c]!),
          count,
        );
        // The filter above evaluates its predicate as it must; the scan stops narrowing here.
        if (keep === null) break;
      }
      // Narrowing costs a copy of each column decoded so far, and makes the others' decoding
      // selective: not worth it for a few rows. With only dictionary indices so far, it is cheap.
      const most = columns.some((c) => c !== null) ? STEP_MAX_KEEP : STEP_MAX_KEEP_UNDECODED;
      if (keep.length > count * most) {
        outcomes.missed(s);
        continue;
      }
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c];
        if (column !== null && column !== undefined)
          columns[c] = filter.take(column, sources[c]!.field.type, keep);
      }
      for (const d of dictionaries.values()) d.indices = pick(d.indices, keep);
      selection = selection === null ? keep.slice() : pick(selection, keep);
      count = keep.length;
    }
    if (count === 0) return { columns, rows: 0 };
    for (let c = 0; c < sources.length; c++) {
      if (sources[c]!.kind === 'file' && columns[c] === null) columns[c] = await materialize(c);
    }
  } catch (err) {
    if (err instanceof NativeUnsupportedError) return null;
    throw err;
  }
  return { columns, rows: count };
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
    return this.buildFrom(n, (c, name) => {
      const source = this.file.sources[c]!;
      const child = batch?.getChild(name);
      if (batch === null || child === null || child === undefined) {
        throw new EngineError(
          SqlState.internalError,
          `internal error: column \`${name}\` missing from the decoded Parquet batch of "${this.file.path}"`,
        );
      }
      // A RecordBatch's child vector is a single chunk.
      const data = child.data[0] as arrow.Data;
      try {
        return convertColumn(data, source.field.type, { filePath: this.file.path, column: name });
      } catch (err) {
        throw toEngineError(err);
      }
    });
  }

  /** A batch of `n` rows whose file columns come from `fileColumn(outputIndex, fileColumnName)`. */
  buildFrom(n: number, fileColumn: (c: number, name: string) => arrow.Data): arrow.RecordBatch {
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
          columns.push(fileColumn(c, source.name));
          break;
        }
      }
    }
    return makeBatchWithArrowSchema(this.arrowSchema, columns, n);
  }
}
