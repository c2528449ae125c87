/**
 * The physical planner: an optimized logical plan → a tree of `XxxExec` operators.
 *
 *   Scan      → TableScanExec (projection, filters, limit pushed into the provider's scan)
 *   Filter    → FilterExec            Project → ProjectionExec
 *   Aggregate → HashAggregateExec: partial per partition → hash exchange on the keys → final
 *               (one mode `single` when the input is one partition or already hashed on the keys;
 *               DISTINCT aggregates: rows hashed on the keys, then `single`)
 *   Join      → HashJoinExec on the equi-keys (residual predicate as filter), else NestedLoopJoinExec;
 *               the smaller side builds; broadcast when it is under `broadcastThreshold` bytes,
 *               else both sides hashed on their keys (partitioned), the probe side read only
 *               for keys the build side has (`KeyFilterExec`) when the build side is far smaller
 *   Sort      → SortExec per partition → GatherExec merging the sorted partitions (top-K per
 *               partition when a Limit sits right above)
 *   Limit     → LimitExec (local per partition → gather → global)
 *   Window    → rows hashed on the PARTITION BY keys → SortExec → WindowExec
 *   SetOp     → UnionExec, or joins/aggregates for DISTINCT/INTERSECT/EXCEPT
 *   Generate  → GenerateExec (explode / posexplode, outer or not)
 *
 * Keys of nested types (arrays, maps, structs: join keys, grouping keys, PARTITION BY) are hashed
 * and compared by their `canonical_key` text; a grouped nested value comes out through `first`.
 *
 * Exchanges go wherever an operator's required distribution is not met by its input (the
 * `distribute` helper); `checkDistribution` verifies the finished plan. Column references are bound
 * to input positions here (`createPhysicalExpr` with the input's output attributes).
 */
import { EngineError, SqlState, T, typesEqual, type DataType, type Schema } from '../common/index.ts';
import type { TableProvider } from '../catalog/index.ts';
import type { AggregateFunctionDef, EvalContext, FunctionRegistry } from '../functions/index.ts';
import {
  conjoin,
  exprType,
  outputOf,
  splitConjuncts,
  referencedIds,
  type Attribute,
  type Expr,
  type JoinNode,
  type LogicalPlan,
  type SortOrder,
} from '../plan/index.ts';
import type { Distribution, ExecutionPlan, PhysicalExpr } from './execution-plan.ts';
import { checkDistribution, satisfies } from './distribution.ts';
import {
  columnExpr,
  columnPosition,
  createPhysicalExpr,
  createPhysicalExprs,
  canRaise,
  isNullable,
  defaultEvalContext,
} from './expressions/index.ts';
import { JoinEmitter } from './operators/join-emitter.ts';
import { probeDropsUnmatched } from './operators/hash-join-exec.ts';
import type { AggregateExpr, GroupByExpr } from './operators/hash-aggregate-exec.ts';
import type { AggregateFunctionRef } from './plan-spec.ts';
import { TableScanExec } from './operators/table-scan-exec.ts';
import type { FilterConjunct } from './operators/filter-exec.ts';
import {
  flipCompareOp,
  supportsSelectColumns,
  supportsSelectCompare,
  type SelectCompareOp,
} from './kernels/select-compare.ts';
import {
  ExchangeExec,
  FilterExec,
  HashAggregateExec,
  HashJoinExec,
  KeyFilterExec,
  LimitExec,
  NestedLoopJoinExec,
  ProjectionExec,
  SortExec,
  UnionExec,
  RecursiveCteExec,
  ReplicateRowsExec,
  GenerateExec,
  ValuesExec,
  RangeExec,
  WindowExec,
  WorkTable,
  WorkTableExec,
  type WindowFunctionSpec,
} from './operators/index.ts';

export interface PhysicalPlannerOptions {
  readonly functions: FunctionRegistry;
  readonly targetPartitions: number;
  /** Partitions of hash exchanges (`spark.sql.shuffle.partitions`). */
  readonly shufflePartitions: number;
  /** Iterations a recursive CTE may run (`spark.sql.cteRecursionLevelLimit`). */
  readonly maxRecursionDepth: number;
  /**
   * A join side estimated at most this many bytes is broadcast (`spark.sql.autoBroadcastJoinThreshold`);
   * negative = never broadcast (unless the join needs it).
   */
  readonly broadcastThreshold: number;
  /**
   * Whether the probe side of a partitioned join far larger than its build side is read only for
   * the build side's keys (`KeyFilterExec`; `kindling.execution.runtime_key_filter`). Default true.
   */
  readonly runtimeKeyFilter?: boolean;
  /** Estimated output size of a logical plan (the optimizer's cost model); absent = unknown. */
  readonly estimate?: (plan: LogicalPlan) => {
    readonly rowCount: number;
    readonly sizeInBytes: number;
    /** Per output attribute id: its distinct count and domain (values it can have), when known. */
    readonly columns?: ReadonlyMap<
      number,
      { readonly distinctCount: number | null; readonly maxDistinct: number | null }
    >;
  };
}

export interface PhysicalPlanner {
  plan(plan: LogicalPlan): ExecutionPlan;
}

export function createPhysicalPlanner(options: PhysicalPlannerOptions): PhysicalPlanner {
  return new Planner(options);
}

/**
 * Indented EXPLAIN text of a physical plan, one line per operator; an exchange met again (one
 * stage read twice, see `KeyFilterExec`) is shown once, then as `ReusedExchange`.
 */
export function explainPhysical(plan: ExecutionPlan): string {
  const lines: string[] = [];
  const seen = new Set<ExecutionPlan>();
  const walk = (node: ExecutionPlan, indent: number): void => {
    const pad = '  '.repeat(indent);
    if (node instanceof ExchangeExec && seen.has(node)) {
      lines.push(`${pad}ReusedExchange: ${node.explain()}`);
      return;
    }
    if (node instanceof ExchangeExec) seen.add(node);
    lines.push(`${pad}${node.explain()}`);
    for (const c of node.children()) walk(c, indent + 1);
  };
  walk(plan, 0);
  return lines.join('\n');
}

/**
 * An aggregate argument that could raise, evaluated only on the rows its FILTER keeps
 * (`CASE WHEN filter THEN arg END`): a row the FILTER drops never fails the query.
 */
