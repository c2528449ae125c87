/**
 * Cardinality and size estimates of logical plans (Spark's `Statistics` with CBO on): per node the
 * row count, the size in bytes (rows × row width; Spark's 8-byte row overhead plus each column's
 * default size, strings by their average length where known), and per output column what is known
 * of its values (column-estimate.ts), carried up from table statistics.
 *
 *   Scan       table statistics (rows, per-column min/max/nulls/ndv); without a row count, the
 *              provider's estimate (a CSV sample), else the files' size over a text width per row
 *   Filter     selectivity.ts: equality 1/ndv, ranges by min/max interpolation, IN, IS NULL, …
 *   Join       |L|·|R| / max(ndv l, ndv r) for the most selective equi-key pair (Spark's choice);
 *              outer joins keep at least their preserved side; semi joins keep the left rows whose
 *              keys can match (ndv r / ndv l), anti joins the rest (at least a tenth)
 *   Aggregate  product of the group keys' distinct counts (+1 for a NULL group), at most the input
 *   Limit, Union, Intersect, Except, Values, Range: what they say
 *
 * Estimates are memoized per plan node object, and never throw: what cannot be estimated is a
 * large conservative number, as Spark uses `spark.sql.defaultSizeInBytes`.
 */
import { assertNever, type DataType, type Value } from '../../common/index.ts';
import {
  outputOf,
  splitConjuncts,
  type AggregateNode,
  type Attribute,
  type Expr,
  type JoinNode,
  type LogicalPlan,
  type TableSource,
} from '../../plan/index.ts';
import type { Statistics } from '../../catalog/index.ts';
import {
  distinctAtMost,
  effectiveDistinct,
  numericValue,
  rowWidth,
  scaleColumn,
  UNKNOWN_COLUMN,
  type ColumnEstimate,
} from './column-estimate.ts';
import { columnOf, selectivity, type FilterState } from './selectivity.ts';

/** What the estimator says of a plan node. */
export interface PlanEstimate {
  /** Estimated output rows (a whole number ≥ 0). */
  readonly rowCount: number;
  /** Estimated output bytes (≥ 1): rows × row width. */
  readonly sizeInBytes: number;
  /**
   * True when every leaf below had a row count from statistics (table statistics, literal rows);
   * false when a default stood in somewhere (then sizes are still usable, just rougher).
   */
  readonly fromStatistics: boolean;
  /** Per output column, by attribute id. */
  readonly columns: ReadonlyMap<number, ColumnEstimate>;
}

/**
 * Spark's `spark.sql.defaultSizeInBytes` (conceptually Long.MaxValue): the size of what cannot be
 * estimated, and the cap on every estimate, kept finite and exact as a JavaScript number.
 */
export const DEFAULT_SIZE_IN_BYTES = Number.MAX_SAFE_INTEGER;
/** Rows assumed for a relation nothing is known about. */
export const UNKNOWN_ROWS = 1e12;
/** Rows per input row assumed for explode/posexplode (no statistics of array lengths). */
const GENERATE_FACTOR = 4;
/** The least fraction of rows an anti join is assumed to keep. */
const ANTI_JOIN_MIN_FRACTION = 0.1;

const memo = new WeakMap<LogicalPlan, PlanEstimate>();
const tableStatistics = new WeakMap<TableSource, Statistics | null>();

/** The estimate of `plan` (memoized per node object). Never throws. */
export function estimatePlan(plan: LogicalPlan): PlanEstimate {
  const hit = memo.get(plan);
  if (hit !== undefined) return hit;
  let est: PlanEstimate;
  try {
    est = finish(plan, compute(plan));
  } catch {
    est = unknown(plan);
  }
  memo.set(plan, est);
  return est;
}

/** Row count only (kept for callers that need nothing else). */
export function estimateRows(plan: LogicalPlan): number {
  return estimatePlan(plan).rowCount;
}

interface Draft {
  readonly rows: number;
  readonly fromStatistics: boolean;
  readonly columns: Map<number, ColumnEstimate>;
  /** When known better than rows × width (a scan without a row count: its files' size). */
  readonly sizeInBytes?: number;
}

function cap(n: number, limit: number): number {
  if (Number.isNaN(n)) return limit;
  return Math.min(limit, Math.max(0, n));
}

