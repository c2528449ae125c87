/**
 * TableWriteExec: writes its input into a table's data files, in the task that computes the
 * input — the encoding (Parquet pages, compression) runs on the executors, never in the thread
 * that serves clients.
 *
 * Input: rows of the table's columns in table order, any partitioning. Each output partition
 * writes input partition p through its own `DataFilesWriter` (files named after the task, hidden
 * until the statement commits): data columns into the files, partition columns into Hive-style
 * `col=value/` folders (`__HIVE_DEFAULT_PARTITION__` for NULL, Spark's `%XX` escapes). A NULL in a
 * NOT NULL column fails with 42000 `NOT_NULL_ASSERT_VIOLATION`.
 * Output: one row per file written — its hidden path, final path and row count — which the
 * statement commits once every task succeeded (src/catalog/table-commit.ts) or deletes. A task
 * that fails or is cancelled deletes its own files.
 */
import type * as arrow from 'apache-arrow';
import { DataFilesWriter, HIVE_DEFAULT_PARTITION, type WrittenFile } from '../../catalog/index.ts';
import {
  EngineError,
  columnFromValues,
  makeBatch,
  valueAt,
  type Field,
  type Schema,
} from '../../common/index.ts';
import { valueToString, type EvalContext } from '../../functions/index.ts';
import { GroupHashTable } from '../batch/group-hash-table.ts';
import { take } from '../batch/take.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

/** What a write goes into: plain data, shared by every task of the write. */
export interface WriteTarget {
  /** The folder the files go under (a table's location, or a staging folder). */
  readonly root: string;
  /** Every column of the table, in order (the input's columns). */
  readonly columns: readonly Field[];
  /** Names of the partition columns (lower case), in partition order. */
  readonly partitionColumns: readonly string[];
  readonly format: string;
  readonly options: Readonly<Record<string, string>>;
  /** One id for all the files of the write. */
  readonly writeId: string;
}

/** The schema of TableWriteExec's output: one row per file written. */
export const WRITTEN_FILES_SCHEMA: Schema = {
  fields: [
    { name: 'hidden', type: { kind: 'string' }, nullable: false },
    { name: 'final', type: { kind: 'string' }, nullable: false },
    { name: 'rows', type: { kind: 'bigint' }, nullable: false },
    { name: 'bytes', type: { kind: 'bigint' }, nullable: false },
  ],
};

/** The files a TableWriteExec output batch lists. */
export function writtenFiles(batch: arrow.RecordBatch): WrittenFile[] {
  const out: WrittenFile[] = [];
  const [hidden, final, rows, bytes] = batch.data.children;
  for (let i = 0; i < batch.numRows; i++) {
    out.push({
      hidden: valueAt(hidden!, { kind: 'string' }, i) as string,
      final: valueAt(final!, { kind: 'string' }, i) as string,
      rows: Number(valueAt(rows!, { kind: 'bigint' }, i)),
      bytes: Number(valueAt(bytes!, { kind: 'bigint' }, i)),
    });
  }
  return out;
}

export interface TableWriteExecOptions {
  readonly input: ExecutionPlan;
  readonly target: WriteTarget;
}

