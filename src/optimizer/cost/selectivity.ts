/**
 * Filter selectivity from column statistics, as Spark's `FilterEstimation` computes it, with fixed
 * defaults where statistics are missing (Spark treats those predicates as keeping every row):
 *
 * | predicate                         | with statistics                                  | default |
 * | --------------------------------- | ------------------------------------------------ | ------- |
 * | `col = lit`, `col <=> lit`        | 0 outside [min, max], else 1 / ndv                | 0.1 (1)   |
 * | `col <> lit`                      | 1 − (the above)                                   | 0.9     |
 * | `col < lit` (and <=, >, >=)       | (lit − min) / (max − min), 0 or 1 outside         | 1/3     |
 * | `col IN (lits)`                   | literals inside [min, max], / ndv                 | 0.1 each, ≤ 0.5 |
 * | `col IS NULL` / `IS NOT NULL`     | nulls / rows, and 1 − that                        | 0.1 / 0.9 |
 * | `a = b` (two columns)             | 1 / max(ndv a, ndv b), 0 when ranges are disjoint | 0.1     |
 * | `a < b` (two columns)             | 0 or 1 when ranges are disjoint                   | 1/3     |
 * | LIKE, RLIKE, ILIKE                | —                                                 | 0.1     |
 * | AND / OR / NOT                    | p·q / p + q − p·q / 1 − p                         |         |
 * | anything else                     | —                                                 | 0.5     |
 *
 * (1) 1 / rows for a column of a table of at most SMALL_TABLE_ROWS rows: lookup tables are keyed
 * by names (`n_name = 'FRANCE'` keeps one nation).
 *
 * A conjunct that narrows a column (equality, range, IN, IS NOT NULL) updates that column's
 * estimate for the conjuncts after it and for the plan above: bounds, distinct count, NULLs.
 */
import { exprType, type Attribute, type Expr } from '../../plan/index.ts';
import {
  effectiveDistinct,
  isNumericLike,
  numericValue,
  UNKNOWN_COLUMN,
  type ColumnEstimate,
} from './column-estimate.ts';

export const DEFAULT_EQUALITY_SELECTIVITY = 0.1;
export const DEFAULT_RANGE_SELECTIVITY = 1 / 3;
export const DEFAULT_LIKE_SELECTIVITY = 0.1;
export const DEFAULT_NULL_SELECTIVITY = 0.1;
export const DEFAULT_SELECTIVITY = 0.5;
/** Tables up to this many rows are taken as keyed by each column without a distinct count. */
export const SMALL_TABLE_ROWS = 1000;

/** The columns a filter sees, updated as conjuncts narrow them. */
export interface FilterState {
  readonly rows: number;
  readonly columns: Map<number, ColumnEstimate>;
  /** Ids of columns a conjunct narrowed (the others are scaled with the row count afterwards). */
  readonly narrowed: Set<number>;
}

/** The column under order-preserving casts (numeric widening, date → timestamp), if `e` is one. */
export function columnOf(e: Expr): Attribute | null {
  if (e.kind === 'column') return e.attr;
  if (e.kind === 'cast') {
    const from = exprType(e.input);
    if (isNumericLike(from) && isNumericLike(e.type) && from.kind !== 'boolean') return columnOf(e.input);
    if (from.kind === 'string' && e.type.kind === 'string') return columnOf(e.input);
  }
  return null;
}

function literalOf(e: Expr): { value: number | null; isNull: boolean } | null {
  if (e.kind === 'literal') return { value: numericValue(e.value, e.type), isNull: e.value === null };
  if (e.kind === 'cast' && e.input.kind === 'literal') {
    const inner = literalOf(e.input);
    return inner === null ? null : { value: inner.value, isNull: inner.isNull };
  }
  return null;
}

type RangeOp = '<' | '<=' | '>' | '>=';
const FLIP: Record<string, string> = {
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '=': '=',
  '<>': '<>',
  '<=>': '<=>',
};

function column(state: FilterState, a: Attribute): ColumnEstimate {
  return state.columns.get(a.id) ?? UNKNOWN_COLUMN;
}

function narrow(state: FilterState, a: Attribute, next: ColumnEstimate, update: boolean): void {
  if (!update) return;
  state.columns.set(a.id, next);
  state.narrowed.add(a.id);
}

/** The fraction of rows (0 … 1) for which `e` is true. */
export function selectivity(e: Expr, state: FilterState, update: boolean): number {
  const p = estimate(e, state, update);
  return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : DEFAULT_SELECTIVITY;
}

