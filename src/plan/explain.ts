/**
 * EXPLAIN text of logical plans and expressions: one deterministic line per node, children indented
 * two spaces, DataFusion-like. Plan tests assert on this text, so it depends only on the plan's data
 * (names, ids, types, values), never on object identity or Map insertion order.
 *
 *   Sort: revenue DESC NULLS LAST
 *     Projection: l_orderkey, sum(l_extendedprice) AS revenue
 *       Aggregate: groupBy=[l_orderkey], aggr=[sum(l_extendedprice)]
 *         Filter: l_shipdate > Date32("1995-03-15")
 *           TableScan: tpch.lineitem projection=[l_orderkey, l_extendedprice, l_shipdate]
 *
 * Columns print by name; `name#id` only when two different attributes in the plan share a name.
 * Subquery plans print below the node that holds them, under a `Subquery:` line.
 */
import {
  assertNever,
  formatTime,
  intervalToSql,
  isCalendarInterval,
  calendarIntervalToString,
  typeToString,
  type DataType,
  type Value,
} from '../common/index.ts';
import type { Attribute, Expr, FrameBound, NamedExpr, SortOrder } from './expr.ts';
import type { JoinType, LogicalPlan } from './logical-plan.ts';
import { exprChildren, outputOf, planChildren, planExpressions } from './tree.ts';

/** How a column is named in the text. */
export type ColumnNamer = (attr: Attribute) => string;

const plainName: ColumnNamer = (attr) => attr.name;

/**
 * The logical plan as indented text, one line per node, no trailing newline. `annotate` appends
 * text to each node's line (EXPLAIN COST's statistics).
 */
export function explainLogical(plan: LogicalPlan, annotate?: (node: LogicalPlan) => string): string {
  const namer = namerFor(plan);
  const lines: string[] = [];
  explainInto(plan, 0, namer, lines, annotate);
  return lines.join('\n');
}

/** One node's line, without children (for traces and error messages). */
export function explainNode(plan: LogicalPlan, namer: ColumnNamer = namerFor(plan)): string {
  return nodeLine(plan, namer);
}

/** A namer that adds `#id` to names shared by different attributes anywhere in `plan`. */
export function namerFor(plan: LogicalPlan): ColumnNamer {
  const idsByName = new Map<string, Set<number>>();
  const note = (a: Attribute): void => {
    let ids = idsByName.get(a.name);
    if (ids === undefined) {
      ids = new Set();
      idsByName.set(a.name, ids);
    }
    ids.add(a.id);
  };
  collectAttributes(plan, note);
  return (attr) => ((idsByName.get(attr.name)?.size ?? 0) > 1 ? `${attr.name}#${attr.id}` : attr.name);
}

function collectAttributes(plan: LogicalPlan, note: (a: Attribute) => void): void {
  for (const a of outputOf(plan)) note(a);
  if (plan.kind === 'Scan') for (const a of plan.tableOutput) note(a);
  for (const e of planExpressions(plan)) collectExprAttributes(e, note);
  for (const c of planChildren(plan)) collectAttributes(c, note);
}

function collectExprAttributes(e: Expr, note: (a: Attribute) => void): void {
  if (e.kind === 'column' || e.kind === 'outer_ref') note(e.attr);
  if (e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery') {
    collectAttributes(e.plan, note);
  }
  for (const c of exprChildren(e)) collectExprAttributes(c, note);
}

function explainInto(
  plan: LogicalPlan,
  depth: number,
  namer: ColumnNamer,
  lines: string[],
  annotate: ((node: LogicalPlan) => string) | undefined,
): void {
  const pad = '  '.repeat(depth);
  lines.push(pad + nodeLine(plan, namer) + (annotate?.(plan) ?? ''));
  for (const sub of subqueryPlans(plan)) {
    lines.push(`${pad}  Subquery:`);
    explainInto(sub, depth + 2, namer, lines, annotate);
  }
  for (const c of planChildren(plan)) explainInto(c, depth + 1, namer, lines, annotate);
}

/** Subquery plans held by a node's expressions, in the order they appear. */
function subqueryPlans(plan: LogicalPlan): LogicalPlan[] {
  const out: LogicalPlan[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery') out.push(e.plan);
    for (const c of exprChildren(e)) walk(c);
  };
  for (const e of planExpressions(plan)) walk(e);
  return out;
}