function onlyWhere(arg: Expr, filter: Expr): Expr {
  if (!canRaise(arg)) return arg;
  return { kind: 'case', branches: [{ when: filter, then: arg }], otherwise: null, type: exprType(arg) };
}

/** Aggregates that are, over a window frame, the value of one of its rows. */
const POSITIONAL_AGGREGATES: ReadonlyMap<string, 'first_value' | 'last_value'> = new Map([
  ['first', 'first_value'],
  ['first_value', 'first_value'],
  ['any_value', 'first_value'],
  ['last', 'last_value'],
  ['last_value', 'last_value'],
]);

function schemaOfAttrs(attrs: readonly Attribute[]): Schema {
  return { fields: attrs.map((a) => ({ name: a.name, type: a.type, nullable: a.nullable })) };
}

function isNested(t: DataType): boolean {
  return t.kind === 'array' || t.kind === 'map' || t.kind === 'struct';
}

/**
 * A key as the hash operators take it: one of a nested type (array, map, struct) is hashed and
 * compared by its canonical text, equal exactly when the values are.
 */
function hashableKey(e: Expr): Expr {
  if (!isNested(exprType(e))) return e;
  return {
    kind: 'call',
    name: 'canonical_key',
    args: [e],
    type: T.string,
    nullable: true,
    failOnError: false,
  };
}

/**
 * An aggregate grouped by nested values, as one grouped by their canonical texts that takes each
 * group's value with `first` (every row of the group has it); undefined when no key is nested.
 */
function groupByHashableKeys(
  plan: Extract<LogicalPlan, { kind: 'Aggregate' }>,
  newId: () => number,
): LogicalPlan | undefined {
  if (plan.groupingSets !== null || !plan.groupBy.some((g) => isNested(g.attr.type))) return undefined;
  const keys = plan.groupBy.map((g) =>
    isNested(g.attr.type)
      ? {
          expr: hashableKey(g.expr),
          attr: { id: newId(), name: `${g.attr.name}_key`, type: T.string, nullable: true, qualifier: null },
        }
      : g,
  );
  const values = plan.groupBy
    .filter((g) => isNested(g.attr.type))
    .map((g) => ({
      expr: {
        kind: 'aggregate' as const,
        name: 'first',
        args: [g.expr],
        distinct: false,
        filter: null,
        ignoreNulls: false,
        type: g.attr.type,
        failOnError: false,
      },
      attr: g.attr,
    }));
  const grouped: LogicalPlan = { ...plan, groupBy: keys, aggregates: [...plan.aggregates, ...values] };
  return {
    kind: 'Project',
    input: grouped,
    exprs: outputOf(plan).map((a) => ({ expr: { kind: 'column', attr: a }, attr: a })),
  };
}

function isTableProvider(source: unknown): source is TableProvider {
  return typeof (source as TableProvider).scan === 'function';
}

class Planner implements PhysicalPlanner {
  private readonly options: PhysicalPlannerOptions;
  private readonly workTables = new Map<number, WorkTable>();
  /** Ids of the attributes the planner makes up: negative, unlike the analyzer's. */
  private lastId = 0;

  constructor(options: PhysicalPlannerOptions) {
    this.options = options;
  }

  plan(plan: LogicalPlan): ExecutionPlan {
    const physical = this.toPhysical(plan);
    checkDistribution(physical);
    return physical;
  }

  private expr(e: Expr, input: readonly Attribute[]): PhysicalExpr {
    return createPhysicalExpr(e, input, this.options.functions);
  }

  /** `exec`, behind the exchange that gives it distribution `d` when it does not have it yet. */
  private distribute(
    exec: ExecutionPlan,
    d: Distribution,
    count = this.options.shufflePartitions,
  ): ExecutionPlan {
    if (satisfies(exec.partitioning, d)) return exec;
    switch (d.kind) {
      case 'any':
        return exec;
      case 'single':
        return new ExchangeExec({ input: exec, kind: 'single' });
      case 'broadcast':
        return new ExchangeExec({ input: exec, kind: 'broadcast' });
      case 'hash':
        return new ExchangeExec({ input: exec, kind: 'hash', keys: d.keys, count });
    }
  }

  private single(exec: ExecutionPlan): ExecutionPlan {
    return this.distribute(exec, { kind: 'single' });
  }

  /** Estimated bytes of a logical plan's output; Infinity when unknown. */
  private estimatedBytes(plan: LogicalPlan): number {
    const e = this.options.estimate;
    if (e === undefined) return Infinity;
    try {
      const size = e(plan).sizeInBytes;
      return Number.isFinite(size) && size >= 0 ? size : Infinity;
    } catch {
      return Infinity;
    }
  }

