/**
 * Rebuilds a physical plan from its plain-data form (plan-spec.ts), in whatever thread or process
 * received it: expressions are compiled again, aggregate functions looked up in the receiver's
 * registry, table scans planned again from the catalog definition, and each recursive CTE gets a
 * fresh work table shared with its WorkTableExec.
 */
import { createTableProvider } from '../catalog/index.ts';
import { EngineError, SqlState, assertNever } from '../common/index.ts';
import type { AggregateFunctionDef } from '../functions/index.ts';
import type { ExecutionPlan, ExprSpec, PhysicalExpr } from './execution-plan.ts';
import { compileExprSpec, compileExprSpecs } from './expressions/index.ts';
import { ExchangeExec } from './operators/exchange-exec.ts';
import { ExchangeReaderExec } from './operators/exchange-reader-exec.ts';
import { CacheShareExec } from './operators/cache-share-exec.ts';
import { EmptyExec } from './operators/empty-exec.ts';
import { FileSchemaExec } from './operators/file-schema-exec.ts';
import { FilterExec, type FilterConjunct } from './operators/filter-exec.ts';
import { GenerateExec } from './operators/generate-exec.ts';
import { HashAggregateExec } from './operators/hash-aggregate-exec.ts';
import { HashJoinExec } from './operators/hash-join-exec.ts';
import { KeyFilterExec } from './operators/key-filter-exec.ts';
import { LimitExec } from './operators/limit-exec.ts';
import { NestedLoopJoinExec } from './operators/nested-loop-join-exec.ts';
import { ProjectionExec } from './operators/projection-exec.ts';
import { RangeExec } from './operators/range-exec.ts';
import { RecursiveCteExec } from './operators/recursive-cte-exec.ts';
import { ReplicateRowsExec } from './operators/replicate-rows-exec.ts';
import { SortExec, type SortKey } from './operators/sort-exec.ts';
import { TableScanExec } from './operators/table-scan-exec.ts';
import { TableWriteExec } from './operators/table-write-exec.ts';
import { UnionExec } from './operators/union-exec.ts';
import { ValuesExec } from './operators/values-exec.ts';
import { WindowExec } from './operators/window-exec.ts';
import { WorkTable, WorkTableExec } from './operators/work-table-exec.ts';
import type { WindowFunctionSpec } from './window/index.ts';
import type {
  AggregateFunctionRef,
  OperatorSpec,
  PlanDecodeEnv,
  PlanSpec,
  SortKeySpec,
  WindowFunctionSpecData,
} from './plan-spec.ts';

export function planFromSpec(spec: PlanSpec, env: PlanDecodeEnv): ExecutionPlan {
  return new Decoder(env).plan(spec);
}

class Decoder {
  private readonly env: PlanDecodeEnv;
  private readonly workTables = new Map<number, WorkTable>();

  constructor(env: PlanDecodeEnv) {
    this.env = env;
  }

  private expr(e: ExprSpec): PhysicalExpr {
    return compileExprSpec(e, this.env.functions);
  }

  /** Aggregates' arguments and filters, compiled together as the planner did (common parts shared). */
  private aggregateInputs(
    aggregates: readonly { readonly args: readonly ExprSpec[]; readonly filter: ExprSpec | null }[],
  ): { args: PhysicalExpr[]; filter: PhysicalExpr | null }[] {
    const compiled = compileExprSpecs(
      aggregates.flatMap((a) => (a.filter === null ? a.args : [...a.args, a.filter])),
      this.env.functions,
    );
    let next = 0;
    return aggregates.map((a) => ({
      args: a.args.map(() => compiled[next++]!),
      filter: a.filter === null ? null : compiled[next++]!,
    }));
  }

  private sortKey(k: SortKeySpec): SortKey {
    return { expr: this.expr(k.expr), ascending: k.ascending, nullsFirst: k.nullsFirst };
  }

  private aggregate(f: AggregateFunctionRef): AggregateFunctionDef {
    const def = this.env.functions.lookup(f.name);
    if (def === undefined || def.kind !== 'aggregate') {
      throw new EngineError(SqlState.internalError, `internal error: no aggregate function ${f.name}`);
    }
    return def;
  }

