/**
 * Hand-built logical plans for optimizer tests (the analyzer is not needed): fake table sources,
 * scans, filters, projects, joins, aggregates and expression builders sharing one id generator,
 * plus a tiny constant evaluator standing in for the session's physical evaluator.
 */
import { EngineError, SqlState, T, type DataType, type Value } from '../common/index.ts';
import {
  explainLogical,
  outputOf,
  type AggregateExpr,
  type Attribute,
  type BinaryOp,
  type Expr,
  type JoinType,
  type LogicalPlan,
  type NamedExpr,
  type ScanNode,
  type TableSource,
} from '../plan/index.ts';
import type { ColumnStatistics, Statistics } from '../catalog/index.ts';
import type { OptimizerContext, OptimizerRule } from './context.ts';
import { optimize } from './optimizer.ts';
import { BOOLEAN, col, lit } from './expr-utils.ts';

export type ColumnSpec = readonly [name: string, type: DataType, nullable?: boolean];

export interface FakeTable extends TableSource {
  statistics?: () => Statistics;
}

/**
 * A table source; with `rowCount` it answers statistics (`totalBytes` = 100 per row), and with
 * `columns` per-column statistics too (as ANALYZE TABLE … FOR ALL COLUMNS records them).
 */
export function table(
  qualifiedName: string,
  columns: readonly ColumnSpec[],
  rowCount?: number,
  columnStats?: Readonly<Record<string, ColumnStatistics>>,
): FakeTable {
  const source: FakeTable = {
    qualifiedName: qualifiedName.split('.'),
    schema: {
      fields: columns.map(([name, type, nullable]) => ({ name, type, nullable: nullable ?? false })),
    },
  };
  if (rowCount !== undefined) {
    source.statistics = () => ({
      rowCount,
      totalBytes: rowCount * 100,
      ...(columnStats === undefined ? {} : { columns: columnStats }),
    });
  }
  return source;
}

/** The attribute of `plan`'s output called `name` (the last one if several share it). */
export function attr(plan: LogicalPlan, name: string): Attribute {
  const found = outputOf(plan).filter((a) => a.name === name);
  const a = found.at(-1);
  if (a === undefined) throw new Error(`test plan has no column ${name}`);
  return a;
}

export function c(plan: LogicalPlan, name: string): Expr {
  return col(attr(plan, name));
}

export function outer(plan: LogicalPlan, name: string): Expr {
  return { kind: 'outer_ref', attr: attr(plan, name) };
}

export { lit };
export const int = (v: number): Expr => lit(v, T.int);
export const bigint = (v: bigint): Expr => lit(v, T.bigint);
export const str = (v: string): Expr => lit(v, T.string);
export const bool = (v: boolean | null): Expr => lit(v, BOOLEAN);
export const nullOf = (t: DataType): Expr => lit(null, t);
export const dec = (unscaled: bigint, precision: number, scale: number): Expr =>
  lit(unscaled, T.decimal(precision, scale));
export const date = (iso: string): Expr => lit(Math.round(Date.parse(iso) / 86_400_000), T.date);

function typeOfArith(l: Expr): DataType {
  return l.kind === 'column' || l.kind === 'outer_ref' ? l.attr.type : 'type' in l ? l.type : T.int;
}

export function bin(op: BinaryOp, left: Expr, right: Expr): Expr {
  const logical = ['=', '<>', '<', '<=', '>', '>=', '<=>', 'and', 'or'].includes(op);
  return { kind: 'binary', op, left, right, type: logical ? BOOLEAN : typeOfArith(left), failOnError: true };
}

export const eq = (l: Expr, r: Expr): Expr => bin('=', l, r);
export const ne = (l: Expr, r: Expr): Expr => bin('<>', l, r);
export const gt = (l: Expr, r: Expr): Expr => bin('>', l, r);
export const lt = (l: Expr, r: Expr): Expr => bin('<', l, r);
export const andE = (l: Expr, r: Expr): Expr => bin('and', l, r);
export const orE = (l: Expr, r: Expr): Expr => bin('or', l, r);
export const not = (e: Expr): Expr => ({
  kind: 'unary',
  op: 'not',
  input: e,
  type: BOOLEAN,
  failOnError: false,
});
export const isNull = (e: Expr): Expr => ({
  kind: 'unary',
  op: 'is_null',
  input: e,
  type: BOOLEAN,
  failOnError: false,
});
export const cast = (e: Expr, type: DataType): Expr => ({ kind: 'cast', input: e, type, mode: 'ansi' });

export function call(name: string, args: readonly Expr[], type: DataType, nullable = true): Expr {
  return { kind: 'call', name, args, type, nullable, failOnError: true };
}

export function agg(name: string, args: readonly Expr[], type: DataType, distinct = false): AggregateExpr {
  return {
    kind: 'aggregate',
    name,
    args,
    distinct,
    filter: null,
    ignoreNulls: false,
    type,
    failOnError: true,
  };
}

export const exists = (plan: LogicalPlan): Expr => ({ kind: 'exists', plan });
export const notExists = (plan: LogicalPlan): Expr => not(exists(plan));
export const inSubquery = (values: readonly Expr[], plan: LogicalPlan, negated = false): Expr => ({
  kind: 'in_subquery',
  values,
  plan,
  negated,
});
export const scalarSubquery = (plan: LogicalPlan): Expr => ({
  kind: 'scalar_subquery',
  plan,
  type: outputOf(plan)[0]!.type,
});