  private toPhysical(plan: LogicalPlan): ExecutionPlan {
    switch (plan.kind) {
      case 'Scan': {
        if (!isTableProvider(plan.table)) {
          throw new EngineError(
            SqlState.internalError,
            `internal error: ${plan.table.qualifiedName.join('.')} has no provider`,
          );
        }
        const request = {
          projection: plan.projection,
          filters: plan.filters,
          limit: plan.limit,
          targetPartitions: this.options.targetPartitions,
        };
        const scan = plan.table.scan(request);
        const out = outputOf(plan);
        const details: string[] = [];
        details.push(`projection=[${out.map((a) => a.name).join(', ')}]`);
        if (plan.limit !== null) details.push(`limit=${plan.limit}`);
        const definition = plan.table.definition;
        // Tables that another thread can plan again from their catalog definition.
        const portable = definition.format.toLowerCase() !== 'memory';
        return new TableScanExec({
          scan,
          schema: schemaOfAttrs(out),
          tableName: plan.table.qualifiedName.join('.'),
          details: details.join(', '),
          ...(portable ? { source: { definition, request } } : {}),
        });
      }
      case 'Values':
        return new ValuesExec({ schema: schemaOfAttrs(plan.output), rows: plan.rows });
      case 'Range':
        return new RangeExec({
          schema: schemaOfAttrs(plan.output),
          start: plan.start,
          end: plan.end,
          step: plan.step,
          partitions: plan.numPartitions ?? this.options.targetPartitions,
        });
      case 'Filter': {
        const input = this.toPhysical(plan.input);
        const attrs = outputOf(plan.input);
        return new FilterExec({
          input,
          predicate: this.expr(plan.predicate, attrs),
          conjuncts: this.filterConjuncts(plan.predicate, attrs),
        });
      }
      case 'Project': {
        const inAttrs = outputOf(plan.input);
        // Plain columns over a filter: the filter outputs just them, never copying the others.
        const inner = plan.input;
        if (inner.kind === 'Filter' && plan.exprs.every((n) => n.expr.kind === 'column')) {
          const filterInput = outputOf(inner.input);
          const columns = plan.exprs.map((n) =>
            filterInput.findIndex((a) => n.expr.kind === 'column' && a.id === n.expr.attr.id),
          );
          if (columns.every((c) => c >= 0)) {
            return new FilterExec({
              input: this.toPhysical(inner.input),
              predicate: this.expr(inner.predicate, filterInput),
              conjuncts: this.filterConjuncts(inner.predicate, filterInput),
              projection: { columns, schema: schemaOfAttrs(plan.exprs.map((n) => n.attr)) },
            });
          }
        }
        const input = this.toPhysical(plan.input);
        return new ProjectionExec({
          input,
          exprs: plan.exprs.map((n) => ({ expr: this.expr(n.expr, inAttrs), name: n.attr.name })),
          schema: schemaOfAttrs(plan.exprs.map((n) => n.attr)),
        });
      }
      case 'Rename': {
        const input = this.toPhysical(plan.input);
        const inAttrs = outputOf(plan.input);
        return new ProjectionExec({
          input,
          exprs: inAttrs.map((a, i) => ({
            expr: this.expr({ kind: 'column', attr: a }, inAttrs),
            name: plan.output[i]!.name,
          })),
          schema: schemaOfAttrs(plan.output),
        });
      }
      case 'Aggregate':
        return this.aggregate(plan);
      case 'Sort':
        return this.sort(plan.input, plan.orders, null);
      case 'Limit': {
        if (plan.input.kind === 'Sort' && plan.limit !== null) {
          const sorted = this.sort(plan.input.input, plan.input.orders, plan.limit + plan.offset);
          return new LimitExec({ input: sorted, limit: plan.limit, offset: plan.offset });
        }
        let input = this.toPhysical(plan.input);
        if (input.outputPartitions > 1 && plan.limit !== null) {
          // Each partition stops after the rows the global limit can use.
          input = new LimitExec({ input, limit: plan.limit + plan.offset, local: true });
        }
        return new LimitExec({ input: this.single(input), limit: plan.limit, offset: plan.offset });
      }
      case 'Join':
        return this.join(plan);
      case 'SetOp':
        return this.setOperation(plan);
      case 'Window':
        return this.window(plan);
      case 'Generate': {
        const input = this.toPhysical(plan.input);
        return new GenerateExec({
          input,
          arg: this.expr(plan.arg, outputOf(plan.input)),
          withPosition: plan.generator === 'posexplode',
          spread: plan.generator === 'inline',
          outer: plan.outer,
          schema: schemaOfAttrs(outputOf(plan)),
        });
      }
      case 'RecursiveCte': {
        const table = new WorkTable();
        this.workTables.set(plan.cteId, table);
        return new RecursiveCteExec({
          anchor: this.toPhysical(plan.anchor),
          recursive: this.toPhysical(plan.recursive),
          table,
          cteId: plan.cteId,
          distinct: plan.distinct,
          maxDepth: this.options.maxRecursionDepth,
          schema: schemaOfAttrs(plan.output),
        });
      }
      case 'WorkTable': {
        const table = this.workTables.get(plan.cteId);
        if (table === undefined) {
          throw new EngineError(
            SqlState.internalError,
            `internal error: work table ${plan.cteId} outside its recursive CTE`,
          );
        }
        return new WorkTableExec({ table, cteId: plan.cteId, schema: schemaOfAttrs(plan.output) });
      }
      default:
        throw new EngineError(SqlState.internalError, `internal error: unknown plan node`);
    }
  }

  /** One sorted partition: each partition sorted (its top `fetch` rows), then merged in order. */
  private sort(inputPlan: LogicalPlan, orders: readonly SortOrder[], fetch: number | null): ExecutionPlan {
    const input = this.toPhysical(inputPlan);
    const inAttrs = outputOf(inputPlan);
    const keys = orders.map((o) => ({
      expr: this.expr(o.expr, inAttrs),
      ascending: o.ascending,
      nullsFirst: o.nullsFirst,
    }));
    const sorted = new SortExec({ input, keys, fetch });
    if (sorted.outputPartitions === 1) return sorted;
    return new ExchangeExec({ input: sorted, kind: 'single', sortKeys: keys });
  }

  /**
   * UNION ALL concatenates; the DISTINCT forms deduplicate with a hash aggregate over every column;
   * INTERSECT and EXCEPT are semi and anti hash joins on every column with NULL-safe equality (NULLs
   * are equal in set operations).
   */
  private setOperation(plan: Extract<LogicalPlan, { kind: 'SetOp' }>): ExecutionPlan {
    const schema = schemaOfAttrs(plan.output);
    const left = this.toPhysical(plan.left);
    const right = this.toPhysical(plan.right);
    const leftAttrs = outputOf(plan.left);
    const rightAttrs = outputOf(plan.right);
    const columns = (attrs: readonly Attribute[]): PhysicalExpr[] =>
      attrs.map((a) => this.expr({ kind: 'column', attr: a }, attrs));
    const distinct = (input: ExecutionPlan, attrs: readonly Attribute[]): ExecutionPlan =>
      this.hashAggregate({
        input,
        groupBy: columns(attrs).map((expr, i) => ({ expr, name: schema.fields[i]!.name })),
        aggregates: [],
        groupingSets: null,
        groupingId: null,
        schema,
      });
    if (plan.op === 'union') {
      const union = new UnionExec({ inputs: [left, right], schema });
      return plan.all ? union : distinct(union, leftAttrs);
    }
    if (plan.all) return this.setOperationAll(plan.op, left, right, leftAttrs, rightAttrs, schema);
    return this.hashJoin({
      left: distinct(left, leftAttrs),
      right,
      joinType: plan.op === 'intersect' ? 'left_semi' : 'left_anti',
      leftKeys: columns(leftAttrs),
      rightKeys: columns(rightAttrs),
      nullSafe: leftAttrs.map(() => true),
      filter: null,
      nullAware: false,
      nullKeysUnknown: false,
      schema,
      leftBytes: this.estimatedBytes(plan.left),
      rightBytes: this.estimatedBytes(plan.right),
      // INTERSECT / EXCEPT: keys compared null-safe, every row's columns; no runtime key filter.
      keyFilterBuildingLeft: false,
      keyFilterBuildingRight: false,
    });
  }