function finish(plan: LogicalPlan, d: Draft): PlanEstimate {
  const rows = cap(Math.ceil(d.rows), UNKNOWN_ROWS * 1e6);
  const attrs = outputOf(plan);
  const columns = new Map<number, ColumnEstimate>();
  for (const a of attrs) {
    const c = d.columns.get(a.id);
    if (c === undefined) continue;
    // A column never has more distinct values or NULLs than the node has rows.
    const ndv = c.distinctCount === null ? null : Math.min(c.distinctCount, rows);
    const nulls = c.nullCount === null ? null : Math.min(c.nullCount, rows);
    columns.set(
      a.id,
      ndv === c.distinctCount && nulls === c.nullCount ? c : { ...c, distinctCount: ndv, nullCount: nulls },
    );
  }
  const size = d.sizeInBytes ?? rows * rowWidth(attrs, columns);
  return {
    rowCount: rows,
    sizeInBytes: Math.max(1, cap(Math.ceil(size), DEFAULT_SIZE_IN_BYTES)),
    fromStatistics: d.fromStatistics,
    columns,
  };
}

function unknown(plan: LogicalPlan): PlanEstimate {
  return finish(plan, {
    rows: UNKNOWN_ROWS,
    fromStatistics: false,
    columns: new Map(),
    sizeInBytes: DEFAULT_SIZE_IN_BYTES,
  });
}

function compute(plan: LogicalPlan): Draft {
  switch (plan.kind) {
    case 'Scan':
      return scan(plan);
    case 'Values':
      return values(plan.output, plan.rows);
    case 'Range': {
      const step = plan.step;
      const n =
        step > 0n
          ? plan.end > plan.start
            ? (plan.end - plan.start + step - 1n) / step
            : 0n
          : plan.start > plan.end
            ? (plan.start - plan.end - step - 1n) / -step
            : 0n;
      const rows = Number(n);
      const last = plan.start + (n > 0n ? n - 1n : 0n) * step;
      const lo = Number(plan.start < last ? plan.start : last);
      const hi = Number(plan.start < last ? last : plan.start);
      const columns = new Map<number, ColumnEstimate>();
      const id = plan.output[0];
      if (id !== undefined) {
        columns.set(
          id.id,
          rows === 0
            ? { ...UNKNOWN_COLUMN, distinctCount: 0, nullCount: 0 }
            : {
                distinctCount: rows,
                maxDistinct: rows,
                min: lo,
                max: hi,
                nullCount: 0,
                avgLen: null,
                maxLen: null,
              },
        );
      }
      return { rows, fromStatistics: true, columns };
    }
    case 'Filter':
      return filter(estimatePlan(plan.input), plan.predicate);
    case 'Project':
      return project(estimatePlan(plan.input), plan.exprs);
    case 'Aggregate':
      return aggregate(plan);
    case 'Window': {
      const input = estimatePlan(plan.input);
      return { rows: input.rowCount, fromStatistics: input.fromStatistics, columns: new Map(input.columns) };
    }
    case 'Join':
      return join(plan);
    case 'Sort': {
      const input = estimatePlan(plan.input);
      return { rows: input.rowCount, fromStatistics: input.fromStatistics, columns: new Map(input.columns) };
    }
    case 'Limit': {
      const input = estimatePlan(plan.input);
      const afterOffset = Math.max(0, input.rowCount - plan.offset);
      const rows = plan.limit === null ? afterOffset : Math.min(plan.limit, afterOffset);
      return scaled(input, rows);
    }
    case 'SetOp':
      return setOp(plan);
    case 'Rename': {
      const input = estimatePlan(plan.input);
      const from = outputOf(plan.input);
      const columns = new Map<number, ColumnEstimate>();
      plan.output.forEach((a, i) => {
        const c = from[i] === undefined ? undefined : input.columns.get(from[i].id);
        if (c !== undefined) columns.set(a.id, c);
      });
      return { rows: input.rowCount, fromStatistics: input.fromStatistics, columns };
    }
    case 'Generate': {
      const input = estimatePlan(plan.input);
      const rows = input.rowCount * GENERATE_FACTOR;
      const columns = new Map<number, ColumnEstimate>();
      for (const [id, c] of input.columns)
        columns.set(id, { ...c, nullCount: c.nullCount === null ? null : c.nullCount * GENERATE_FACTOR });
      return { rows: plan.outer ? Math.max(rows, input.rowCount) : rows, fromStatistics: false, columns };
    }
    case 'RecursiveCte':
    case 'WorkTable':
      return {
        rows: UNKNOWN_ROWS,
        fromStatistics: false,
        columns: new Map(),
        sizeInBytes: DEFAULT_SIZE_IN_BYTES,
      };
    default:
      return assertNever(plan, 'plan node');
  }
}

