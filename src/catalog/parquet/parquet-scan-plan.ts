/**
 * Planning a Parquet scan: which files survive partition pruning, which of their row groups survive
 * statistics pruning, how each output column is produced for each file (decoded from a file column,
 * NULL because the file lacks it, or a partition folder's constant), and how the (file, row group)
 * work units are spread over partitions (contiguous runs balanced by compressed bytes, so that one
 * partition opens each file once).
 *
 * Footers are read here, synchronously (cached); a file whose footer cannot be read, or whose columns
 * cannot be read as declared, becomes a unit that fails with that error when its partition runs.
 */
import { EngineError, SqlState, toEngineError, utf8, type Field, type Value } from '../../common/index.ts';
import type { DataFile } from '../file-listing.ts';
import { readParquetFooter, type ParquetFooter } from './parquet-footer.ts';
import type { PruningPredicate } from './parquet-pruning.ts';
import { canReadAs, fileColumns, typeMismatchError, type FileColumn } from './parquet-schema.ts';
import { columnChunkRange, type ColumnRange } from './parquet-stats.ts';

/** Where one output column comes from, for one file. */
export type ColumnSource =
  | { readonly kind: 'file'; readonly name: string; readonly field: Field }
  | { readonly kind: 'missing'; readonly field: Field }
  | { readonly kind: 'partition'; readonly field: Field; readonly value: Value };

export interface PlannedFile {
  readonly path: string;
  readonly footer: ParquetFooter | null;
  /** Thrown when the file is read (footer unreadable, type mismatch). */
  readonly error: EngineError | null;
  /** One per output column. */
  readonly sources: readonly ColumnSource[];
  /** The file column names to decode (distinct, in output order). */
  readonly decode: readonly string[];
}

export interface WorkUnit {
  readonly file: PlannedFile;
  /** -1 for a unit that only reports `file.error`. */
  readonly rowGroup: number;
  /** The unit's rows of the row group: `first…first + rows` (a whole group, or part of one). */
  readonly first: number;
  readonly rows: number;
  /** Rows of the whole row group. */
  readonly groupRows: number;
  readonly bytes: number;
}

export interface ScanPlan {
  readonly partitions: readonly (readonly WorkUnit[])[];
  readonly filesRead: number;
  readonly filesTotal: number;
  readonly rowGroupsRead: number;
  readonly rowGroupsTotal: number;
}

export interface ScanPlanInput {
  readonly columns: readonly Field[];
  /** Table column indexes of the output. */
  readonly projection: readonly number[];
  readonly partitionColumns: ReadonlySet<number>;
  readonly files: readonly DataFile[];
  /** A file's partition value for a table column (partition columns only). */
  readonly partitionValue: (file: DataFile, column: number) => Value;
  readonly predicate: PruningPredicate | null;
  readonly targetPartitions: number;
}

function partitionRange(value: Value, rowCount: number): ColumnRange {
  if (value === null) return { min: null, max: null, nullCount: rowCount, rowCount };
  // Pruning compares strings as UTF-8 bytes.
  const bound = typeof value === 'string' ? utf8.encoder.encode(value) : value;
  return { min: bound, max: bound, nullCount: 0, rowCount };
}

/** Table column name (lower-case) → file column, for one file. */
function fileColumnIndex(footer: ParquetFooter): Map<string, FileColumn> {
  const out = new Map<string, FileColumn>();
  for (const c of fileColumns(footer.metadata)) {
    const key = c.name.toLowerCase();
    if (!out.has(key)) out.set(key, c);
  }
  return out;
}

