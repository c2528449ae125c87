/**
 * The CSV table provider (format `csv`, and dbgen-style `.tbl` files with `sep '|'`): plans a scan
 * of the table's files (projection, byte-range splits, limit) and reads it with the byte-level parser.
 * The file listing happens when the scan is planned; a missing path is reported when it is read.
 */
import * as path from 'node:path';
import {
  EngineError,
  SqlState,
  utf8,
  valueAt,
  type Field,
  type Schema,
  type Value,
} from '../../common/index.ts';
import { listDataFiles, type DataFile } from '../file-listing.ts';
import { mergeStoredStatistics } from '../statistics.ts';
import type {
  ScanContext,
  ScanRequest,
  Statistics,
  TableDefinition,
  TableProvider,
  TableScan,
} from '../types.ts';
import { CsvColumnBuilder, csvSupportsType } from './csv-column-builder.ts';
import { checkDatetimeFormats } from './csv-datetime-parsers.ts';
import { parseCsvOptions, type CsvOptions } from './csv-options.ts';
import { readCsvPartition, type OutputColumn } from './csv-scan.ts';
import { estimateCsvRows } from './csv-row-estimate.ts';
import { DEFAULT_MIN_SPLIT_BYTES, isGzipPath, planPieces } from './csv-splits.ts';
import { DEFAULT_CHUNK_SIZE } from './byte-chunks.ts';

export interface CsvReaderTuning {
  /** Bytes read per chunk (tests use tiny chunks to split lines across chunk boundaries). */
  readonly chunkSize?: number;
  /** Files smaller than this are not split into byte ranges. */
  readonly minSplitBytes?: number;
}

export class CsvTableProvider implements TableProvider {
  readonly definition: TableDefinition;
  readonly qualifiedName: readonly string[];
  readonly schema: Schema;
  private readonly options: CsvOptions;
  private readonly chunkSize: number;
  private readonly minSplitBytes: number;
  /** Data columns in file order, then partition columns; index into the table schema. */
  private readonly csvIndexOf: Int32Array;
  private readonly partitionFields: readonly Field[];

  constructor(definition: TableDefinition, tuning: CsvReaderTuning = {}) {
    this.definition = definition;
    this.qualifiedName = [definition.database, definition.name];
    this.schema = { fields: definition.columns };
    this.options = parseCsvOptions(definition.options);
    checkDatetimeFormats(this.options.dateFormat, this.options.timestampFormat);
    this.chunkSize = Math.max(1, tuning.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.minSplitBytes = tuning.minSplitBytes ?? DEFAULT_MIN_SPLIT_BYTES;
    const partitionNames = new Set(definition.partitionColumns.map((c) => c.toLowerCase()));
    this.csvIndexOf = new Int32Array(definition.columns.length);
    const partitionFields: Field[] = [];
    let k = 0;
    definition.columns.forEach((c, i) => {
      if (!csvSupportsType(c.type)) {
        throw new EngineError(
          SqlState.featureNotSupported,
          `CSV column \`${c.name}\` has an unsupported type`,
        );
      }
      if (partitionNames.has(c.name.toLowerCase())) {
        this.csvIndexOf[i] = -1;
        partitionFields.push(c);
      } else this.csvIndexOf[i] = k++;
    });
    this.partitionFields = partitionFields;
  }

  private csvFieldCount(): number {
    return this.definition.columns.length - this.partitionFields.length;
  }

  statistics(): Statistics {
    return mergeStoredStatistics(this.definition, () => this.fileStatistics());
  }

  private fileStatistics(): Statistics {
    let files: DataFile[] | null = null;
    try {
      files = listDataFiles(this.definition.location, this.partitionFields, this.definition.snapshot);
    } catch {
      files = null;
    }
    const totalBytes = files === null ? null : files.reduce((s, f) => s + f.size, 0);
    const numRows = this.definition.properties.numRows;
    const rowCount = numRows !== undefined && /^\d+$/.test(numRows) ? Number(numRows) : null;
    if (rowCount !== null || files === null) return { rowCount, totalBytes };
    const compression = this.options.compression;
    const estimatedRows = estimateCsvRows(
      files,
      (f) => compression === 'gzip' || (compression === null && isGzipPath(f.path)),
    );
    return estimatedRows === null ? { rowCount, totalBytes } : { rowCount, totalBytes, estimatedRows };
  }

  scan(request: ScanRequest): TableScan {
    const projection = request.projection ?? this.definition.columns.map((_, i) => i);
    const columns: OutputColumn[] = projection.map((i) => {
      const field = this.definition.columns[i];
      if (field === undefined)
        throw new EngineError(SqlState.internalError, `internal error: bad projection index ${i}`);
      return { field, csvIndex: this.csvIndexOf[i]! };
    });
    const schema: Schema = { fields: columns.map((c) => c.field) };
    let files: DataFile[] | null = null;
    let listingError: EngineError | null = null;
    try {
      files = listDataFiles(this.definition.location, this.partitionFields, this.definition.snapshot);
    } catch (err) {
      listingError = err instanceof EngineError ? err : new EngineError(SqlState.ioError, String(err));
    }
    const partitions =
      files === null
        ? [[]]
        : planPieces(
            files,
            request.targetPartitions,
            this.minSplitBytes,
            !this.options.multiLine,
            this.options.compression,
          );
    const label = path.basename(this.definition.location);
    const limit = request.limit;
    return {
      schema,
      partitions: partitions.length,
      describe: () =>
        `CsvScan: ${label}, projection=[${schema.fields.map((f) => f.name).join(', ')}], partitions=${partitions.length}` +
        (limit === null ? '' : `, limit=${limit}`),
      open: (partition: number, ctx: ScanContext) => {
        if (listingError !== null) return failing(listingError);
        return readCsvPartition(
          {
            schema,
            columns,
            csvFieldCount: this.csvFieldCount(),
            options: this.options,
            pieces: partitions[partition] ?? [],
            limit,
            chunkSize: this.chunkSize,
            partitionValue: (f, raw, zone) => this.partitionValue(f, raw, zone),
          },
          ctx,
        );
      },
    };
  }

  /** A partition folder's value as a value of the column's type (NULL when it does not parse). */
  private partitionValue(f: Field, raw: string | null, zone: string): Value {
    if (raw === null) return null;
    const builder = new CsvColumnBuilder(f.type, 1, { ...this.options, nullValue: new Uint8Array(0) }, zone);
    const bytes = utf8.encoder.encode(raw);
    if (!builder.set(0, bytes, 0, bytes.length, true, false)) return null;
    return valueAt(builder.finish(1), f.type, 0);
  }
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* failing(error: EngineError): AsyncGenerator<never> {
  throw error;
}