/** `input` with its rows changed to `rows` by something that does not look at the values. */
function scaled(input: PlanEstimate, rows: number): Draft {
  const columns = new Map<number, ColumnEstimate>();
  for (const [id, c] of input.columns) columns.set(id, scaleColumn(c, input.rowCount, rows));
  return { rows, fromStatistics: input.fromStatistics, columns };
}

// ---- leaves --------------------------------------------------------------------------------------

interface WithStatistics {
  statistics(): Statistics;
}

function statisticsOf(t: TableSource): Statistics | null {
  if (tableStatistics.has(t)) return tableStatistics.get(t) ?? null;
  let stats: Statistics | null = null;
  const provider = t as Partial<WithStatistics>;
  if (typeof provider.statistics === 'function') {
    try {
      stats = provider.statistics();
    } catch {
      stats = null;
    }
  }
  tableStatistics.set(t, stats);
  return stats;
}

/** Bytes a value of `t` takes in a text file (CSV), to turn a file size into rows. */
function textWidth(t: DataType): number {
  switch (t.kind) {
    case 'boolean':
      return 5;
    case 'tinyint':
      return 3;
    case 'smallint':
      return 5;
    case 'int':
      return 7;
    case 'bigint':
    case 'float':
    case 'double':
      return 10;
    case 'decimal':
      return Math.min(t.precision + 2, 20);
    case 'date':
      return 10;
    case 'timestamp':
    case 'timestamp_ntz':
      return 26;
    case 'time':
      return 15;
    case 'string':
      return t.maxLength === undefined ? 20 : Math.min(t.maxLength, 20);
    default:
      return 20;
  }
}

function scan(plan: LogicalPlan & { kind: 'Scan' }): Draft {
  const stats = statisticsOf(plan.table);
  const fields = plan.table.schema.fields;
  const columns = new Map<number, ColumnEstimate>();
  let rows: number;
  let fromStatistics = true;
  if (stats?.rowCount !== null && stats?.rowCount !== undefined) rows = stats.rowCount;
  else if (stats?.estimatedRows !== undefined) {
    rows = stats.estimatedRows;
    fromStatistics = false;
  } else if (stats?.totalBytes !== null && stats?.totalBytes !== undefined) {
    const width = fields.reduce((s, f) => s + textWidth(f.type) + 1, 0);
    rows = Math.ceil(stats.totalBytes / Math.max(1, width));
    fromStatistics = false;
  } else {
    return { rows: UNKNOWN_ROWS, fromStatistics: false, columns, sizeInBytes: DEFAULT_SIZE_IN_BYTES };
  }
  const byName = new Map<string, NonNullable<Statistics['columns']>[string]>();
  for (const [name, c] of Object.entries(stats?.columns ?? {})) byName.set(name.toLowerCase(), c);
  plan.tableOutput.forEach((attr, i) => {
    const field = fields[i];
    const c = field === undefined ? undefined : byName.get(field.name.toLowerCase());
    const nullCount = c?.nullCount ?? (attr.nullable ? null : 0);
    columns.set(attr.id, {
      distinctCount: c?.distinctCount ?? null,
      maxDistinct: c?.distinctCount ?? Math.max(0, rows - (nullCount ?? 0)),
      min: c?.min === undefined ? null : numericValue(c.min, attr.type),
      max: c?.max === undefined ? null : numericValue(c.max, attr.type),
      nullCount,
      avgLen: c?.avgLen ?? null,
      maxLen: c?.maxLen ?? null,
    });
  });
  if (plan.limit !== null) rows = Math.min(rows, plan.limit);
  return { rows, fromStatistics, columns };
}

