/**
 * The Parquet table provider (format `parquet`): lists the table's files (Hive `col=value/` folders
 * give partition values), answers statistics from the footers, and plans scans with projection
 * pushdown, partition and row-group pruning from the pushed-down filters, a limit, and (file, row
 * group) work units spread over the requested partitions.
 *
 *   ParquetScan: lineitem, files=4, row groups=12/49, projection=[l_quantity, l_shipdate], partitions=2
 */
import * as fs from 'node:fs';
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
import { CsvColumnBuilder } from '../csv/csv-column-builder.ts';
import { parseCsvOptions } from '../csv/csv-options.ts';
import { dataFileAt, listDataFiles, type DataFile } from '../file-listing.ts';
import type {
  ColumnStatistics,
  ScanContext,
  ScanRequest,
  Statistics,
  TableDefinition,
  TableProvider,
  TableScan,
} from '../types.ts';
import { readParquetFooter } from './parquet-footer.ts';
import { compilePruningPredicate, compareBounds } from './parquet-pruning.ts';
import { readParquetPartition, type ParquetScanMetrics } from './parquet-read.ts';
import { invalidProjection, planParquetScan, type ScanPlan } from './parquet-scan-plan.ts';
import { canReadAs, fileColumns } from './parquet-schema.ts';
import { columnChunkRange } from './parquet-stats.ts';
import { mergeStoredStatistics } from '../statistics.ts';

/** A planned Parquet scan; `plan` and `metrics` are there for tests and diagnostics. */
export interface ParquetTableScan extends TableScan {
  readonly plan: ScanPlan | null;
  readonly metrics: ParquetScanMetrics;
}

const csvDefaults = parseCsvOptions({});

/** A partition folder's text as a value of the column's type (NULL when it does not parse), as CSV does. */
export function parsePartitionValue(f: Field, raw: string | null): Value {
  if (raw === null) return null;
  const builder = new CsvColumnBuilder(f.type, 1, { ...csvDefaults, nullValue: new Uint8Array(0) });
  const bytes = utf8.encoder.encode(raw);
  if (!builder.set(0, bytes, 0, bytes.length, true, false)) return null;
  return valueAt(builder.finish(1), f.type, 0);
}

export class ParquetTableProvider implements TableProvider {
  readonly definition: TableDefinition;
  readonly qualifiedName: readonly string[];
  readonly schema: Schema;
  private readonly partitionFields: readonly Field[];
  private readonly partitionIndexes: ReadonlySet<number>;

  constructor(definition: TableDefinition) {
    this.definition = definition;
    this.qualifiedName = [definition.database, definition.name];
    this.schema = { fields: definition.columns };
    const partitionNames = new Set(definition.partitionColumns.map((c) => c.toLowerCase()));
    const indexes = new Set<number>();
    definition.columns.forEach((c, i) => {
      if (partitionNames.has(c.name.toLowerCase())) indexes.add(i);
    });
    this.partitionIndexes = indexes;
    this.partitionFields = definition.columns.filter((_, i) => indexes.has(i));
  }

  private listFiles(): DataFile[] {
    return listDataFiles(this.definition.location, this.partitionFields, this.definition.snapshot);
  }

  statistics(): Statistics {
    return mergeStoredStatistics(this.definition, () => {
      let files: DataFile[];
      try {
        files = this.listFiles();
      } catch {
        return { rowCount: null, totalBytes: null };
      }
      return this.footerStatistics(files);
    });
  }

  statisticsOfFiles(paths: readonly string[]): Statistics {
    const location = this.definition.location;
    const partitions = new Set(this.partitionFields.map((f) => f.name.toLowerCase()));
    let files: DataFile[];
    try {
      files = paths.map((p) => dataFileAt(location, p, fs.statSync(p).size, partitions));
    } catch {
      return { rowCount: null, totalBytes: null };
    }
    return this.footerStatistics(files);
  }

