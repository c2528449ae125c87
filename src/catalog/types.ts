/**
 * The catalog's contracts: table definitions kept in the metastore, and the providers that read
 * (and write) a table's files.
 */
import type * as arrow from 'apache-arrow';
import type { DataType, Field, Schema, Value } from '../common/index.ts';
import type { Expr, TableSource } from '../plan/index.ts';

export interface DatabaseDefinition {
  readonly name: string;
  readonly location: string;
  readonly comment: string | null;
}

export interface TableDefinition {
  readonly database: string;
  readonly name: string;
  /** All columns, data columns first, then partition columns (Spark's order). */
  readonly columns: readonly Field[];
  /** `csv`, `parquet`, `json`, … */
  readonly format: string;
  /** Absolute path of a file or a directory. */
  readonly location: string;
  readonly options: Readonly<Record<string, string>>;
  readonly partitionColumns: readonly string[];
  /** External tables' files are not deleted by DROP TABLE. */
  readonly external: boolean;
  readonly comment: string | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly createdAt: string;
  /**
   * Statistics recorded by ANALYZE TABLE and by writes (see statistics.ts); absent when nothing
   * was recorded, or when a change made the recorded ones impossible to keep exact.
   */
  readonly statistics?: Statistics;
  /**
   * The snapshot that lists the table's data files (file-listing.ts), once Kindling has written
   * the table; absent for a table whose files are whatever its folder holds.
   */
  readonly snapshot?: string;
}

/** What is known of one column; a field is absent when unknown. */
export interface ColumnStatistics {
  /** In the column type's value representation (src/common/types.ts). */
  readonly min?: Value;
  readonly max?: Value;
  readonly nullCount?: number;
  readonly distinctCount?: number;
  /** Average and maximum length in bytes of a value (the type's default size for fixed-width types). */
  readonly avgLen?: number;
  readonly maxLen?: number;
}

export interface Statistics {
  readonly rowCount: number | null;
  /** The size of the table's files. */
  readonly totalBytes: number | null;
  /** By column name as the table defines it. */
  readonly columns?: Readonly<Record<string, ColumnStatistics>>;
  /**
   * Rows estimated without a scan (from a sample of a CSV file) when `rowCount` is unknown: for
   * the optimizer only, never recorded nor shown as a statistic.
   */
  readonly estimatedRows?: number;
}

export interface ScanContext {
  readonly signal: AbortSignal;
  readonly batchSize: number;
  /**
   * The session's time zone (`spark.sql.session.timeZone`): text formats read a TIMESTAMP written
   * without a zone as wall-clock time there, as Spark does. UTC when absent.
   */
  readonly timeZone?: string;
  /** The filter right above the scan, which a scan may apply as it decodes (or ignore). */
  readonly rowFilter?: ScanRowFilter;
}

/**
 * The AND-ed parts of the filter right above a scan, for late materialization: a scan that can
 * decode a column for some rows only decodes the columns of step 0, keeps the rows it passes,
 * decodes step 1's columns for just those rows, and so on, and the columns no step reads for the
 * survivors alone. It may skip any step (one that keeps most rows is not worth compacting for):
 * the filter applies its whole predicate again to what the scan produces. The filter's layer
 * implements this; a scan only calls it.
 */
export interface ScanRowFilter {
  readonly steps: readonly ScanFilterStep[];
  /** Rows `indices` (ascending) of `column`, of the scan's column type `type`. */
  readonly take: (column: arrow.Data, type: DataType, indices: Int32Array) => arrow.Data;
}

export interface ScanFilterStep {
  /** The scan's output columns (indexes into its schema) the step reads. */
  readonly columns: readonly number[];
  /** Of `rows` rows whose `columns` are given (in that order), the ascending indexes that pass. */
  readonly keep: (columns: readonly arrow.Data[], rows: number) => Int32Array;
  /**
   * True for a conjunct of the filter right above the scan (a projection between them aside),
   * which evaluates it again on every row the scan produces: a scan whose columns are already in
   * memory gains nothing by applying such a step alone. Absent for a step from further up (a
   * join's keys), whose dropped rows would otherwise travel through the operators between.
   */
  readonly rechecked?: boolean;
}

/** A planned read of a table: `partitions` independent streams of batches with `schema`. */
export interface TableScan {
  readonly schema: Schema;
  readonly partitions: number;
  /** `CsvScan: lineitem.tbl, projection=[l_quantity, l_extendedprice], partitions=2`. */
  describe(): string;
  open(partition: number, ctx: ScanContext): AsyncIterable<arrow.RecordBatch>;
}

export interface ScanRequest {
  /** Column indexes of the table schema to produce, in this order; null = all. */
  readonly projection: readonly number[] | null;
  /** Conjuncts the provider may use to skip data (it need not apply them exactly). */
  readonly filters: readonly Expr[];
  readonly limit: number | null;
  /** How many partitions the engine would like (one per core). */
  readonly targetPartitions: number;
}

export interface TableProvider extends TableSource {
  readonly definition: TableDefinition;
  /** What is known of the whole table: stored statistics first, then what the files tell cheaply. */
  statistics(): Statistics;
  /**
   * Statistics of just these data files of the table (absolute paths below its folder, committed
   * or still hidden), from what the files record about themselves (footers); for recording a
   * write's statistics. Formats that cannot tell leave it out.
   */
  statisticsOfFiles?(paths: readonly string[]): Statistics;
  scan(request: ScanRequest): TableScan;
}