function values(output: readonly Attribute[], rows: readonly (readonly Value[])[]): Draft {
  const columns = new Map<number, ColumnEstimate>();
  output.forEach((attr, i) => {
    const distinct = new Set<unknown>();
    let nulls = 0;
    let min: number | null = null;
    let max: number | null = null;
    let numeric = true;
    for (const row of rows) {
      const v = row[i] ?? null;
      if (v === null) {
        nulls++;
        continue;
      }
      distinct.add(
        typeof v === 'object'
          ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))
          : v,
      );
      const n = numericValue(v, attr.type);
      if (n === null) numeric = false;
      else {
        if (min === null || n < min) min = n;
        if (max === null || n > max) max = n;
      }
    }
    columns.set(attr.id, {
      distinctCount: distinct.size,
      maxDistinct: distinct.size,
      min: numeric ? min : null,
      max: numeric ? max : null,
      nullCount: nulls,
      avgLen: null,
      maxLen: null,
    });
  });
  return { rows: rows.length, fromStatistics: true, columns };
}

// ---- filters and projections -----------------------------------------------------------------------

function filter(input: PlanEstimate, predicate: Expr): Draft {
  const state: FilterState = { rows: input.rowCount, columns: new Map(input.columns), narrowed: new Set() };
  let p = 1;
  for (const c of splitConjuncts(predicate)) p *= selectivity(c, state, true);
  const rows = Math.ceil(input.rowCount * p);
  const columns = new Map<number, ColumnEstimate>();
  for (const [id, c] of state.columns) {
    columns.set(id, state.narrowed.has(id) ? c : scaleColumn(c, input.rowCount, rows));
  }
  return { rows, fromStatistics: input.fromStatistics, columns };
}

function project(input: PlanEstimate, exprs: readonly { expr: Expr; attr: Attribute }[]): Draft {
  const columns = new Map<number, ColumnEstimate>();
  for (const { expr, attr } of exprs) {
    const c = exprColumn(expr, input);
    if (c !== undefined) columns.set(attr.id, c);
  }
  return { rows: input.rowCount, fromStatistics: input.fromStatistics, columns };
}

/** What is known of the values of `e` over `input`'s columns: a column (through casts) or a literal. */
function exprColumn(e: Expr, input: PlanEstimate): ColumnEstimate | undefined {
  const col = columnOf(e);
  if (col !== null) return input.columns.get(col.id);
  if (e.kind === 'literal') {
    const n = numericValue(e.value, e.type);
    return e.value === null
      ? { ...UNKNOWN_COLUMN, distinctCount: 0, nullCount: input.rowCount }
      : { distinctCount: 1, maxDistinct: 1, min: n, max: n, nullCount: 0, avgLen: null, maxLen: null };
  }
  return undefined;
}

// ---- aggregates and set operations -------------------------------------------------------------

function aggregate(plan: AggregateNode): Draft {
  const input = estimatePlan(plan.input);
  const columns = new Map<number, ColumnEstimate>();
  if (plan.groupBy.length === 0) {
    return { rows: 1, fromStatistics: input.fromStatistics, columns };
  }
  let groups: number | null = 1;
  for (const g of plan.groupBy) {
    const c = exprColumn(g.expr, input);
    const ndv = c === undefined ? null : distinctAtMost(c, g.attr.type, input.rowCount);
    if (ndv === null || groups === null) groups = null;
    else groups *= ndv + ((c?.nullCount ?? 1) > 0 ? 1 : 0);
    if (c !== undefined) columns.set(g.attr.id, c);
  }
  const sets = plan.groupingSets?.length ?? 1;
  const rows = input.rowCount === 0 ? 0 : Math.min(groups ?? input.rowCount, input.rowCount) * sets;
  return { rows, fromStatistics: input.fromStatistics, columns };
}

/** A UNION's column: bounds and NULLs of both sides (Spark's UnionEstimation); distinct values unknown. */
function unionColumn(
  a: ColumnEstimate | undefined,
  b: ColumnEstimate | undefined,
): ColumnEstimate | undefined {
  if (a === undefined || b === undefined) return undefined;
  const both = (x: number | null, y: number | null, f: (p: number, q: number) => number): number | null =>
    x === null || y === null ? null : f(x, y);
  return {
    distinctCount: null,
    maxDistinct: both(a.maxDistinct ?? a.distinctCount, b.maxDistinct ?? b.distinctCount, (p, q) => p + q),
    min: both(a.min, b.min, Math.min),
    max: both(a.max, b.max, Math.max),
    nullCount: both(a.nullCount, b.nullCount, (p, q) => p + q),
    avgLen: null,
    maxLen: both(a.maxLen, b.maxLen, Math.max),
  };
}