  private workTable(cteId: number): WorkTable {
    let t = this.workTables.get(cteId);
    if (t === undefined) {
      t = new WorkTable();
      this.workTables.set(cteId, t);
    }
    return t;
  }

  plan(spec: PlanSpec): ExecutionPlan {
    // A recursive CTE's work table must exist before its recursive branch is decoded.
    if (spec.op.kind === 'RecursiveCte') this.workTable(spec.op.cteId);
    const children = spec.children.map((c) => this.plan(c));
    return this.operator(spec.op, children);
  }

  private operator(op: OperatorSpec, children: readonly ExecutionPlan[]): ExecutionPlan {
    const child = (i: number): ExecutionPlan => {
      const c = children[i];
      if (c === undefined)
        throw new EngineError(SqlState.internalError, `internal error: ${op.kind} is missing child ${i}`);
      return c;
    };
    switch (op.kind) {
      case 'TableScan': {
        const provider = createTableProvider(op.definition);
        return new TableScanExec({
          scan: provider.scan(op.request),
          schema: op.schema,
          tableName: op.tableName,
          details: op.details,
          source: { definition: op.definition, request: op.request },
        });
      }
      case 'Values':
        return new ValuesExec({ schema: op.schema, rows: op.rows });
      case 'Range':
        return new RangeExec(op);
      case 'Empty':
        return new EmptyExec({ schema: op.schema, partitions: op.partitions });
      case 'FileSchema':
        return new FileSchemaExec(op.request);
      case 'Filter':
        return new FilterExec({
          input: child(0),
          predicate: this.expr(op.predicate),
          ...(op.projection === null ? {} : { projection: op.projection }),
          ...(op.conjuncts === null
            ? {}
            : {
                conjuncts: op.conjuncts.map((c): FilterConjunct =>
                  c.kind !== 'expr'
                    ? c
                    : {
                        kind: 'expr',
                        expr: this.expr(c.expr),
                        ...(c.compact === undefined
                          ? {}
                          : { compact: { columns: c.compact.columns, expr: this.expr(c.compact.expr) } }),
                      },
                ),
              }),
        });
      case 'Projection':
        return new ProjectionExec({
          input: child(0),
          exprs: op.exprs.map((e) => ({ expr: this.expr(e.expr), name: e.name })),
          schema: op.schema,
        });
      case 'HashAggregate': {
        const aggregateInputs = this.aggregateInputs(op.aggregates);
        return new HashAggregateExec({
          input: child(0),
          mode: op.mode,
          groupBy: op.groupBy.map((g) => ({ expr: this.expr(g.expr), name: g.name })),
          aggregates: op.aggregates.map((a, i) => {
            const def = this.aggregate(a.function);
            const f = a.function;
            const { args, filter } = aggregateInputs[i]!;
            return {
              name: a.name,
              function: f,
              args,
              filter,
              distinct: a.distinct,
              createAccumulator: (ctx) => def.createAccumulator(f.argTypes, f.returnType, ctx),
              type: a.type,
            };
          }),
          groupingSets: op.groupingSets,
          groupingIdName: op.groupingIdName,
          schema: op.schema,
        });
      }
      case 'HashJoin':
        return new HashJoinExec({
          left: child(0),
          right: child(1),
          mode: op.mode,
          joinType: op.joinType,
          leftKeys: op.leftKeys.map((k) => this.expr(k)),
          rightKeys: op.rightKeys.map((k) => this.expr(k)),
          nullSafe: op.nullSafe,
          filter: op.filter === null ? null : this.expr(op.filter),
          buildSide: op.buildSide,
          nullAware: op.nullAware,
          nullKeysUnknown: op.nullKeysUnknown,
          schema: op.schema,
        });
      case 'KeyFilter':
        return new KeyFilterExec({
          input: child(0),
          source: child(1),
          keys: op.keys.map((k) => this.expr(k)),
          sourceKeys: op.sourceKeys.map((k) => this.expr(k)),
          nullSafe: op.nullSafe,
        });
      case 'NestedLoopJoin':
        return new NestedLoopJoinExec({
          left: child(0),
          right: child(1),
          joinType: op.joinType,
          condition: op.condition === null ? null : this.expr(op.condition),
          schema: op.schema,
          buildSide: op.buildSide,
          nullAware: op.nullAware,
        });
      case 'Sort':
        return new SortExec({ input: child(0), keys: op.keys.map((k) => this.sortKey(k)), fetch: op.fetch });
      case 'Limit':
        return new LimitExec({ input: child(0), limit: op.limit, offset: op.offset, local: op.local });
      case 'Union':
        return new UnionExec({ inputs: children, schema: op.schema });
      case 'Generate':
        return new GenerateExec({
          input: child(0),
          arg: this.expr(op.arg),
          withPosition: op.withPosition,
          elementFields: op.elementFields,
          outer: op.outer,
          schema: op.schema,
        });
      case 'Window':
        return new WindowExec({
          input: child(0),
          partitionBy: op.partitionBy.map((e) => this.expr(e)),
          orderBy: op.orderBy.map((k) => this.sortKey(k)),
          functions: op.functions.map((f) => this.windowFunction(f)),
          schema: op.schema,
        });
      case 'ReplicateRows':
        return new ReplicateRowsExec({ input: child(0), countIndex: op.countIndex, schema: op.schema });
      case 'RecursiveCte':
        return new RecursiveCteExec({
          anchor: child(0),
          recursive: child(1),
          table: this.workTable(op.cteId),
          cteId: op.cteId,
          distinct: op.distinct,
          maxDepth: op.maxDepth,
          schema: op.schema,
        });
      case 'WorkTable':
        return new WorkTableExec({ table: this.workTable(op.cteId), cteId: op.cteId, schema: op.schema });
      case 'Exchange':
        return new ExchangeExec({
          input: child(0),
          kind: op.exchange,
          keys: op.keys.map((k) => this.expr(k)),
          count: op.count,
          sortKeys: op.sortKeys.map((k) => this.sortKey(k)),
        });
      case 'TableWrite':
        return new TableWriteExec({ input: child(0), target: op.target });
      case 'CacheShare':
        return new CacheShareExec({ input: child(0), cacheId: op.cacheId });
      case 'ExchangeReader':
        return new ExchangeReaderExec({
          stageId: op.stageId,
          kind: op.exchange,
          keys: op.keys.map((k) => this.expr(k)),
          count: op.count,
          sortKeys: op.sortKeys.map((k) => this.sortKey(k)),
          schema: op.schema,
        });
      default:
        return assertNever(op);
    }
  }