/** Builders sharing one attribute-id generator. */
export function testEnv(start = 1) {
  let next = start;
  const nextId = (): number => next++;
  const newAttr = (
    name: string,
    type: DataType,
    nullable: boolean,
    qualifier: string | null = null,
  ): Attribute => ({
    id: nextId(),
    name,
    type,
    nullable,
    qualifier,
  });
  const isNullableExpr = (e: Expr): boolean =>
    e.kind === 'column' || e.kind === 'outer_ref'
      ? e.attr.nullable
      : !(e.kind === 'literal' && e.value !== null);
  const typeOf = (e: Expr): DataType =>
    e.kind === 'column' || e.kind === 'outer_ref'
      ? e.attr.type
      : e.kind === 'exists' || e.kind === 'in_subquery' || e.kind === 'in_list'
        ? BOOLEAN
        : e.kind === 'lambda_var'
          ? e.variable.type
          : e.type;
  const named = (e: Expr, name?: string): NamedExpr =>
    e.kind === 'column' && (name === undefined || name === e.attr.name)
      ? { expr: e, attr: e.attr }
      : { expr: e, attr: newAttr(name ?? 'expr', typeOf(e), isNullableExpr(e)) };

  return {
    nextId,
    newAttr,
    scan(source: TableSource, alias: string | null = null): ScanNode {
      const qualifier = alias ?? source.qualifiedName.at(-1) ?? null;
      return {
        kind: 'Scan',
        table: source,
        tableOutput: source.schema.fields.map((f) => newAttr(f.name, f.type, f.nullable, qualifier)),
        projection: null,
        filters: [],
        limit: null,
        alias,
      };
    },
    values(columns: readonly ColumnSpec[], rows: readonly (readonly Value[])[]): LogicalPlan {
      return { kind: 'Values', output: columns.map(([n, t, nl]) => newAttr(n, t, nl ?? true)), rows };
    },
    filter(input: LogicalPlan, predicate: Expr): LogicalPlan {
      return { kind: 'Filter', input, predicate };
    },
    /** Items are expressions, or [expression, alias] pairs; columns keep their attribute. */
    project(input: LogicalPlan, items: readonly (Expr | readonly [Expr, string])[]): LogicalPlan {
      const exprs = items.map((it) =>
        Array.isArray(it) ? named(it[0] as Expr, it[1] as string) : named(it as Expr),
      );
      return { kind: 'Project', input, exprs };
    },
    aggregate(
      input: LogicalPlan,
      groupBy: readonly Expr[],
      aggregates: readonly (readonly [AggregateExpr, string])[],
    ): LogicalPlan {
      return {
        kind: 'Aggregate',
        input,
        groupBy: groupBy.map((g) => named(g)),
        aggregates: aggregates.map(([a, n]) => ({ expr: a, attr: newAttr(n, a.type, a.name !== 'count') })),
        groupingSets: null,
        groupingId: null,
      };
    },
    join(
      left: LogicalPlan,
      right: LogicalPlan,
      joinType: JoinType,
      condition: Expr | null = null,
    ): LogicalPlan {
      const mark = joinType === 'left_mark' ? newAttr('mark', BOOLEAN, true) : null;
      return { kind: 'Join', left, right, joinType, condition, mark, nullAware: false };
    },
    sort(input: LogicalPlan, keys: readonly (readonly [Expr, 'asc' | 'desc'])[]): LogicalPlan {
      const orders = keys.map(([expr, dir]) => ({
        expr,
        ascending: dir === 'asc',
        nullsFirst: dir === 'asc',
      }));
      return { kind: 'Sort', input, orders };
    },
    limit(input: LogicalPlan, limit: number | null, offset = 0): LogicalPlan {
      return { kind: 'Limit', input, limit, offset };
    },
    ctx(overrides: Partial<OptimizerContext> = {}): OptimizerContext {
      return {
        disabledRules: new Set(),
        evaluateConstant: evaluateTestConstant,
        nextId,
        targetPartitions: 1,
        ...overrides,
      };
    },
  };
}

export type TestEnv = ReturnType<typeof testEnv>;

/** Evaluates literals, arithmetic, comparisons and boolean logic; division by zero throws 22012. */
export function evaluateTestConstant(e: Expr): Value {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'cast':
      return evaluateTestConstant(e.input);
    case 'unary': {
      const v = evaluateTestConstant(e.input);
      if (e.op === 'is_null') return v === null;
      if (e.op === 'is_not_null') return v !== null;
      if (v === null) return null;
      if (e.op === 'not') return !(v as boolean);
      if (e.op === 'negate') return typeof v === 'bigint' ? -v : -(v as number);
      throw new EngineError(SqlState.featureNotSupported, `test evaluator: ${e.op}`);
    }
    case 'binary': {
      const l = evaluateTestConstant(e.left);
      const r = evaluateTestConstant(e.right);
      if (e.op === 'and') return l === false || r === false ? false : l === null || r === null ? null : true;
      if (e.op === 'or') return l === true || r === true ? true : l === null || r === null ? null : false;
      if (l === null || r === null) return null;
      const a = l as number;
      const b = r as number;
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
        case 'div':
          if (Number(b) === 0) throw new EngineError(SqlState.divisionByZero, 'division by zero');
          return typeof a === 'bigint' ? (a as unknown as bigint) / (b as unknown as bigint) : a / b;
        case '=':
          return a === b;
        case '<>':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '%':
        case '<=>':
        default:
          throw new EngineError(SqlState.featureNotSupported, `test evaluator: ${e.op}`);
      }
    }
    default:
      throw new EngineError(SqlState.featureNotSupported, `test evaluator: ${e.kind}`);
  }
}

/** Runs `rules` alone, to a fixpoint, through the real driver (so its invariant checks apply). */
export function runRules(plan: LogicalPlan, ctx: OptimizerContext, rules: readonly OptimizerRule[]): string {
  return explainLogical(optimize(plan, ctx, [{ name: 'test', strategy: 'fixpoint', rules }]).plan);
}
