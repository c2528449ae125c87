/**
 * The JSON table provider (format `json`): plans a scan of the table's files — JSON Lines by
 * default, one object (or an array of objects) per line, or one JSON value per file with
 * `multiLine` — with projection, byte-range splits of large JSON Lines files, and the limit; the
 * executor tasks read it (json-scan.ts). The file listing happens when the scan is planned; a
 * missing path is reported when it is read.
 */
import * as path from 'node:path';
import {
  EngineError,
  SqlState,
  jsonSupportsType,
  typeToDdl,
  unsupportedJsonType,
  type Field,
  type Schema,
} from '../../common/index.ts';
import { DEFAULT_CHUNK_SIZE } from '../csv/byte-chunks.ts';
import { DEFAULT_MIN_SPLIT_BYTES, planPieces } from '../csv/csv-splits.ts';
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
import { parseJsonOptions, type JsonOptions } from './json-options.ts';
import { readJsonPartition, type JsonOutputColumn } from './json-scan.ts';

export interface JsonReaderTuning {
  /** Bytes read per chunk (tests use tiny chunks to split lines across chunk boundaries). */
  readonly chunkSize?: number;
  /** Files smaller than this are not split into byte ranges. */
  readonly minSplitBytes?: number;
}

export class JsonTableProvider implements TableProvider {
  readonly definition: TableDefinition;
  readonly qualifiedName: readonly string[];
  readonly schema: Schema;
  private readonly options: JsonOptions;
  private readonly chunkSize: number;
  private readonly minSplitBytes: number;
  private readonly partitionNames: ReadonlySet<string>;
  private readonly partitionFields: readonly Field[];

  constructor(definition: TableDefinition, tuning: JsonReaderTuning = {}) {
    this.definition = definition;
    this.qualifiedName = [definition.database, definition.name];
    this.schema = { fields: definition.columns };
    this.options = parseJsonOptions(definition.options);
    this.chunkSize = Math.max(1, tuning.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.minSplitBytes = tuning.minSplitBytes ?? DEFAULT_MIN_SPLIT_BYTES;
    this.partitionNames = new Set(definition.partitionColumns.map((c) => c.toLowerCase()));
    for (const c of definition.columns) {
      if (!jsonSupportsType(c.type)) throw unsupportedJsonType(c.name, typeToDdl(c.type));
    }
    this.partitionFields = definition.columns.filter((c) => this.partitionNames.has(c.name.toLowerCase()));
  }

  statistics(): Statistics {
    return mergeStoredStatistics(this.definition, () => {
      let totalBytes: number | null = null;
      try {
        totalBytes = this.listFiles().reduce((s, f) => s + f.size, 0);
      } catch {
        totalBytes = null;
      }
      const numRows = this.definition.properties.numRows;
      const rowCount = numRows !== undefined && /^\d+$/.test(numRows) ? Number(numRows) : null;
      return { rowCount, totalBytes };
    });
  }

  private listFiles(): DataFile[] {
    return listDataFiles(this.definition.location, this.partitionFields, this.definition.snapshot);
  }

  scan(request: ScanRequest): TableScan {
    const projection = request.projection ?? this.definition.columns.map((_, i) => i);
    const dataFields: Field[] = [];
    const columns: JsonOutputColumn[] = projection.map((i) => {
      const field = this.definition.columns[i];
      if (field === undefined)
        throw new EngineError(SqlState.internalError, `internal error: bad projection index ${i}`);
      if (this.partitionNames.has(field.name.toLowerCase())) return { field, dataIndex: -1 };
      dataFields.push(field);
      return { field, dataIndex: dataFields.length - 1 };
    });
    const corruptField = dataFields.findIndex(
      (f) => f.name === this.options.corruptColumn && f.type.kind === 'string',
    );
    const schema: Schema = { fields: columns.map((c) => c.field) };
    let files: DataFile[] | null = null;
    let listingError: EngineError | null = null;
    try {
      files = this.listFiles();
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
        `JsonScan: ${label}, projection=[${schema.fields.map((f) => f.name).join(', ')}], partitions=${partitions.length}` +
        (limit === null ? '' : `, limit=${limit}`),
      open: (partition: number, ctx: ScanContext) => {
        if (listingError !== null) return failing(listingError);
        return readJsonPartition(
          {
            schema,
            columns,
            dataFields,
            corruptField,
            options: this.options,
            pieces: partitions[partition] ?? [],
            limit,
            chunkSize: this.chunkSize,
          },
          ctx,
        );
      },
    };
  }
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* failing(error: EngineError): AsyncGenerator<never> {
  throw error;
}