function nodeLine(plan: LogicalPlan, namer: ColumnNamer): string {
  const ex = (e: Expr): string => exprToString(e, namer);
  const list = (es: readonly Expr[]): string => es.map(ex).join(', ');
  const names = (as: readonly Attribute[]): string => as.map(namer).join(', ');
  switch (plan.kind) {
    case 'Scan': {
      let line = `TableScan: ${plan.table.qualifiedName.join('.')}`;
      if (plan.alias !== null && plan.alias !== plan.table.qualifiedName.at(-1)) line += ` AS ${plan.alias}`;
      const parts: string[] = [];
      if (plan.projection !== null) parts.push(`projection=[${names(outputOf(plan))}]`);
      if (plan.filters.length > 0) parts.push(`filters=[${list(plan.filters)}]`);
      if (plan.limit !== null) parts.push(`fetch=${plan.limit}`);
      return parts.length === 0 ? line : `${line} ${parts.join(', ')}`;
    }
    case 'Values': {
      const shown = plan.rows.slice(0, 5).map((row) => {
        const cells = row.map((v, i) => literalToString(v, plan.output[i]?.type ?? { kind: 'null' }));
        return `(${cells.join(', ')})`;
      });
      if (plan.rows.length > 5) shown.push(`... ${plan.rows.length - 5} more`);
      return `Values: output=[${names(plan.output)}], rows=[${shown.join(', ')}]`;
    }
    case 'Range':
      return `Range: output=[${names(plan.output)}], start=${plan.start}, end=${plan.end}, step=${plan.step}${plan.numPartitions === null ? '' : `, partitions=${plan.numPartitions}`}`;
    case 'Filter':
      return `Filter: ${ex(plan.predicate)}`;
    case 'Project':
      if (plan.view !== undefined)
        return `View: ${plan.view.join('.')}, output=[${plan.exprs.map((n) => namedToString(n, namer)).join(', ')}]`;
      return `Projection: ${plan.exprs.map((n) => namedToString(n, namer)).join(', ')}`;
    case 'Aggregate': {
      let line = `Aggregate: groupBy=[${plan.groupBy.map((n) => namedToString(n, namer)).join(', ')}]`;
      line += `, aggr=[${plan.aggregates.map((n) => namedToString(n, namer)).join(', ')}]`;
      if (plan.groupingSets !== null) {
        line += `, groupingSets=[${plan.groupingSets.map((s) => `[${s.join(', ')}]`).join(', ')}]`;
      }
      if (plan.groupingId !== null) line += `, groupingId=${namer(plan.groupingId)}`;
      return line;
    }
    case 'Window':
      return `Window: ${plan.windows.map((n) => namedToString(n, namer)).join(', ')}`;
    case 'Generate':
      return `Generate: ${plan.generator}${plan.outer ? '_outer' : ''}(${ex(plan.arg)}), output=[${names(plan.generatorOutput)}]`;
    case 'Join': {
      let line = `${JOIN_NAMES[plan.joinType]} Join:`;
      if (plan.condition !== null) line += ` ${ex(plan.condition)}`;
      const extras: string[] = [];
      if (plan.mark !== null) extras.push(`mark=${namer(plan.mark)}`);
      if (plan.nullAware) extras.push('nullAware=true');
      if (extras.length > 0) line += (plan.condition === null ? ' ' : ', ') + extras.join(', ');
      return line;
    }
    case 'Sort':
      return `Sort: ${plan.orders.map((o) => sortOrderToString(o, namer)).join(', ')}`;
    case 'Limit':
      return `Limit: skip=${plan.offset}, fetch=${plan.limit === null ? 'None' : plan.limit}`;
    case 'SetOp': {
      const op = plan.op.charAt(0).toUpperCase() + plan.op.slice(1);
      return `${op}${plan.all ? ' All' : ''}: output=[${names(plan.output)}]`;
    }
    case 'RecursiveCte':
      return `RecursiveCte: id=${plan.cteId}, distinct=${plan.distinct}, output=[${names(plan.output)}]`;
    case 'WorkTable':
      return `WorkTable: id=${plan.cteId}, output=[${names(plan.output)}]`;
    case 'Rename': {
      const input = outputOf(plan.input);
      const items = plan.output.map((a, i) => {
        const from = input[i];
        return from === undefined ? namer(a) : `${namer(from)} AS ${namer(a)}`;
      });
      return `Rename: ${items.join(', ')}`;
    }
    default:
      return assertNever(plan, 'plan node');
  }
}

const JOIN_NAMES: Record<JoinType, string> = {
  inner: 'Inner',
  left: 'Left',
  right: 'Right',
  full: 'Full',
  cross: 'Cross',
  left_semi: 'LeftSemi',
  left_anti: 'LeftAnti',
  left_mark: 'LeftMark',
};