function setOp(plan: LogicalPlan & { kind: 'SetOp' }): Draft {
  const l = estimatePlan(plan.left);
  const r = estimatePlan(plan.right);
  const fromStatistics = l.fromStatistics && r.fromStatistics;
  const columns = new Map<number, ColumnEstimate>();
  const lo = outputOf(plan.left);
  const ro = outputOf(plan.right);
  if (plan.op === 'union') {
    plan.output.forEach((a, i) => {
      const c = unionColumn(l.columns.get(lo[i]?.id ?? -1), r.columns.get(ro[i]?.id ?? -1));
      if (c !== undefined) columns.set(a.id, c);
    });
    return { rows: l.rowCount + r.rowCount, fromStatistics, columns };
  }
  const rows = plan.op === 'intersect' ? Math.min(l.rowCount, r.rowCount) : l.rowCount;
  plan.output.forEach((a, i) => {
    const c = l.columns.get(lo[i]?.id ?? -1);
    if (c !== undefined) columns.set(a.id, scaleColumn(c, l.rowCount, rows));
  });
  return { rows, fromStatistics, columns };
}

// ---- joins -------------------------------------------------------------------------------------

interface KeyPair {
  readonly left: Attribute;
  readonly right: Attribute;
}

/** Equi-join key pairs (`l = r`, `l <=> r`, through casts) of a join condition, and the other conjuncts. */
export function equiKeys(
  condition: Expr | null,
  leftIds: ReadonlySet<number>,
  rightIds: ReadonlySet<number>,
): { pairs: KeyPair[]; others: Expr[] } {
  const pairs: KeyPair[] = [];
  const others: Expr[] = [];
  if (condition === null) return { pairs, others };
  for (const c of splitConjuncts(condition)) {
    if (c.kind === 'binary' && (c.op === '=' || c.op === '<=>')) {
      const a = columnOf(c.left);
      const b = columnOf(c.right);
      if (a !== null && b !== null) {
        if (leftIds.has(a.id) && rightIds.has(b.id)) {
          pairs.push({ left: a, right: b });
          continue;
        }
        if (leftIds.has(b.id) && rightIds.has(a.id)) {
          pairs.push({ left: b, right: a });
          continue;
        }
      }
    }
    others.push(c);
  }
  return { pairs, others };
}