  /**
   * INTERSECT ALL and EXCEPT ALL, as Spark rewrites them: tag each side's rows with a count of 1
   * (left) or 0, sum the tags per distinct row, and replicate each row min(left, right) times
   * (INTERSECT ALL) or left − right times (EXCEPT ALL).
   */
  private setOperationAll(
    op: 'intersect' | 'except',
    left: ExecutionPlan,
    right: ExecutionPlan,
    leftAttrs: readonly Attribute[],
    rightAttrs: readonly Attribute[],
    schema: Schema,
  ): ExecutionPlan {
    const bigint = { kind: 'bigint' } as const;
    let nextId = -1;
    const attr = (name: string, type: Attribute['type'], nullable = true): Attribute => ({
      id: nextId--,
      name,
      type,
      nullable,
      qualifier: null,
    });
    const col = (a: Attribute): Expr => ({ kind: 'column', attr: a });
    const one = (v: bigint): Expr => ({ kind: 'literal', value: v, type: bigint });
    const values = schema.fields.map((f, i) =>
      attr(f.name, f.type, leftAttrs[i]!.nullable || rightAttrs[i]!.nullable),
    );
    const fromLeft = attr('from_left', bigint, false);
    const fromRight = attr('from_right', bigint, false);
    const tagged = (input: ExecutionPlan, attrs: readonly Attribute[], l: bigint, r: bigint): ExecutionPlan =>
      new ProjectionExec({
        input,
        exprs: [
          ...attrs.map((a, i) => ({ expr: this.expr(col(a), attrs), name: values[i]!.name })),
          { expr: this.expr(one(l), attrs), name: fromLeft.name },
          { expr: this.expr(one(r), attrs), name: fromRight.name },
        ],
        schema: schemaOfAttrs([...values, fromLeft, fromRight]),
      });
    const unionAttrs = [...values, fromLeft, fromRight];
    const union = new UnionExec({
      inputs: [tagged(left, leftAttrs, 1n, 0n), tagged(right, rightAttrs, 0n, 1n)],
      schema: schemaOfAttrs(unionAttrs),
    });
    const leftCount = attr('left_count', bigint);
    const rightCount = attr('right_count', bigint);
    const counted = this.hashAggregate({
      input: union,
      groupBy: values.map((a) => ({ expr: this.expr(col(a), unionAttrs), name: a.name })),
      aggregates: [fromLeft, fromRight].map((tag, i) =>
        this.aggregateExpr(
          (i === 0 ? leftCount : rightCount).name,
          'sum',
          [this.expr(col(tag), unionAttrs)],
          bigint,
          {
            filter: null,
            distinct: false,
          },
        ),
      ),
      groupingSets: null,
      groupingId: null,
      schema: schemaOfAttrs([...values, leftCount, rightCount]),
    });
    const countedAttrs = [...values, leftCount, rightCount];
    const times: Expr =
      op === 'intersect'
        ? {
            kind: 'case',
            branches: [
              {
                when: {
                  kind: 'binary',
                  op: '<=',
                  left: col(leftCount),
                  right: col(rightCount),
                  type: { kind: 'boolean' },
                  failOnError: false,
                },
                then: col(leftCount),
              },
            ],
            otherwise: col(rightCount),
            type: bigint,
          }
        : {
            kind: 'binary',
            op: '-',
            left: col(leftCount),
            right: col(rightCount),
            type: bigint,
            failOnError: true,
          };
    const timesAttr = attr('times', bigint);
    const withTimes = new ProjectionExec({
      input: counted,
      exprs: [
        ...values.map((a) => ({ expr: this.expr(col(a), countedAttrs), name: a.name })),
        { expr: this.expr(times, countedAttrs), name: timesAttr.name },
      ],
      schema: schemaOfAttrs([...values, timesAttr]),
    });
    return new ReplicateRowsExec({ input: withTimes, countIndex: values.length, schema });
  }

  /**
   * All window expressions of one Window node share a partition/order spec: rows hashed on the
   * partition keys (or gathered into one partition without them), each partition sorted by the
   * partition keys then the order keys, and the functions computed over it.
   */
  private window(plan: Extract<LogicalPlan, { kind: 'Window' }>): ExecutionPlan {
    const inAttrs = outputOf(plan.input);
    const first = plan.windows[0]?.expr;
    if (first === undefined || first.kind !== 'window') {
      throw new EngineError(
        SqlState.internalError,
        'internal error: a Window node without window expressions',
      );
    }
    const spec = first.spec;
    const partitionBy = spec.partitionBy.map((e) => this.expr(hashableKey(e), inAttrs));
    const sortKeys = [
      ...partitionBy.map((expr) => ({ expr, ascending: true, nullsFirst: true })),
      ...spec.orderBy.map((o) => ({
        expr: this.expr(o.expr, inAttrs),
        ascending: o.ascending,
        nullsFirst: o.nullsFirst,
      })),
    ];
    const input = this.distribute(
      this.toPhysical(plan.input),
      partitionBy.length === 0 ? { kind: 'single' } : { kind: 'hash', keys: partitionBy },
    );
    const sorted = sortKeys.length === 0 ? input : new SortExec({ input, keys: sortKeys, fetch: null });
    return new WindowExec({
      input: sorted,
      partitionBy,
      orderBy: spec.orderBy.map((o) => ({
        expr: this.expr(o.expr, inAttrs),
        ascending: o.ascending,
        nullsFirst: o.nullsFirst,
      })),
      functions: plan.windows.map((w) => this.windowFunction(w.expr, inAttrs)),
      schema: schemaOfAttrs(outputOf(plan)),
    });
  }