function estimate(e: Expr, state: FilterState, update: boolean): number {
  switch (e.kind) {
    case 'literal':
      return e.value === true ? 1 : 0;
    case 'column':
      return e.attr.type.kind === 'boolean' ? equality(state, e.attr, 1, update) : DEFAULT_SELECTIVITY;
    case 'binary':
      return binary(e, state, update);
    case 'unary':
      return unary(e.op, e.input, state, update);
    case 'in_list':
      return inList(e.input, e.list, e.negated, state, update);
    case 'call':
      if (e.name === 'like' || e.name === 'ilike' || e.name === 'rlike' || e.name === 'regexp_like')
        return DEFAULT_LIKE_SELECTIVITY;
      if (e.name === 'startswith' || e.name === 'endswith' || e.name === 'contains')
        return DEFAULT_LIKE_SELECTIVITY;
      return DEFAULT_SELECTIVITY;
    default:
      return DEFAULT_SELECTIVITY;
  }
}

function binary(e: Expr & { kind: 'binary' }, state: FilterState, update: boolean): number {
  switch (e.op) {
    case 'and':
      return selectivity(e.left, state, update) * selectivity(e.right, state, update);
    case 'or': {
      const p = selectivity(e.left, state, false);
      const q = selectivity(e.right, state, false);
      return p + q - p * q;
    }
    case '=':
    case '<=>':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return comparison(e.op, e.left, e.right, state, update);
    default:
      return DEFAULT_SELECTIVITY;
  }
}

function comparison(op: string, left: Expr, right: Expr, state: FilterState, update: boolean): number {
  let col = columnOf(left);
  let lit = literalOf(right);
  let o = op;
  if (col === null || lit === null) {
    const c2 = columnOf(right);
    const l2 = literalOf(left);
    if (c2 !== null && l2 !== null) {
      col = c2;
      lit = l2;
      o = FLIP[op]!;
    }
  }
  if (col !== null && lit !== null) {
    if (lit.isNull) return o === '<=>' ? unary('is_null', { kind: 'column', attr: col }, state, update) : 0;
    switch (o) {
      case '=':
      case '<=>':
        return equality(state, col, lit.value, update);
      case '<>':
        return 1 - equality(state, col, lit.value, false);
      default:
        return range(state, col, o as RangeOp, lit.value, update);
    }
  }
  const a = columnOf(left);
  const b = columnOf(right);
  if (a !== null && b !== null) return twoColumns(op, a, b, state);
  if (op === '=' || op === '<=>') return DEFAULT_EQUALITY_SELECTIVITY;
  if (op === '<>') return 1 - DEFAULT_EQUALITY_SELECTIVITY;
  return DEFAULT_RANGE_SELECTIVITY;
}

/** `col = value` (value null when it has no numeric form, e.g. a string). */
function equality(state: FilterState, col: Attribute, value: number | null, update: boolean): number {
  const c = column(state, col);
  const ndv = effectiveDistinct(c, col.type, state.rows);
  if (value !== null && c.min !== null && c.max !== null && (value < c.min || value > c.max)) return 0;
  if (ndv === 0) return 0;
  narrow(
    state,
    col,
    {
      ...c,
      distinctCount: 1,
      nullCount: 0,
      ...(value === null ? {} : { min: value, max: value }),
    },
    update,
  );
  if (ndv !== null) return 1 / ndv;
  // No distinct count: a column of a small table is taken as naming its rows (lookup tables
  // are keyed by names: nation, region), a column of a large one gets the default.
  const domain = c.maxDistinct;
  return domain !== null && domain > 0 && domain <= SMALL_TABLE_ROWS
    ? Math.min(1, 1 / domain)
    : DEFAULT_EQUALITY_SELECTIVITY;
}

function range(
  state: FilterState,
  col: Attribute,
  op: RangeOp,
  value: number | null,
  update: boolean,
): number {
  const c = column(state, col);
  const { min, max } = c;
  if (value === null || min === null || max === null) return DEFAULT_RANGE_SELECTIVITY;
  const ndv = effectiveDistinct(c, col.type, state.rows);
  const noOverlap =
    op === '<' ? value <= min : op === '<=' ? value < min : op === '>' ? value >= max : value > max;
  const complete =
    op === '<' ? value > max : op === '<=' ? value >= max : op === '>' ? value < min : value <= min;
  if (noOverlap) return 0;
  if (complete) return 1;
  // Partial overlap (so max > min): prorate over [min, max], with Spark's boundary cases.
  const oneValue = ndv === null || ndv === 0 ? 0 : 1 / ndv;
  let percent: number;
  if (op === '<') percent = value === max ? 1 - oneValue : (value - min) / (max - min);
  else if (op === '<=') percent = value === min ? oneValue : (value - min) / (max - min);
  else if (op === '>') percent = value === min ? 1 - oneValue : (max - value) / (max - min);
  else percent = value === max ? oneValue : (max - value) / (max - min);
  const low = op === '>' || op === '>=';
  narrow(
    state,
    col,
    {
      ...c,
      min: low ? value : min,
      max: low ? max : value,
      nullCount: 0,
      distinctCount: ndv === null ? null : Math.max(1, Math.ceil(ndv * percent)),
    },
    update,
  );
  return percent;
}