/** The smaller of two optional bounds. */
function atMost(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** The values a key column ranges over: its base table's (its domain), else its distinct count. */
function domainOf(c: ColumnEstimate, ndv: number | null): number | null {
  return c.maxDistinct ?? ndv;
}

function idsOf(plan: LogicalPlan): Set<number> {
  return new Set(outputOf(plan).map((a) => a.id));
}

function join(plan: JoinNode): Draft {
  const l = estimatePlan(plan.left);
  const r = estimatePlan(plan.right);
  const fromStatistics = l.fromStatistics && r.fromStatistics;
  const { pairs, others } = equiKeys(plan.condition, idsOf(plan.left), idsOf(plan.right));

  // Inner-join cardinality from the most selective key pair (Spark's JoinEstimation).
  let inner = l.rowCount * r.rowCount;
  let bestMatchFraction: number | null = null;
  const keyColumns = new Map<number, ColumnEstimate>();
  for (const { left, right } of pairs) {
    const cl = l.columns.get(left.id) ?? UNKNOWN_COLUMN;
    const cr = r.columns.get(right.id) ?? UNKNOWN_COLUMN;
    if (
      cl.min !== null &&
      cl.max !== null &&
      cr.min !== null &&
      cr.max !== null &&
      (cl.max < cr.min || cr.max < cl.min)
    ) {
      inner = 0;
      bestMatchFraction = 0;
      continue;
    }
    const nl = effectiveDistinct(cl, left.type, l.rowCount);
    const nr = effectiveDistinct(cr, right.type, r.rowCount);
    // A side without a distinct count has at most its bound, and (under the containment
    // assumption) no more values than the other side's domain: a foreign key has as many values
    // as the table it references, a filtered key keeps its table's domain for the other side.
    const el = nl ?? atMost(distinctAtMost(cl, left.type, l.rowCount), domainOf(cr, nr));
    const er = nr ?? atMost(distinctAtMost(cr, right.type, r.rowCount), domainOf(cl, nl));
    const ndv = el === null ? er : er === null ? el : Math.max(el, er);
    const card =
      ndv === null ? Math.max(l.rowCount, r.rowCount) : ndv === 0 ? 0 : (l.rowCount * r.rowCount) / ndv;
    if (card <= inner) {
      inner = card;
      if (nl !== null && nr !== null) bestMatchFraction = nl === 0 ? 0 : Math.min(1, nr / nl);
    }
    const lo = cl.min !== null && cr.min !== null ? Math.max(cl.min, cr.min) : (cl.min ?? cr.min);
    const hi = cl.max !== null && cr.max !== null ? Math.min(cl.max, cr.max) : (cl.max ?? cr.max);
    const keyNdv = nl === null ? nr : nr === null ? nl : Math.min(nl, nr);
    const domain = atMost(cl.maxDistinct, cr.maxDistinct);
    const joined = { distinctCount: keyNdv, maxDistinct: domain, min: lo, max: hi, nullCount: 0 };
    keyColumns.set(left.id, { ...cl, ...joined });
    keyColumns.set(right.id, { ...cr, ...joined });
  }

  const joinedColumns = (rows: number, lRows: number, rRows: number): Map<number, ColumnEstimate> => {
    const columns = new Map<number, ColumnEstimate>();
    for (const [id, c] of l.columns) columns.set(id, scaleColumn(c, l.rowCount, lRows));
    for (const [id, c] of r.columns) columns.set(id, scaleColumn(c, r.rowCount, rRows));
    for (const [id, c] of keyColumns)
      columns.set(id, {
        ...c,
        distinctCount: c.distinctCount === null ? null : Math.min(c.distinctCount, rows),
      });
    return columns;
  };

  switch (plan.joinType) {
    case 'inner':
    case 'cross': {
      let rows = inner;
      if (others.length > 0) {
        const state: FilterState = { rows, columns: joinedColumns(rows, rows, rows), narrowed: new Set() };
        for (const c of others) rows *= selectivity(c, state, false);
      }
      return { rows, fromStatistics, columns: joinedColumns(rows, rows, rows) };
    }
    case 'left': {
      const rows = Math.max(inner, l.rowCount);
      return { rows, fromStatistics, columns: outerColumns(joinedColumns(rows, l.rowCount, rows), r) };
    }
    case 'right': {
      const rows = Math.max(inner, r.rowCount);
      return { rows, fromStatistics, columns: outerColumns(joinedColumns(rows, rows, r.rowCount), l) };
    }
    case 'full': {
      const rows = Math.max(inner, l.rowCount) + Math.max(inner, r.rowCount) - inner;
      const columns = outerColumns(outerColumns(joinedColumns(rows, l.rowCount, r.rowCount), l), r);
      return { rows, fromStatistics, columns };
    }
    case 'left_semi':
    case 'left_anti': {
      const matched = pairs.length === 0 ? 1 : (bestMatchFraction ?? 1);
      const fraction =
        plan.joinType === 'left_semi' ? matched : Math.max(1 - matched, ANTI_JOIN_MIN_FRACTION);
      return scaled(l, l.rowCount * fraction);
    }
    case 'left_mark': {
      const columns = new Map(l.columns);
      return { rows: l.rowCount, fromStatistics, columns };
    }
    default:
      return assertNever(plan.joinType, 'join type');
  }
}

/** The columns of the side an outer join may pad with NULLs: NULL counts become unknown. */
function outerColumns(columns: Map<number, ColumnEstimate>, side: PlanEstimate): Map<number, ColumnEstimate> {
  for (const id of side.columns.keys()) {
    const c = columns.get(id);
    if (c !== undefined) columns.set(id, { ...c, nullCount: null });
  }
  return columns;
}