  private windowFunction(e: Expr, inAttrs: readonly Attribute[]): WindowFunctionSpec {
    if (e.kind !== 'window')
      throw new EngineError(SqlState.internalError, 'internal error: window expression expected');
    const fn = e.function;
    const literalNumber = (x: Expr | undefined, fallback: number): number =>
      x !== undefined && x.kind === 'literal' && x.value !== null ? Number(x.value) : fallback;
    if (fn.kind === 'aggregate' && POSITIONAL_AGGREGATES.has(fn.name) && fn.filter === null && !fn.distinct) {
      // first/last/any_value depend on the order of the frame's rows: they are first_value /
      // last_value over it (the segment tree of aggregate-window.ts merges its nodes out of order).
      return {
        kind: 'value',
        name: POSITIONAL_AGGREGATES.get(fn.name)!,
        input: this.expr(fn.args[0]!, inAttrs),
        ignoreNulls: fn.args[1]?.kind === 'literal' && fn.args[1].value === true,
        frame: e.spec.frame,
        type: fn.type,
      };
    }
    if (fn.kind === 'aggregate') {
      const def = this.options.functions.lookup(fn.name);
      if (def === undefined || def.kind !== 'aggregate') {
        throw new EngineError(SqlState.undefinedFunction, `unknown aggregate function ${fn.name}`);
      }
      const args = fn.args.map((a) => this.expr(fn.filter === null ? a : onlyWhere(a, fn.filter), inAttrs));
      const argTypes = args.map((a) => a.type);
      return {
        kind: 'aggregate',
        name: fn.name,
        args,
        createAccumulator: (ctx) => def.createAccumulator(argTypes, fn.type, ctx),
        distinct: fn.distinct,
        filter: fn.filter === null ? null : this.expr(fn.filter, inAttrs),
        frame: e.spec.frame,
        type: fn.type,
      };
    }
    switch (fn.name) {
      case 'row_number':
      case 'rank':
      case 'dense_rank':
      case 'percent_rank':
      case 'cume_dist':
      case 'ntile':
        return {
          kind: 'ranking',
          name: fn.name,
          args: fn.args.map((a) => this.expr(a, inAttrs)),
          type: fn.type,
        };
      case 'lag':
      case 'lead': {
        const dflt = fn.args[2];
        return {
          kind: 'offset',
          name: fn.name,
          input: this.expr(fn.args[0]!, inAttrs),
          offset: literalNumber(fn.args[1], 1),
          default: dflt === undefined ? null : this.expr(dflt, inAttrs),
          ignoreNulls: fn.args[3]?.kind === 'literal' && fn.args[3].value === true,
          type: fn.type,
        };
      }
      case 'first_value':
      case 'last_value':
        return {
          kind: 'value',
          name: fn.name,
          input: this.expr(fn.args[0]!, inAttrs),
          ignoreNulls: fn.args[1]?.kind === 'literal' && fn.args[1].value === true,
          frame: e.spec.frame,
          type: fn.type,
        };
      case 'nth_value':
        return {
          kind: 'value',
          name: 'nth_value',
          input: this.expr(fn.args[0]!, inAttrs),
          n: literalNumber(fn.args[1], 1),
          ignoreNulls: fn.args[2]?.kind === 'literal' && fn.args[2].value === true,
          frame: e.spec.frame,
          type: fn.type,
        };
      default:
        throw new EngineError(SqlState.undefinedFunction, `${fn.name} is not a window function`);
    }
  }

  private aggregateDef(name: string): AggregateFunctionDef {
    const def = this.options.functions.lookup(name);
    if (def === undefined || def.kind !== 'aggregate') {
      throw new EngineError(SqlState.undefinedFunction, `unknown aggregate function ${name}`);
    }
    return def;
  }

  private aggregate(plan: Extract<LogicalPlan, { kind: 'Aggregate' }>): ExecutionPlan {
    const hashable = groupByHashableKeys(plan, () => --this.lastId);
    if (hashable !== undefined) return this.toPhysical(hashable);
    const groupingId = plan.groupingId;
    if (groupingId !== null && plan.groupingSets?.length === 1 && plan.groupingSets[0]!.length === 0) {
      // GROUPING SETS (()) is the global aggregate: one row even over no input, grouping id 0.
      const global = this.aggregate({ ...plan, groupingSets: null, groupingId: null });
      const globalAttrs = outputOf({ ...plan, groupingSets: null, groupingId: null });
      const logical = outputOf(plan);
      return new ProjectionExec({
        input: global,
        exprs: logical.map((a) => ({
          expr:
            a.id === groupingId.id
              ? this.expr({ kind: 'literal', value: 0n, type: groupingId.type }, [])
              : this.expr({ kind: 'column', attr: a }, globalAttrs),
          name: a.name,
        })),
        schema: schemaOfAttrs(logical),
      });
    }
    const input = this.toPhysical(plan.input);
    const inAttrs = outputOf(plan.input);
    const groupAttrs = plan.groupBy.map((g) => g.attr);
    const aggAttrs = plan.aggregates.map((a) => a.attr);
    const operatorOrder =
      plan.groupingId === null ? [...groupAttrs, ...aggAttrs] : [...groupAttrs, plan.groupingId, ...aggAttrs];
    const calls = plan.aggregates.map((a) => {
      if (a.expr.kind !== 'aggregate')
        throw new EngineError(SqlState.internalError, 'internal error: aggregate expected');
      return a.expr;
    });
    // Arguments and filters are evaluated over the same batches: compiled together, they share
    // their common parts.
    const compiled = createPhysicalExprs(
      calls.flatMap((e) =>
        e.filter === null ? e.args : [...e.args.map((a) => onlyWhere(a, e.filter!)), e.filter],
      ),
      inAttrs,
      this.options.functions,
    );
    let next = 0;
    const aggregate = this.hashAggregate({
      input,
      groupBy: plan.groupBy.map((g) => ({ expr: this.expr(g.expr, inAttrs), name: g.attr.name })),
      aggregates: plan.aggregates.map((a, i) => {
        const e = calls[i]!;
        const args = e.args.map(() => compiled[next++]!);
        return this.aggregateExpr(a.attr.name, e.name, args, e.type, {
          filter: e.filter === null ? null : compiled[next++]!,
          distinct: e.distinct,
        });
      }),
      groupingSets: plan.groupingSets === null ? null : plan.groupingSets.map((s) => [...s]),
      groupingId: plan.groupingId,
      schema: schemaOfAttrs(operatorOrder),
    });
    if (plan.groupingId === null) return aggregate;
    // The operator puts the grouping id right after the keys; the plan wants it last.
    const logical = outputOf(plan);
    return new ProjectionExec({
      input: aggregate,
      exprs: logical.map((a) => ({
        expr: this.expr({ kind: 'column', attr: a }, operatorOrder),
        name: a.name,
      })),
      schema: schemaOfAttrs(logical),
    });
  }