  private windowFunction(f: WindowFunctionSpecData): WindowFunctionSpec {
    switch (f.kind) {
      case 'ranking':
        return { kind: 'ranking', name: f.name, args: f.args.map((a) => this.expr(a)), type: f.type };
      case 'offset':
        return {
          kind: 'offset',
          name: f.name,
          input: this.expr(f.input),
          offset: f.offset,
          default: f.default === null ? null : this.expr(f.default),
          ignoreNulls: f.ignoreNulls,
          type: f.type,
        };
      case 'value':
        return {
          kind: 'value',
          name: f.name,
          input: this.expr(f.input),
          ...(f.n === undefined ? {} : { n: f.n }),
          ignoreNulls: f.ignoreNulls,
          frame: f.frame,
          type: f.type,
        };
      case 'aggregate': {
        const def = this.aggregate(f.function);
        const ref = f.function;
        return {
          kind: 'aggregate',
          name: f.name,
          function: ref,
          args: f.args.map((a) => this.expr(a)),
          createAccumulator: (ctx) => def.createAccumulator(ref.argTypes, ref.returnType, ctx),
          distinct: f.distinct,
          filter: f.filter === null ? null : this.expr(f.filter),
          frame: f.frame,
          type: f.type,
        };
      }
      default:
        return assertNever(f);
    }
  }
}