  /** Row count, size, and per column min / max / null count from the footers of `files`. */
  private footerStatistics(files: readonly DataFile[]): Statistics {
    const totalBytes = files.reduce((s, f) => s + f.size, 0);
    let rowCount = 0;
    const columns = this.definition.columns;
    const acc = columns.map(() => ({
      min: null as Value,
      max: null as Value,
      nulls: 0,
      known: true,
      nullsKnown: true,
    }));
    try {
      for (const file of files) {
        const footer = readParquetFooter(file.path);
        rowCount += footer.numRows;
        const byName = new Map(fileColumns(footer.metadata).map((c) => [c.name.toLowerCase(), c]));
        columns.forEach((field, ci) => {
          const a = acc[ci]!;
          if (this.partitionIndexes.has(ci)) {
            const v = parsePartitionValue(field, file.partitionValues.get(field.name.toLowerCase()) ?? null);
            if (v === null) a.nulls += footer.numRows;
            else mergeBound(a, v);
            return;
          }
          const fc = byName.get(field.name.toLowerCase());
          if (fc === undefined) {
            a.nulls += footer.numRows;
            return;
          }
          if (fc.type === null || fc.leafIndex < 0 || !canReadAs(fc.type, field.type)) {
            a.known = false;
            a.nullsKnown = false;
            return;
          }
          footer.rowGroupRows.forEach((rows, g) => {
            const r = columnChunkRange(fc, field.type, footer.statistics[g]?.[fc.leafIndex], rows);
            if (r.nullCount === null) a.nullsKnown = false;
            else a.nulls += r.nullCount;
            if (r.nullCount === rows) return;
            if (r.min === null || r.max === null) a.known = false;
            else {
              mergeBound(a, r.min);
              mergeBound(a, r.max);
            }
          });
        });
      }
    } catch {
      return { rowCount: null, totalBytes };
    }
    const columnStats: Record<string, ColumnStatistics> = {};
    columns.forEach((field, ci) => {
      const a = acc[ci]!;
      const kind = field.type.kind;
      // String bounds may be truncated by the writer: they are bounds, not values; leave them out.
      const exactKind = kind !== 'string' && kind !== 'binary';
      const entry: { min?: Value; max?: Value; nullCount?: number } = {};
      if (a.nullsKnown) entry.nullCount = a.nulls;
      if (a.known && exactKind && a.min !== null && a.max !== null) {
        entry.min = a.min;
        entry.max = a.max;
      }
      columnStats[field.name] = entry;
    });
    return { rowCount, totalBytes, columns: columnStats };
  }

  scan(request: ScanRequest): ParquetTableScan {
    const columns = this.definition.columns;
    const projection = request.projection ?? columns.map((_, i) => i);
    const fields = projection.map((i) => {
      const field = columns[i];
      if (field === undefined) throw invalidProjection(i);
      return field;
    });
    const schema: Schema = { fields };
    const metrics: ParquetScanMetrics = { rowGroupsDecoded: 0, rowsProduced: 0 };
    const label = this.definition.name || path.basename(this.definition.location);
    const projectionText = `projection=[${fields.map((f) => f.name).join(', ')}]`;
    let plan: ScanPlan | null = null;
    let planError: EngineError | null = null;
    try {
      plan = planParquetScan({
        columns,
        projection,
        partitionColumns: this.partitionIndexes,
        files: this.listFiles(),
        partitionValue: (file, c) => {
          const field = columns[c]!;
          return parsePartitionValue(field, file.partitionValues.get(field.name.toLowerCase()) ?? null);
        },
        predicate: compilePruningPredicate(request.filters, columns),
        targetPartitions: request.targetPartitions,
      });
    } catch (err) {
      planError =
        err instanceof EngineError ? err : new EngineError(SqlState.ioError, String(err), { cause: err });
    }
    const limit = request.limit;
    const partitions = plan?.partitions.length ?? 1;
    return {
      schema,
      partitions,
      plan,
      metrics,
      describe: () => {
        const parts = [`ParquetScan: ${label}`];
        if (plan !== null) {
          parts.push(`files=${plan.filesRead}`, `row groups=${plan.rowGroupsRead}/${plan.rowGroupsTotal}`);
        }
        parts.push(projectionText, `partitions=${partitions}`);
        if (limit !== null) parts.push(`limit=${limit}`);
        return parts.join(', ');
      },
      open: (partition: number, ctx: ScanContext) => {
        if (planError !== null) return failing(planError);
        return readParquetPartition(
          { schema, units: plan?.partitions[partition] ?? [], limit, metrics },
          ctx,
        );
      },
    };
  }
}

function mergeBound(a: { min: Value; max: Value }, v: Value): void {
  if (a.min === null || (compareBounds(v, a.min) ?? 0) < 0) a.min = v;
  if (a.max === null || (compareBounds(v, a.max) ?? 0) > 0) a.max = v;
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* failing(error: EngineError): AsyncGenerator<never> {
  throw error;
}