  /** An aggregate of the registry over `args`, as the physical operator takes it. */
  private aggregateExpr(
    name: string,
    fn: string,
    args: readonly PhysicalExpr[],
    type: DataType,
    extra: { readonly filter: PhysicalExpr | null; readonly distinct: boolean },
  ): AggregateExpr {
    const def = this.aggregateDef(fn);
    const ref: AggregateFunctionRef = { name: fn, argTypes: args.map((x) => x.type), returnType: type };
    return {
      name,
      args,
      filter: extra.filter,
      distinct: extra.distinct,
      function: ref,
      createAccumulator: (ctx: EvalContext) => def.createAccumulator(ref.argTypes, ref.returnType, ctx),
      type,
    };
  }

  /**
   * Hash aggregation of `input` into `schema` (keys, then the grouping id when `groupingId` is
   * set, then one column per aggregate):
   * - one input partition, or an input already hashed on the keys: one `single` operator;
   * - DISTINCT aggregates: rows hashed on the keys (gathered without keys or with grouping
   *   sets), then `single`;
   * - otherwise `partial` per input partition (keys, grouping id, accumulator states), hashed on
   *   the keys and grouping id (gathered without keys), then `final`.
   */
  private hashAggregate(args: {
    readonly input: ExecutionPlan;
    readonly groupBy: readonly GroupByExpr[];
    readonly aggregates: readonly AggregateExpr[];
    readonly groupingSets: readonly (readonly number[])[] | null;
    readonly groupingId: Attribute | null;
    readonly schema: Schema;
  }): ExecutionPlan {
    const { input, groupBy, aggregates, groupingSets, groupingId, schema } = args;
    const groupingIdName = groupingId?.name ?? null;
    const single = (from: ExecutionPlan): ExecutionPlan =>
      new HashAggregateExec({
        input: from,
        mode: 'single',
        groupBy,
        aggregates,
        groupingSets,
        groupingIdName,
        schema,
      });
    const keys = groupBy.map((g) => g.expr);
    const byKeys: Distribution =
      keys.length > 0 && groupingSets === null ? { kind: 'hash', keys } : { kind: 'single' };
    if (input.outputPartitions === 1) return single(input);
    if (aggregates.some((a) => a.distinct)) return single(this.distribute(input, byKeys));
    if (byKeys.kind === 'hash' && satisfies(input.partitioning, byKeys)) return single(input);
    const gidType: DataType = groupingId?.type ?? { kind: 'bigint' };
    const ctx = defaultEvalContext();
    const partialSchema: Schema = {
      fields: [
        ...groupBy.map((g) => ({ name: g.name, type: g.expr.type, nullable: true })),
        ...(groupingSets === null
          ? []
          : [{ name: groupingIdName ?? 'grouping_id', type: gidType, nullable: false }]),
        ...aggregates.flatMap((a) =>
          a
            .createAccumulator(ctx)
            .stateTypes.map((type, i) => ({ name: `${a.name}_state${i}`, type, nullable: true })),
        ),
      ],
    };
    const partial = new HashAggregateExec({
      input,
      mode: 'partial',
      groupBy,
      aggregates,
      groupingSets,
      groupingIdName,
      schema: partialSchema,
    });
    const finalKeys = groupBy.map((g, i) => ({ expr: columnExpr(partialSchema, i), name: g.name }));
    const exchangeKeys = finalKeys.map((k) => k.expr);
    if (groupingSets !== null) exchangeKeys.push(columnExpr(partialSchema, groupBy.length));
    const distributed = this.distribute(
      partial,
      exchangeKeys.length === 0 ? { kind: 'single' } : { kind: 'hash', keys: exchangeKeys },
    );
    return new HashAggregateExec({
      input: distributed,
      mode: 'final',
      groupBy: finalKeys,
      aggregates,
      groupingSets,
      groupingIdName,
      schema,
    });
  }

  /** A filter's conjuncts: `column op constant` ones as selection refinements first, then the rest. */
  private filterConjuncts(predicate: Expr, attrs: readonly Attribute[]): FilterConjunct[] {
    const compares: FilterConjunct[] = [];
    const others: FilterConjunct[] = [];
    for (const c of splitConjuncts(predicate)) {
      const simple = simpleCompare(c, attrs) ?? columnCompare(c, attrs);
      if (simple !== null) compares.push(simple);
      else {
        // The same conjunct over only the columns it reads, to run on the surviving rows alone.
        const used = referencedIds(c);
        const columns: number[] = [];
        attrs.forEach((a, i) => {
          if (used.has(a.id) && !columns.some((j) => attrs[j]!.id === a.id)) columns.push(i);
        });
        const compact = {
          columns,
          expr: this.expr(
            c,
            columns.map((i) => attrs[i]!),
          ),
        };
        others.push({ kind: 'expr', expr: this.expr(c, attrs), compact });
      }
    }
    return [...compares, ...others];
  }