/** `expr AS name`, or just the text when the expression already reads as the name. */
function namedToString(n: NamedExpr, namer: ColumnNamer): string {
  if (n.expr.kind === 'column' && n.expr.attr.id === n.attr.id) return namer(n.attr);
  const text = exprToString(n.expr, namer);
  const name = namer(n.attr);
  return text === name ? text : `${text} AS ${name}`;
}

function sortOrderToString(o: SortOrder, namer: ColumnNamer): string {
  return `${exprToString(o.expr, namer)} ${o.ascending ? 'ASC' : 'DESC'} NULLS ${o.nullsFirst ? 'FIRST' : 'LAST'}`;
}

/** Binding strength of binary operators, for parentheses. */
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  '=': 3,
  '<>': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '<=>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  div: 5,
};

const ASSOCIATIVE = new Set(['and', 'or', '+', '*']);

/** An expression as text; `namer` decides how columns print (plain names by default). */
export function exprToString(e: Expr, namer: ColumnNamer = plainName): string {
  const ex = (x: Expr): string => exprToString(x, namer);
  switch (e.kind) {
    case 'literal':
      return literalToString(e.value, e.type);
    case 'column':
      return namer(e.attr);
    case 'outer_ref':
      return `outer_ref(${namer(e.attr)})`;
    case 'binary': {
      const p = PRECEDENCE[e.op] ?? 0;
      const side = (x: Expr, right: boolean): string => {
        const text = ex(x);
        if (x.kind !== 'binary') return text;
        const q = PRECEDENCE[x.op] ?? 0;
        const needs = q < p || (right && q === p && !(x.op === e.op && ASSOCIATIVE.has(e.op)));
        return needs ? `(${text})` : text;
      };
      const op = e.op === 'and' || e.op === 'or' || e.op === 'div' ? e.op.toUpperCase() : e.op;
      return `${side(e.left, false)} ${op} ${side(e.right, true)}`;
    }
    case 'unary': {
      const inner = e.input.kind === 'binary' ? `(${ex(e.input)})` : ex(e.input);
      const op = e.op;
      switch (op) {
        case 'not':
          return `NOT ${inner}`;
        case 'negate':
          return `(- ${inner})`;
        case 'is_null':
          return `${inner} IS NULL`;
        case 'is_not_null':
          return `${inner} IS NOT NULL`;
        case 'is_true':
          return `${inner} IS TRUE`;
        case 'is_false':
          return `${inner} IS FALSE`;
        case 'is_not_true':
          return `${inner} IS NOT TRUE`;
        case 'is_not_false':
          return `${inner} IS NOT FALSE`;
        default:
          return assertNever(op, 'unary operator');
      }
    }
    case 'cast': {
      const fn = e.mode === 'try' ? 'TRY_CAST' : 'CAST';
      return `${fn}(${ex(e.input)} AS ${typeToString(e.type)})`;
    }
    case 'case': {
      const parts = ['CASE'];
      for (const b of e.branches) parts.push(`WHEN ${ex(b.when)} THEN ${ex(b.then)}`);
      if (e.otherwise !== null) parts.push(`ELSE ${ex(e.otherwise)}`);
      parts.push('END');
      return parts.join(' ');
    }
    case 'in_list':
      return `${ex(e.input)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(ex).join(', ')})`;
    case 'call':
      return `${e.name}(${e.args.map(ex).join(', ')})`;
    case 'aggregate': {
      const args = e.args.length === 0 ? '*' : e.args.map(ex).join(', ');
      let text = `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${args})`;
      if (e.ignoreNulls) text += ' IGNORE NULLS';
      if (e.filter !== null) text += ` FILTER (WHERE ${ex(e.filter)})`;
      return text;
    }
    case 'window': {
      const spec: string[] = [];
      if (e.spec.partitionBy.length > 0) spec.push(`PARTITION BY ${e.spec.partitionBy.map(ex).join(', ')}`);
      if (e.spec.orderBy.length > 0) {
        spec.push(`ORDER BY ${e.spec.orderBy.map((o) => sortOrderToString(o, namer)).join(', ')}`);
      }
      const f = e.spec.frame;
      spec.push(
        `${f.units.toUpperCase()} BETWEEN ${boundToString(f.start, ex)} AND ${boundToString(f.end, ex)}`,
      );
      return `${ex(e.function)} OVER (${spec.join(' ')})`;
    }
    case 'scalar_subquery':
      return '(<subquery>)';
    case 'exists':
      return 'EXISTS (<subquery>)';
    case 'in_subquery': {
      const values = e.values.length === 1 ? ex(e.values[0]!) : `(${e.values.map(ex).join(', ')})`;
      return `${values} ${e.negated ? 'NOT IN' : 'IN'} (<subquery>)`;
    }
    case 'parameter':
      return `$${e.index}`;
    case 'lambda_var':
      return `lambda ${e.variable.name}`;
    case 'higher_order': {
      const lambdas = e.lambdas.map(
        (l) => `lambdafunction(${ex(l.body)}, ${l.params.map((p) => `lambda ${p.name}`).join(', ')})`,
      );
      return `${e.name}(${[...e.args.map(ex), ...lambdas].join(', ')})`;
    }
    default:
      return assertNever(e, 'expression');
  }
}