function unary(op: string, input: Expr, state: FilterState, update: boolean): number {
  if (op === 'not') return 1 - selectivity(input, state, false);
  const col = columnOf(input);
  if (op === 'is_null' || op === 'is_not_null') {
    let nullFraction: number;
    if (col === null) nullFraction = DEFAULT_NULL_SELECTIVITY;
    else {
      const c = column(state, col);
      if (c.nullCount !== null && state.rows > 0) nullFraction = Math.min(1, c.nullCount / state.rows);
      else nullFraction = col.nullable ? DEFAULT_NULL_SELECTIVITY : 0;
      if (op === 'is_not_null') narrow(state, col, { ...c, nullCount: 0 }, update);
      else narrow(state, col, { ...c, distinctCount: 0, min: null, max: null }, update);
    }
    return op === 'is_null' ? nullFraction : 1 - nullFraction;
  }
  if (col !== null && col.type.kind === 'boolean') {
    if (op === 'is_true') return equality(state, col, 1, update);
    if (op === 'is_false') return equality(state, col, 0, update);
    if (op === 'is_not_true') return 1 - equality(state, col, 1, false);
    if (op === 'is_not_false') return 1 - equality(state, col, 0, false);
  }
  return DEFAULT_SELECTIVITY;
}

function inList(
  input: Expr,
  list: readonly Expr[],
  negated: boolean,
  state: FilterState,
  update: boolean,
): number {
  const col = columnOf(input);
  const lits = list.map(literalOf);
  if (col === null || lits.some((l) => l === null)) {
    const p = Math.min(0.5, DEFAULT_EQUALITY_SELECTIVITY * list.length);
    return negated ? 1 - p : p;
  }
  const c = column(state, col);
  const ndv = effectiveDistinct(c, col.type, state.rows);
  const values = lits.filter((l) => l !== null && !l.isNull);
  let distinct: number;
  let lo: number | null = null;
  let hi: number | null = null;
  if (values.every((l) => l!.value !== null) && c.min !== null && c.max !== null) {
    const inside = new Set<number>();
    for (const l of values) {
      const v = l!.value!;
      if (v >= c.min && v <= c.max) inside.add(v);
    }
    distinct = inside.size;
    if (distinct > 0) {
      lo = Math.min(...inside);
      hi = Math.max(...inside);
    }
  } else {
    // Literals without a numeric form (strings): distinct by their literal value.
    distinct = new Set(list.map((e) => (e.kind === 'literal' ? e.value : e))).size;
  }
  let p: number;
  if (ndv === null) p = Math.min(0.5, DEFAULT_EQUALITY_SELECTIVITY * distinct);
  else if (ndv === 0) p = 0;
  else p = Math.min(1, distinct / ndv);
  if (negated) return 1 - p;
  narrow(
    state,
    col,
    {
      ...c,
      nullCount: 0,
      distinctCount: ndv === null ? distinct : Math.min(ndv, distinct),
      min: lo ?? c.min,
      max: hi ?? c.max,
    },
    update,
  );
  return p;
}

function twoColumns(op: string, a: Attribute, b: Attribute, state: FilterState): number {
  const ca = column(state, a);
  const cb = column(state, b);
  const disjoint =
    ca.min !== null &&
    ca.max !== null &&
    cb.min !== null &&
    cb.max !== null &&
    (ca.max < cb.min || cb.max < ca.min);
  if (op === '=' || op === '<=>' || op === '<>') {
    let p: number;
    if (disjoint) p = 0;
    else {
      const na = effectiveDistinct(ca, a.type, state.rows);
      const nb = effectiveDistinct(cb, b.type, state.rows);
      const ndv = na === null ? nb : nb === null ? na : Math.max(na, nb);
      p = ndv === null || ndv === 0 ? DEFAULT_EQUALITY_SELECTIVITY : 1 / ndv;
    }
    return op === '<>' ? 1 - p : p;
  }
  if (disjoint && ca.max !== null && cb.min !== null) {
    const aBelow = ca.max < cb.min;
    return op === '<' || op === '<=' ? (aBelow ? 1 : 0) : aBelow ? 0 : 1;
  }
  return DEFAULT_RANGE_SELECTIVITY;
}