  private join(plan: JoinNode): ExecutionPlan {
    const leftAttrs = outputOf(plan.left);
    const rightAttrs = outputOf(plan.right);
    const leftIds = new Set(leftAttrs.map((a) => a.id));
    const rightIds = new Set(rightAttrs.map((a) => a.id));
    const left = this.toPhysical(plan.left);
    const right = this.toPhysical(plan.right);
    const schema = schemaOfAttrs(outputOf(plan));
    const conjuncts = plan.condition === null ? [] : splitConjuncts(plan.condition);
    // An equality between the two sides is a hash key. `(a = b) IS TRUE` is one too: a key whose
    // NULLs simply never match. Plain `a = b` keys of a mark or null-aware anti join are
    // three-valued (a NULL makes the row's answer unknown); when two-valued keys (correlation) or
    // other conjuncts are present, only the two-valued ones are keys and the three-valued ones are
    // checked per candidate pair in the residual, so a NULL counts only among the row's own
    // candidates.
    const threeValued = plan.joinType === 'left_mark' || (plan.joinType === 'left_anti' && plan.nullAware);
    const candidates: { left: Expr; right: Expr; nullSafe: boolean; exact: boolean; source: Expr }[] = [];
    const residual: Expr[] = [];
    for (const c of conjuncts) {
      const exact = c.kind === 'unary' && c.op === 'is_true';
      const eq = exact ? c.input : c;
      if (eq.kind === 'binary' && (eq.op === '=' || eq.op === '<=>')) {
        const l = referencedIds(eq.left);
        const r = referencedIds(eq.right);
        const nullSafe = eq.op === '<=>';
        if (l.size > 0 && r.size > 0 && subset(l, leftIds) && subset(r, rightIds)) {
          candidates.push({ left: eq.left, right: eq.right, nullSafe, exact, source: c });
          continue;
        }
        if (l.size > 0 && r.size > 0 && subset(l, rightIds) && subset(r, leftIds)) {
          candidates.push({ left: eq.right, right: eq.left, nullSafe, exact, source: c });
          continue;
        }
      }
      residual.push(c);
    }
    // Other residual conjuncts filter the candidates too, so a global NULL rule would be wrong; so
    // would it be for several three-valued keys: `(a, b) NOT IN (…)` with b NULL is unknown only
    // against the rows whose `a` is equal (or NULL), not against all.
    const unknowable = candidates.filter((k) => !k.exact && !k.nullSafe);
    const severalNullableKeys =
      unknowable.length > 1 && unknowable.some((k) => isNullable(k.left) || isNullable(k.right));
    const perPair =
      threeValued &&
      (residual.length > 0 || candidates.some((k) => k.exact || k.nullSafe) || severalNullableKeys);
    const keys = perPair ? candidates.filter((k) => k.exact || k.nullSafe) : candidates;
    if (perPair) for (const k of candidates) if (!k.exact && !k.nullSafe) residual.push(k.source);
    const leftKeys = keys.map((k) => k.left);
    const rightKeys = keys.map((k) => k.right);
    const nullSafe = keys.map((k) => k.nullSafe);
    const nullKeysUnknown = threeValued && !perPair;
    const both = [...leftAttrs, ...rightAttrs];
    const filter = residual.length === 0 ? null : this.expr(conjoin(residual)!, both);
    const joinType = plan.joinType === 'cross' ? 'inner' : plan.joinType;
    const leftBytes = this.estimatedBytes(plan.left);
    const rightBytes = this.estimatedBytes(plan.right);
    if (leftKeys.length === 0) {
      // Build on the right (the smaller input after join ordering), broadcast; the probe side is
      // gathered when the build side has rows to emit at the end.
      const probe = JoinEmitter.emitsAtEnd(joinType, false) ? this.single(left) : left;
      return new NestedLoopJoinExec({
        left: probe,
        right: this.distribute(right, { kind: 'broadcast' }),
        joinType,
        condition: filter,
        schema,
      });
    }
    return this.hashJoin({
      left,
      right,
      joinType,
      leftKeys: leftKeys.map((k) => this.expr(hashableKey(k), leftAttrs)),
      rightKeys: rightKeys.map((k) => this.expr(hashableKey(k), rightAttrs)),
      nullSafe,
      filter,
      nullAware: plan.nullAware,
      nullKeysUnknown,
      schema,
      leftBytes,
      rightBytes,
      keyFilterBuildingLeft: this.keysNarrow(plan.left, plan.right, rightKeys),
      keyFilterBuildingRight: this.keysNarrow(plan.right, plan.left, leftKeys),
    });
  }

  /**
   * Whether `build`'s rows can hold only a small part of the values the probe side's `probeKeys`
   * take (at most `KEY_FILTER_MAX_DOMAIN_SHARE` of the largest key's domain): then reading the
   * probe side for the build side's keys only drops most of it. Q4's 58k orders of a quarter
   * against l_orderkey's 1.5M values, yes; Q9's 1.5M orders against the same, no.
   */
  private keysNarrow(build: LogicalPlan, probe: LogicalPlan, probeKeys: readonly Expr[]): boolean {
    const e = this.options.estimate;
    if (e === undefined) return false;
    try {
      const rows = e(build).rowCount;
      const columns = e(probe).columns;
      let domain = 0;
      for (const k of probeKeys) {
        if (k.kind !== 'column') continue;
        const c = columns?.get(k.attr.id);
        const d = c?.distinctCount ?? c?.maxDistinct ?? null;
        if (d !== null) domain = Math.max(domain, d);
      }
      return domain > 0 && rows <= KEY_FILTER_MAX_DOMAIN_SHARE * domain;
    } catch {
      return false;
    }
  }