function boundToString(b: FrameBound, ex: (e: Expr) => string): string {
  switch (b.kind) {
    case 'unbounded_preceding':
      return 'UNBOUNDED PRECEDING';
    case 'unbounded_following':
      return 'UNBOUNDED FOLLOWING';
    case 'current_row':
      return 'CURRENT ROW';
    case 'preceding':
      return `${ex(b.offset)} PRECEDING`;
    case 'following':
      return `${ex(b.offset)} FOLLOWING`;
    default:
      return assertNever(b, 'frame bound');
  }
}

/** A typed literal: `Int32(1)`, `Decimal(15,2)("0.06")`, `Utf8("x")`, `Date32("1995-03-15")`, `NULL`. */
export function literalToString(v: Value, t: DataType): string {
  if (v === null) return 'NULL';
  switch (t.kind) {
    case 'null':
      return 'NULL';
    case 'boolean':
      return `Boolean(${scalarText(v)})`;
    case 'tinyint':
      return `Int8(${scalarText(v)})`;
    case 'smallint':
      return `Int16(${scalarText(v)})`;
    case 'int':
      return `Int32(${scalarText(v)})`;
    case 'bigint':
      return `Int64(${scalarText(v)})`;
    case 'float':
      return `Float32(${scalarText(v)})`;
    case 'double':
      return `Float64(${scalarText(v)})`;
    case 'decimal':
      return `Decimal(${t.precision},${t.scale})("${decimalText(v, t.scale)}")`;
    case 'string':
      return `Utf8(${JSON.stringify(scalarText(v))})`;
    case 'binary':
      return `Binary("${v instanceof Uint8Array ? Buffer.from(v).toString('hex') : scalarText(v)}")`;
    case 'date':
      return `Date32("${dateText(Number(v))}")`;
    case 'timestamp':
      return `Timestamp("${timestampText(v)}")`;
    case 'timestamp_ntz':
      return `TimestampNtz("${timestampText(v)}")`;
    case 'time':
      return `Time64("${typeof v === 'bigint' ? formatTime(v) : scalarText(v)}")`;
    case 'interval_year_month':
    case 'interval_day_time':
      // Spark's literal SQL: INTERVAL '90' DAY, INTERVAL '1-2' YEAR TO MONTH
      return typeof v === 'number' || typeof v === 'bigint' ? intervalToSql(v, t) : scalarText(v);
    case 'calendar_interval':
      return isCalendarInterval(v) ? `Interval("${calendarIntervalToString(v)}")` : scalarText(v);
    case 'array': {
      const items = Array.isArray(v) ? (v as readonly Value[]) : [];
      return `List([${items.map((x) => literalToString(x, t.element)).join(', ')}])`;
    }
    case 'map': {
      const entries = v instanceof Map ? [...(v as ReadonlyMap<Value, Value>).entries()] : [];
      const text = entries.map(([k, x]) => `${literalToString(k, t.key)}: ${literalToString(x, t.value)}`);
      return `Map({${text.join(', ')}})`;
    }
    case 'struct': {
      const items = Array.isArray(v) ? (v as readonly Value[]) : [];
      const text = t.fields.map((f, i) => `${f.name}: ${literalToString(items[i] ?? null, f.type)}`);
      return `Struct({${text.join(', ')}})`;
    }
    default:
      return assertNever(t, 'data type');
  }
}

/** A scalar value's plain text (objects never reach here for scalar types). */
function scalarText(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v.toString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'NULL';
}

function decimalText(v: Value, scale: number): string {
  const unscaled = typeof v === 'bigint' ? v : BigInt(Number(v));
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return (negative ? '-' : '') + text;
}

function dateText(days: number): string {
  const d = new Date(days * 86_400_000);
  return Number.isNaN(d.getTime()) ? String(days) : d.toISOString().slice(0, 10);
}

function timestampText(v: Value): string {
  const micros = typeof v === 'bigint' ? v : BigInt(Number(v));
  const millis = Number(micros / 1000n);
  const d = new Date(millis);
  if (Number.isNaN(d.getTime())) return String(micros);
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const base = d.toISOString().slice(0, 19).replace('T', ' ');
  return frac === 0n ? base : `${base}.${frac.toString().padStart(6, '0')}`;
}