export function planParquetScan(input: ScanPlanInput): ScanPlan {
  const { columns, projection, partitionColumns, predicate } = input;
  const units: WorkUnit[] = [];
  let filesRead = 0;
  let rowGroupsRead = 0;
  let rowGroupsTotal = 0;
  for (const file of input.files) {
    const partitionValues = new Map<number, Value>();
    for (const c of partitionColumns) partitionValues.set(c, input.partitionValue(file, c));
    if (predicate !== null) {
      const lookup = (c: number): ColumnRange | null => {
        const v = partitionValues.get(c);
        return v === undefined ? null : partitionRange(v, 1);
      };
      if (!predicate.canMatch(lookup)) continue;
    }
    let footer: ParquetFooter;
    try {
      footer = readParquetFooter(file.path);
    } catch (err) {
      const error = toEngineError(err);
      const planned: PlannedFile = { path: file.path, footer: null, error, sources: [], decode: [] };
      units.push({ file: planned, rowGroup: -1, first: 0, rows: 0, groupRows: 0, bytes: file.size });
      filesRead++;
      continue;
    }
    const byName = fileColumnIndex(footer);
    let error: EngineError | null = null;
    const sources: ColumnSource[] = [];
    const decode: string[] = [];
    for (const index of projection) {
      const field = columns[index]!;
      const value = partitionValues.get(index);
      if (partitionColumns.has(index)) {
        sources.push({ kind: 'partition', field, value: value ?? null });
        continue;
      }
      const fc = byName.get(field.name.toLowerCase());
      if (fc === undefined) {
        sources.push({ kind: 'missing', field });
        continue;
      }
      if (fc.type === null || !canReadAs(fc.type, field.type)) {
        error ??= typeMismatchError(file.path, fc, field);
      }
      sources.push({ kind: 'file', name: fc.name, field });
      if (!decode.includes(fc.name)) decode.push(fc.name);
    }
    const planned: PlannedFile = { path: file.path, footer, error, sources, decode };
    const groups = footer.rowGroupRows.length;
    rowGroupsTotal += groups;
    let kept = 0;
    for (let g = 0; g < groups; g++) {
      const rows = footer.rowGroupRows[g]!;
      if (rows === 0) continue;
      if (predicate !== null) {
        const lookup = (c: number): ColumnRange | null => {
          const pv = partitionValues.get(c);
          if (pv !== undefined || partitionColumns.has(c)) return partitionRange(pv ?? null, rows);
          const field = columns[c]!;
          const fc = byName.get(field.name.toLowerCase());
          if (fc === undefined) return { min: null, max: null, nullCount: rows, rowCount: rows };
          if (fc.type === null || fc.leafIndex < 0 || !canReadAs(fc.type, field.type)) return null;
          return columnChunkRange(fc, field.type, footer.statistics[g]?.[fc.leafIndex], rows);
        };
        if (!predicate.canMatch(lookup)) continue;
      }
      const bytes = Math.max(1, footer.rowGroupBytes[g]!);
      units.push({ file: planned, rowGroup: g, first: 0, rows, groupRows: rows, bytes });
      kept++;
    }
    rowGroupsRead += kept;
    if (kept > 0) filesRead++;
  }
  return {
    partitions: spread(units, input.targetPartitions),
    filesRead,
    filesTotal: input.files.length,
    rowGroupsRead,
    rowGroupsTotal,
  };
}

/** A row group is cut between partitions only into parts of at least this many rows. */
const MIN_SPLIT_ROWS = 8_192;

/**
 * Contiguous runs of units with about equal bytes; at most `target` runs, at least one. A row group
 * that straddles a boundary is cut there into two row ranges (each at least `MIN_SPLIT_ROWS`), so
 * that the partitions' tasks take about equal time even when a table has few row groups (SF1's
 * lineitem: seven, of which four went to one task of two).
 */
function spread(units: readonly WorkUnit[], target: number): WorkUnit[][] {
  const count = Math.max(1, Math.floor(target) || 1);
  if (count === 1 || units.length === 0) return [units.slice()];
  let total = 0;
  for (const u of units) total += u.bytes;
  const out: WorkUnit[][] = [];
  let current: WorkUnit[] = [];
  let acc = 0;
  const queue = units.slice().reverse();
  while (queue.length > 0) {
    let u = queue.pop()!;
    const boundary = (total * (out.length + 1)) / count;
    const last = out.length === count - 1;
    let cut = false;
    if (!last && acc + u.bytes > boundary && u.rowGroup >= 0) {
      // Cut the unit where the boundary falls, if both parts are worth a task's time.
      const perRow = u.bytes / Math.max(1, u.rows);
      const rows = Math.round((boundary - acc) / perRow);
      if (rows >= MIN_SPLIT_ROWS && u.rows - rows >= MIN_SPLIT_ROWS) {
        const head: WorkUnit = { ...u, rows, bytes: rows * perRow };
        queue.push({ ...u, first: u.first + rows, rows: u.rows - rows, bytes: u.bytes - head.bytes });
        u = head;
        cut = true;
      }
    }
    current.push(u);
    acc += u.bytes;
    if (!last && (cut || acc >= boundary)) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0 || out.length === 0) out.push(current);
  return out;
}

export function invalidProjection(index: number): EngineError {
  return new EngineError(SqlState.internalError, `internal error: bad projection index ${index}`);
}