  /**
   * The hash join strategy:
   * - build side: the smaller input (by estimate) for inner, semi and anti joins; the left for
   *   RIGHT joins (the right is preserved, so it probes); the right otherwise;
   * - broadcast (`collect_build`) when the build side is estimated under `broadcastThreshold`
   *   and has no rows to emit after probing, when both inputs are one partition, and always for
   *   NOT IN and IN-as-a-value joins whose NULL keys change every row's answer;
   * - otherwise partitioned: both sides hashed on their keys into the same number of partitions.
   */
  private hashJoin(j: {
    readonly left: ExecutionPlan;
    readonly right: ExecutionPlan;
    readonly joinType: Exclude<JoinNode['joinType'], 'cross'>;
    readonly leftKeys: readonly PhysicalExpr[];
    readonly rightKeys: readonly PhysicalExpr[];
    readonly nullSafe: readonly boolean[];
    readonly filter: PhysicalExpr | null;
    readonly nullAware: boolean;
    readonly nullKeysUnknown: boolean;
    readonly schema: Schema;
    readonly leftBytes: number;
    readonly rightBytes: number;
    /** Whether a runtime key filter would drop most of the probe side (see `keysNarrow`). */
    readonly keyFilterBuildingLeft: boolean;
    readonly keyFilterBuildingRight: boolean;
  }): ExecutionPlan {
    const globalNulls = j.nullAware || j.nullKeysUnknown;
    let buildIsLeft = j.joinType === 'right';
    if (
      !globalNulls &&
      (j.joinType === 'inner' || j.joinType === 'left_semi' || j.joinType === 'left_anti')
    ) {
      buildIsLeft = j.leftBytes < j.rightBytes;
    }
    const buildBytes = buildIsLeft ? j.leftBytes : j.rightBytes;
    const emitsAtEnd = JoinEmitter.emitsAtEnd(j.joinType, buildIsLeft);
    const singleInputs = j.left.outputPartitions === 1 && j.right.outputPartitions === 1;
    const threshold = this.options.broadcastThreshold;
    const broadcast =
      globalNulls || singleInputs || (!emitsAtEnd && threshold >= 0 && buildBytes <= threshold);
    const common = {
      joinType: j.joinType,
      leftKeys: j.leftKeys,
      rightKeys: j.rightKeys,
      nullSafe: j.nullSafe,
      filter: j.filter,
      buildSide: buildIsLeft ? ('left' as const) : ('right' as const),
      nullAware: j.nullAware,
      nullKeysUnknown: j.nullKeysUnknown,
      schema: j.schema,
    };
    if (broadcast) {
      const build = (p: ExecutionPlan): ExecutionPlan => this.distribute(p, { kind: 'broadcast' });
      const probe = (p: ExecutionPlan): ExecutionPlan => (emitsAtEnd ? this.single(p) : p);
      return new HashJoinExec({
        ...common,
        mode: 'collect_build',
        left: buildIsLeft ? build(j.left) : probe(j.left),
        right: buildIsLeft ? probe(j.right) : build(j.right),
      });
    }
    // Keep a side that is already hashed on its keys as it is, and hash the other to match it.
    const hashedOn = (p: ExecutionPlan, keys: readonly PhysicalExpr[]): number =>
      p.partitioning.kind === 'hash' &&
      p.outputPartitions > 1 &&
      satisfies(p.partitioning, { kind: 'hash', keys })
        ? p.outputPartitions
        : 0;
    const count =
      hashedOn(j.left, j.leftKeys) || hashedOn(j.right, j.rightKeys) || this.options.shufflePartitions;
    const hashTo = (p: ExecutionPlan, keys: readonly PhysicalExpr[]): ExecutionPlan =>
      hashedOn(p, keys) === count ? p : new ExchangeExec({ input: p, kind: 'hash', keys, count });
    const build = buildIsLeft
      ? { plan: j.left, keys: j.leftKeys, bytes: j.leftBytes }
      : { plan: j.right, keys: j.rightKeys, bytes: j.rightBytes };
    const probe = buildIsLeft
      ? { plan: j.right, keys: j.rightKeys, bytes: j.rightBytes }
      : { plan: j.left, keys: j.leftKeys, bytes: j.leftBytes };
    const buildSide = hashTo(build.plan, build.keys);
    let probeSide = hashTo(probe.plan, probe.keys);
    if (
      this.options.runtimeKeyFilter !== false &&
      buildSide instanceof ExchangeExec &&
      probeSide instanceof ExchangeExec &&
      probe.plan.executeFiltered !== undefined &&
      probeDropsUnmatched(j.joinType, buildIsLeft, j.nullAware) &&
      !j.nullKeysUnknown &&
      (buildIsLeft ? j.keyFilterBuildingLeft : j.keyFilterBuildingRight) &&
      build.bytes <= KEY_FILTER_MAX_BUILD_BYTES &&
      build.bytes * KEY_FILTER_MIN_PROBE_RATIO <= probe.bytes &&
      probe.keys.every((k) => columnPosition(k) !== null)
    ) {
      const filtered = new KeyFilterExec({
        input: probe.plan,
        keys: probe.keys,
        source: buildSide,
        sourceKeys: build.keys,
        nullSafe: j.nullSafe,
      });
      probeSide = new ExchangeExec({ input: filtered, kind: 'hash', keys: probe.keys, count });
    }
    return new HashJoinExec({
      ...common,
      mode: 'partitioned',
      left: buildIsLeft ? buildSide : probeSide,
      right: buildIsLeft ? probeSide : buildSide,
    });
  }
}

/** `column op column` of one type with a select kernel for it. */
/**
 * A partitioned join's probe side is read for the build side's keys only (`KeyFilterExec`) when
 * the build side is estimated at most this many bytes (its keys are held in every probe task)…
 */
const KEY_FILTER_MAX_BUILD_BYTES = 256 << 20;
/** …and the probe side at least this many times as many: the probe stage then waits for the build. */
const KEY_FILTER_MIN_PROBE_RATIO = 4;
/** …and its rows at most this share of the values the probe key can take (`keysNarrow`). */
const KEY_FILTER_MAX_DOMAIN_SHARE = 0.25;

function columnCompare(e: Expr, attrs: readonly Attribute[]): FilterConjunct | null {
  if (e.kind !== 'binary' || e.left.kind !== 'column' || e.right.kind !== 'column') return null;
  const op = e.op;
  if (op !== '=' && op !== '<>' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') return null;
  const a = e.left.attr;
  const b = e.right.attr;
  if (!typesEqual(a.type, b.type) || !supportsSelectColumns(a.type)) return null;
  const left = attrs.findIndex((x) => x.id === a.id);
  const right = attrs.findIndex((x) => x.id === b.id);
  if (left < 0 || right < 0) return null;
  return { kind: 'compare_columns', left, right, type: a.type, op };
}

/** `column op literal` (either order) over one input column, with a kernel for its type. */
function simpleCompare(e: Expr, attrs: readonly Attribute[]): FilterConjunct | null {
  if (e.kind !== 'binary') return null;
  const op = e.op;
  if (op !== '=' && op !== '<>' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') return null;
  let column: Expr = e.left;
  let literal: Expr = e.right;
  let o: SelectCompareOp = op;
  if (column.kind !== 'column') {
    column = e.right;
    literal = e.left;
    o = flipCompareOp(op);
  }
  if (column.kind !== 'column' || literal.kind !== 'literal') return null;
  const attr = column.attr;
  if (!typesEqual(attr.type, literal.type) || !supportsSelectCompare(attr.type, literal.value)) return null;
  const index = attrs.findIndex((a) => a.id === attr.id);
  if (index < 0) return null;
  return { kind: 'compare', column: index, type: attr.type, op: o, value: literal.value };
}

function subset(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