export class TableWriteExec implements ExecutionPlan {
  readonly name = 'TableWriteExec';
  readonly schema = WRITTEN_FILES_SCHEMA;
  readonly input: ExecutionPlan;
  readonly target: WriteTarget;
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];

  constructor(options: TableWriteExecOptions) {
    this.input = options.input;
    this.target = options.target;
  }

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  get partitioning(): Partitioning {
    return { kind: 'unknown', count: this.outputPartitions };
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new TableWriteExec({ input: children[0]!, target: this.target });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const t = this.target;
    const partitionIdx = t.partitionColumns.map((p) =>
      t.columns.findIndex((c) => c.name.toLowerCase() === p),
    );
    const dataIdx = t.columns.map((_, i) => i).filter((i) => !partitionIdx.includes(i));
    const dataSchema: Schema = { fields: dataIdx.map((i) => t.columns[i]!) };
    const notNull = dataIdx.filter((i) => !t.columns[i]!.nullable);
    const writer = new DataFilesWriter(t.root, dataSchema, t.format, t.options, {
      writeId: t.writeId,
      task: partition,
    });
    const router = partitionIdx.length === 0 ? null : new PartitionRouter(t.columns, partitionIdx, ctx.eval);
    let files: WrittenFile[];
    try {
      for await (const batch of this.input.execute(partition, ctx)) {
        checkCancelled(ctx);
        if (batch.numRows === 0) continue;
        const cols = batch.data.children;
        for (const i of notNull) {
          if (cols[i]!.nullCount > 0) {
            throw new EngineError(
              '42000',
              `[NOT_NULL_ASSERT_VIOLATION] NULL value appeared in non-nullable field: \`${t.columns[i]!.name}\`.`,
            );
          }
        }
        if (router === null) {
          await writer.write(
            makeBatch(
              dataSchema,
              dataIdx.map((i) => cols[i]!),
              batch.numRows,
            ),
          );
          continue;
        }
        for (const [dir, indices, count] of router.route(cols, batch.numRows)) {
          const data =
            indices === null
              ? dataIdx.map((i) => cols[i]!)
              : dataIdx.map((i) => take(cols[i]!, t.columns[i]!.type, indices, count));
          await writer.write(makeBatch(dataSchema, data, count), dir);
        }
      }
      checkCancelled(ctx);
      files = await writer.close();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    if (files.length === 0) return;
    yield makeBatch(
      this.schema,
      [
        columnFromValues(
          { kind: 'string' },
          files.map((f) => f.hidden),
        ),
        columnFromValues(
          { kind: 'string' },
          files.map((f) => f.final),
        ),
        columnFromValues(
          { kind: 'bigint' },
          files.map((f) => BigInt(f.rows)),
        ),
        columnFromValues(
          { kind: 'bigint' },
          files.map((f) => BigInt(f.bytes)),
        ),
      ],
      files.length,
    );
  }

  explain(): string {
    const t = this.target;
    const parts =
      t.partitionColumns.length === 0 ? '' : `, partitioned_by=[${t.partitionColumns.join(', ')}]`;
    return `TableWriteExec: ${t.format} into ${t.root}${parts}`;
  }

  spec(): OperatorSpec {
    return { kind: 'TableWrite', target: this.target };
  }
}

/** Characters Spark escapes in partition folder names (`%XX`). */
const ESCAPED = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\x7f', '{', '[', ']', '^']);

function escapePathName(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += code < 0x20 || ESCAPED.has(ch) ? '%' + code.toString(16).toUpperCase().padStart(2, '0') : ch;
  }
  return out;
}

/** Splits batches by the values of the partition columns (one group id per row, typed arrays). */
class PartitionRouter {
  private readonly columns: readonly Field[];
  private readonly partitionIdx: readonly number[];
  private readonly eval: EvalContext;
  private readonly table: GroupHashTable;
  private readonly dirs: string[] = [];
  private groupIds = new Int32Array(0);

  constructor(columns: readonly Field[], partitionIdx: readonly number[], ctx: EvalContext) {
    this.columns = columns;
    this.partitionIdx = partitionIdx;
    this.eval = ctx;
    this.table = new GroupHashTable(
      partitionIdx.map((i) => columns[i]!.type),
      16,
    );
  }

  /** `[dir, row indices (null = all rows), count]` per partition present in the batch. */
  route(cols: readonly arrow.Data[], n: number): [string, Int32Array | null, number][] {
    if (this.groupIds.length < n) this.groupIds = new Int32Array(n);
    const ids = this.groupIds;
    const before = this.table.numGroups;
    this.table.findOrInsert(
      this.partitionIdx.map((i) => cols[i]!),
      n,
      ids,
    );
    if (this.table.numGroups > before) {
      for (let row = 0; row < n; row++) {
        const g = ids[row]!;
        if (g >= before && this.dirs[g] === undefined) this.dirs[g] = this.dirOf(cols, row);
      }
    }
    const groups = this.table.numGroups;
    const counts = new Int32Array(groups + 1);
    for (let row = 0; row < n; row++) counts[ids[row]! + 1]!++;
    let present = 0;
    for (let g = 0; g < groups; g++) if (counts[g + 1]! > 0) present++;
    if (present === 1) return [[this.dirs[ids[0]!]!, null, n]];
    // Counting sort of the row numbers by group: starts[g] .. starts[g + 1].
    const starts = counts;
    for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
    const order = new Int32Array(n);
    const fill = starts.slice(0, groups);
    for (let row = 0; row < n; row++) order[fill[ids[row]!]!++] = row;
    const out: [string, Int32Array | null, number][] = [];
    for (let g = 0; g < groups; g++) {
      const count = starts[g + 1]! - starts[g]!;
      if (count > 0) out.push([this.dirs[g]!, order.subarray(starts[g], starts[g + 1]), count]);
    }
    return out;
  }

  private dirOf(cols: readonly arrow.Data[], row: number): string {
    return this.partitionIdx
      .map((i) => {
        const c = this.columns[i]!;
        const v = valueAt(cols[i]!, c.type, row);
        const text = v === null ? '' : valueToString(v, c.type, this.eval);
        return `${escapePathName(c.name.toLowerCase())}=${text === '' ? HIVE_DEFAULT_PARTITION : escapePathName(text)}`;
      })
      .join('/');
  }
}
