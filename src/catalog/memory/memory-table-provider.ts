/**
 * A table held in memory as Arrow batches, in groups: each group is one partition of the scan.
 * For tests, the session's temporary data and cached tables. Projection selects columns without
 * copying; `limit` slices the stream of each partition; the filter above the scan (a join's key
 * step among it) keeps a batch's rows before its other columns are gathered.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, makeBatch, type Schema } from '../../common/index.ts';
import { StepOutcomes, filterColumns, orderedRowFilter } from '../scan-row-filter.ts';
import type {
  ScanContext,
  ScanRequest,
  Statistics,
  TableDefinition,
  TableProvider,
  TableScan,
} from '../types.ts';

export class MemoryTableProvider implements TableProvider {
  readonly definition: TableDefinition;
  readonly qualifiedName: readonly string[];
  readonly schema: Schema;
  private readonly groups: readonly (readonly arrow.RecordBatch[])[];

  /** `groups[i]` holds the batches of partition i; the batches must have the table's columns in order. */
  constructor(definition: TableDefinition, groups: readonly (readonly arrow.RecordBatch[])[]) {
    this.definition = definition;
    this.qualifiedName = [definition.database, definition.name];
    this.schema = { fields: definition.columns };
    this.groups = groups;
  }

  /** A provider for `schema` named `database.name` holding `groups` of batches. */
  static of(
    database: string,
    name: string,
    schema: Schema,
    groups: readonly (readonly arrow.RecordBatch[])[],
  ): MemoryTableProvider {
    return new MemoryTableProvider(
      {
        database,
        name,
        columns: schema.fields,
        format: 'memory',
        location: '',
        options: {},
        partitionColumns: [],
        external: false,
        comment: null,
        properties: {},
        createdAt: new Date(0).toISOString(),
      },
      groups,
    );
  }

  statistics(): Statistics {
    let rows = 0;
    let bytes = 0;
    for (const g of this.groups) {
      for (const b of g) {
        rows += b.numRows;
        for (const child of b.data.children) bytes += child.byteLength;
      }
    }
    return { rowCount: rows, totalBytes: bytes };
  }

  scan(request: ScanRequest): TableScan {
    const projection = request.projection ?? this.schema.fields.map((_, i) => i);
    const fields = projection.map((i) => this.schema.fields[i]!);
    const schema: Schema = { fields };
    const groups = this.groups.length === 0 ? [[]] : this.groups;
    const limit = request.limit;
    const name = this.qualifiedName.join('.');
    return {
      schema,
      partitions: groups.length,
      describe: () =>
        `MemoryScan: ${name}, projection=[${fields.map((f) => f.name).join(', ')}], partitions=${groups.length}` +
        (limit === null ? '' : `, limit=${limit}`),
      open: (partition: number, ctx: ScanContext) =>
        scanGroup(groups[partition] ?? [], projection, schema, limit, ctx),
    };
  }
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* scanGroup(
  batches: readonly arrow.RecordBatch[],
  projection: readonly number[],
  schema: Schema,
  limit: number | null,
  ctx: ScanContext,
): AsyncGenerator<arrow.RecordBatch> {
  let remaining = limit ?? Infinity;
  // Only for a step from above the filter: the filter's own steps it evaluates again anyway, and
  // on columns in memory it does so without the scan's gathers.
  const given = limit === null ? ctx.rowFilter : undefined;
  const filter = given?.steps.some((t) => t.rechecked !== true) ? orderedRowFilter(given) : undefined;
  const outcomes = filter === undefined ? null : new StepOutcomes(filter.steps.length);
  const types = schema.fields.map((f) => f.type);
  for (const batch of batches) {
    if (remaining <= 0) return;
    // A cancelled scan fails: ending quietly would pass its rows off as the whole table.
    if (ctx.signal.aborted)
      throw new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
    const n = Math.min(batch.numRows, remaining);
    const sliced = n === batch.numRows ? batch : batch.slice(0, n);
    const columns = projection.map((i) => sliced.data.children[i]!);
    remaining -= n;
    if (filter === undefined || outcomes === null) {
      yield makeBatch(schema, columns, n);
      continue;
    }
    const kept = filterColumns(columns, types, n, filter, outcomes);
    if (kept.rows > 0) yield makeBatch(schema, kept.columns, kept.rows);
  }
}
