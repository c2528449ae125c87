/**
 * RecursiveCteExec: `WITH RECURSIVE r AS (anchor UNION [ALL] recursive)`.
 *
 * Runs the anchor, then runs the recursive part again and again, each time with the work table
 * holding the rows the previous run produced, until a run produces no (new) rows. With UNION
 * (distinct) a row already produced is dropped, so cycles in the data end the recursion.
 * Output: one partition, the anchor's rows then each iteration's, in that order. More than
 * `maxDepth` iterations is an error (Spark 4.1's RECURSION_LEVEL_LIMIT_EXCEEDED), so a recursion
 * that never ends cannot hang the server.
 *
 * The branches run inside this operator's task, as a whole (their exchanges in-process); each run
 * gets a fresh `ctx.scope`, so nothing built from an earlier iteration's rows is reused.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, makeBatch, type Schema } from '../../common/index.ts';
import { GroupHashTable } from '../batch/index.ts';
import { take } from '../batch/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition, schemaTypes } from './exec-support.ts';
import type { WorkTable } from './work-table-exec.ts';

export interface RecursiveCteExecOptions {
  readonly anchor: ExecutionPlan;
  readonly recursive: ExecutionPlan;
  readonly table: WorkTable;
  readonly cteId: number;
  readonly distinct: boolean;
  readonly maxDepth: number;
  readonly schema: Schema;
}

export const RECURSION_LIMIT_SQLSTATE = '42836';

export class RecursiveCteExec implements ExecutionPlan {
  readonly name = 'RecursiveCteExec';
  readonly schema: Schema;
  readonly outputPartitions = 1;
  readonly partitioning: Partitioning = { kind: 'single' };
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }, { kind: 'any' }];
  private readonly options: RecursiveCteExecOptions;

  constructor(options: RecursiveCteExecOptions) {
    this.options = options;
    this.schema = options.schema;
  }

  children(): readonly ExecutionPlan[] {
    return [this.options.anchor, this.options.recursive];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new RecursiveCteExec({ ...this.options, anchor: children[0]!, recursive: children[1]! });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, 1);
    const { anchor, recursive, table, distinct, maxDepth } = this.options;
    const types = schemaTypes(this.schema);
    const seen = distinct ? new GroupHashTable(types) : null;
    /** Relabels a batch with the CTE's schema and drops rows already produced (UNION). */
    const keepNew = (batch: arrow.RecordBatch): arrow.RecordBatch | null => {
      const n = batch.numRows;
      if (n === 0) return null;
      let columns = batch.data.children;
      if (seen !== null) {
        const before = seen.numGroups;
        const ids = new Int32Array(n);
        seen.findOrInsert(columns, n, ids);
        const picked = new Int32Array(n);
        let count = 0;
        let next = before;
        for (let i = 0; i < n; i++) {
          // A group id at or past the count before this batch is new; its first row is kept.
          if (ids[i]! === next) {
            picked[count++] = i;
            next++;
          }
        }
        if (count === 0) return null;
        if (count < n) columns = columns.map((c, k) => take(c, types[k]!, picked, count));
        return makeBatch(this.schema, columns, count);
      }
      return makeBatch(this.schema, columns, n);
    };
    let current: arrow.RecordBatch[] = [];
    for await (const b of runAll(anchor, { ...ctx, scope: {} })) {
      const kept = keepNew(b);
      if (kept !== null) {
        current.push(kept);
        yield kept;
      }
    }
    let depth = 0;
    while (current.length > 0) {
      checkCancelled(ctx);
      depth++;
      if (depth > maxDepth) {
        throw new EngineError(
          RECURSION_LIMIT_SQLSTATE,
          `[RECURSION_LEVEL_LIMIT_EXCEEDED] Recursion level limit ${maxDepth} reached but query has not exhausted, try increasing it with SET spark.sql.cteRecursionLevelLimit.`,
        );
      }
      table.batches = current;
      const produced: arrow.RecordBatch[] = [];
      for await (const b of runAll(recursive, { ...ctx, scope: {} })) {
        const kept = keepNew(b);
        if (kept !== null) {
          produced.push(kept);
          yield kept;
        }
      }
      current = produced;
    }
    table.batches = [];
  }

  explain(): string {
    return `RecursiveCteExec: ${this.options.distinct ? 'union' : 'union all'}, max_depth=${this.options.maxDepth}`;
  }

  spec(): OperatorSpec {
    const o = this.options;
    return {
      kind: 'RecursiveCte',
      cteId: o.cteId,
      distinct: o.distinct,
      maxDepth: o.maxDepth,
      schema: o.schema,
    };
  }
}

/** Every partition of `plan`, one after another. */
async function* runAll(plan: ExecutionPlan, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
  for (let p = 0; p < plan.outputPartitions; p++) yield* plan.execute(p, ctx);
}
