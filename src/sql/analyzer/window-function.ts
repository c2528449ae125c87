/**
 * Window functions: `f(…) OVER (…)` with named windows, Spark's default frames, the ranking and
 * offset functions (typed here, they are not in the registry) and aggregates over windows.
 */
import {
  SqlState,
  T,
  isIntegral,
  isNumeric,
  typeToString,
  typesEqual,
  type DataType,
} from '../../common/index.ts';
import { castValue } from '../../functions/index.ts';
import {
  exprType,
  type CallExpr,
  type Expr,
  type FrameBound,
  type SortOrder,
  type WindowFrame,
  type WindowSpec,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { analysisError } from './errors.ts';
import { exprName } from './expr-name.ts';
import { castTo, foldConstant } from './expr-utils.ts';
import { bindExpr } from './expression.ts';
import { aggregateNotAllowed, bindAggregateCall, lookupFunction } from './function-call.ts';
import { lit } from './literal.ts';
import { checkOrderable } from './map-ordering.ts';

const RANKING: ReadonlySet<string> = new Set([
  'row_number',
  'rank',
  'dense_rank',
  'percent_rank',
  'cume_dist',
  'ntile',
]);
const OFFSET: ReadonlySet<string> = new Set(['lag', 'lead']);
const VALUE: ReadonlySet<string> = new Set(['first_value', 'last_value', 'nth_value']);

/** The functions that exist only over a window (aggregates may be used over one too). */
export const WINDOW_FUNCTION_NAMES: readonly string[] = [...RANKING, ...OFFSET, ...VALUE];

function windowError(message: string, pos: number): never {
  throw analysisError(SqlState.windowingError, message, pos);
}

function constantInt(env: ExprEnv, e: ast.Expr, what: string): number {
  const x = bindExpr(env, e);
  if (x.kind !== 'literal' || !isIntegral(x.type) || x.value === null)
    windowError(`[INVALID_WINDOW_ARGUMENT] ${what} must be a constant integer.`, e.pos);
  return Number(x.value);
}

function bindWindowCall(env: ExprEnv, e: ast.FunctionExpr, name: string): CallExpr {
  const ansi = env.state.ctx.ansi;
  const args = e.args;
  const arity = (min: number, max: number): void => {
    if (args.length < min || args.length > max) {
      throw analysisError(
        SqlState.wrongNumArgs,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires ${min === max ? min : `${min} to ${max}`} parameters but the actual number is ${args.length}.`,
        e.pos,
      );
    }
  };
  const mk = (callArgs: Expr[], type: DataType, nullable: boolean): CallExpr => ({
    kind: 'call',
    name,
    args: callArgs,
    type,
    nullable,
    failOnError: ansi,
  });
  switch (name) {
    case 'row_number':
    case 'rank':
    case 'dense_rank':
      arity(0, 0);
      return mk([], T.int, false);
    case 'percent_rank':
    case 'cume_dist':
      arity(0, 0);
      return mk([], T.double, false);
    case 'ntile': {
      arity(1, 1);
      const n = constantInt(env, args[0]!, 'The bucket count of ntile');
      if (n <= 0)
        windowError(
          `[INVALID_WINDOW_ARGUMENT] The bucket count of ntile must be positive, but got ${n}.`,
          args[0]!.pos,
        );
      return mk([lit(n, T.int)], T.int, false);
    }
    case 'lag':
    case 'lead': {
      arity(1, 3);
      const x = bindExpr(env, args[0]!);
      const t = exprType(x);
      const offset = args.length > 1 ? constantInt(env, args[1]!, `The offset of ${name}`) : 1;
      const dflt = args.length > 2 ? castTo(bindExpr(env, args[2]!), t) : lit(null, t);
      // The fourth argument carries IGNORE NULLS to the physical planner.
      return mk([x, lit(offset, T.int), dflt, lit(e.ignoreNulls === true, T.boolean)], t, true);
    }
    case 'first_value':
    case 'last_value': {
      arity(1, 2);
      const x = bindExpr(env, args[0]!);
      // Spark's second argument (isIgnoreNull) and the IGNORE NULLS clause mean the same.
      const ignore =
        args.length > 1 ? castTo(bindExpr(env, args[1]!), T.boolean) : lit(e.ignoreNulls === true, T.boolean);
      return mk([x, ignore], exprType(x), true);
    }
    case 'nth_value': {
      arity(2, 2);
      const x = bindExpr(env, args[0]!);
      const n = constantInt(env, args[1]!, 'The offset of nth_value');
      if (n <= 0)
        windowError(
          `[INVALID_WINDOW_ARGUMENT] The offset of nth_value must be positive, but got ${n}.`,
          args[1]!.pos,
        );
      return mk([x, lit(n, T.int), lit(e.ignoreNulls === true, T.boolean)], exprType(x), true);
    }
  }
  return windowError(`[UNSUPPORTED_WINDOW_FUNCTION] ${name} is not a window function.`, e.pos);
}

/** The written spec merged with the named window it extends. */
function mergedSpec(
  env: ExprEnv,
  spec: ast.WindowSpec,
  depth = 0,
): { partitionBy: readonly ast.Expr[]; orderBy: readonly ast.OrderItem[]; frame: ast.WindowFrame | null } {
  if (spec.baseName === null) return spec;
  const base = env.namedWindows?.get(spec.baseName.name.toLowerCase());
  if (base === undefined || depth > 16) {
    windowError(
      `[MISSING_WINDOW_SPECIFICATION] Window specification ${spec.baseName.name} is not defined in the WINDOW clause.`,
      spec.baseName.pos,
    );
  }
  const b = mergedSpec(env, base, depth + 1);
  if (spec.partitionBy.length > 0 && b.partitionBy.length > 0)
    windowError(
      `[INVALID_WINDOW_SPEC] Cannot override PARTITION BY of window ${spec.baseName.name}.`,
      spec.pos,
    );
  if (spec.orderBy.length > 0 && b.orderBy.length > 0)
    windowError(`[INVALID_WINDOW_SPEC] Cannot override ORDER BY of window ${spec.baseName.name}.`, spec.pos);
  return {
    partitionBy: spec.partitionBy.length > 0 ? spec.partitionBy : b.partitionBy,
    orderBy: spec.orderBy.length > 0 ? spec.orderBy : b.orderBy,
    frame: spec.frame ?? b.frame,
  };
}

export function bindSortOrder(env: ExprEnv, o: ast.OrderItem, expr?: Expr): SortOrder {
  const ascending = o.ascending ?? true;
  const nullsFirst = o.nullsFirst ?? ascending;
  const bound = expr ?? bindExpr(env, o.expr);
  checkOrderable(exprType(bound), sortOrderText(o), 'sortorder', o.expr.pos);
  return { expr: bound, ascending, nullsFirst };
}

/** Spark's `(… ASC NULLS FIRST)` text of an ORDER BY item, for messages. */
function sortOrderText(o: ast.OrderItem): string {
  const ascending = o.ascending ?? true;
  const nullsFirst = o.nullsFirst ?? ascending;
  return `${exprName(o.expr)} ${ascending ? 'ASC' : 'DESC'} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`;
}

function frameMismatch(subclass: string, detail: string, pos: number): never {
  throw analysisError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.${subclass}] Cannot resolve the window frame due to data type mismatch: ${detail}`,
    pos,
  );
}

/**
 * Whether a RANGE offset of type `offset` may move an ORDER BY key of type `key` (Spark's
 * isValidFrameType): numbers by numbers (the offset is cast to the key's type), a date by days
 * or by a year-month interval, a timestamp by any interval. A day-time interval does not move a
 * date.
 */
function rangeOffsetFits(key: DataType, offset: DataType): boolean {
  switch (key.kind) {
    case 'date':
      return isIntegral(offset) || offset.kind === 'interval_year_month';
    case 'timestamp':
    case 'timestamp_ntz':
      return (
        offset.kind === 'interval_year_month' ||
        offset.kind === 'interval_day_time' ||
        offset.kind === 'calendar_interval'
      );
    default:
      return isNumeric(key) && isNumeric(offset);
  }
}

/**
 * Where a value bound lies relative to the current row, as Spark places it: `n PRECEDING` at −n,
 * `n FOLLOWING` at n (so `-1 PRECEDING` is `1 FOLLOWING`). Null for a bound that is not a value,
 * and for a calendar interval, which Spark does not order.
 */
function boundPosition(b: FrameBound): { at: number | bigint; type: DataType } | null {
  if (b.kind !== 'preceding' && b.kind !== 'following') return null;
  if (b.offset.kind !== 'literal') return null;
  const v = b.offset.value;
  if (typeof v !== 'number' && typeof v !== 'bigint') return null;
  return { at: b.kind === 'preceding' ? -v : v, type: b.offset.type };
}

function bindBound(
  env: ExprEnv,
  b: ast.FrameBound,
  units: 'rows' | 'range',
  orderBy: readonly SortOrder[],
  orderItems: readonly ast.OrderItem[],
  pos: number,
  location: 'lower' | 'upper',
): FrameBound {
  if (b.kind !== 'preceding' && b.kind !== 'following') return b;
  const x = foldConstant(env.state.ctx, bindExpr(env, b.offset));
  if (x.kind !== 'literal')
    frameMismatch(
      'SPECIFIED_WINDOW_FRAME_WITHOUT_FOLDABLE',
      `Window frame ${location} bound "${exprName(b.offset)}" is not a literal.`,
      b.offset.pos,
    );
  if (x.value === null)
    windowError('[INVALID_WINDOW_FRAME] Frame offsets must be non-null constants.', b.offset.pos);
  if (units === 'rows') {
    if (!isIntegral(x.type))
      windowError('[INVALID_WINDOW_FRAME] ROWS frame offsets must be integers.', b.offset.pos);
    return { kind: b.kind, offset: x };
  }
  if (orderBy.length === 0)
    frameMismatch(
      'RANGE_FRAME_WITHOUT_ORDER',
      'A range window frame cannot be used in an unordered window specification.',
      pos,
    );
  if (orderBy.length > 1)
    frameMismatch(
      'RANGE_FRAME_MULTI_ORDER',
      `A range window frame with value boundaries cannot be used in a window specification with multiple order by expressions: ${orderItems.map(sortOrderText).join(',')}.`,
      pos,
    );
  const keyType = exprType(orderBy[0]!.expr);
  if (!rangeOffsetFits(keyType, x.type))
    frameMismatch(
      'RANGE_FRAME_INVALID_TYPE',
      `The data type "${typeToString(keyType).toUpperCase()}" used in the order specification does not support the data type "${typeToString(x.type).toUpperCase()}" which is used in the range frame.`,
      b.offset.pos,
    );
  if (isNumeric(keyType)) return { kind: b.kind, offset: numericOffset(env, x, keyType) };
  if (keyType.kind === 'date' && isIntegral(x.type)) return { kind: b.kind, offset: castTo(x, T.int) };
  return { kind: b.kind, offset: x };
}

/**
 * A numeric RANGE offset as a literal of the key's type (Spark casts the offset to it: 0.5 for a
 * DECIMAL(3,1) key); frames are computed from literal offsets.
 */
function numericOffset(env: ExprEnv, x: Expr & { kind: 'literal' }, keyType: DataType): Expr {
  if (typesEqual(x.type, keyType)) return x;
  const ctx = {
    ansi: true,
    timeZone: env.state.ctx.timeZone,
    queryStartMicros: 0n,
    currentDatabase: '',
    currentUser: '',
  };
  return { kind: 'literal', value: castValue(x.value, x.type, keyType, 'ansi', ctx), type: keyType };
}

function boundText(b: ast.FrameBound): string {
  if (b.kind === 'preceding' || b.kind === 'following')
    return `${exprName(b.offset)} ${b.kind.toUpperCase()}`;
  return b.kind.replace('_', ' ').toUpperCase();
}

/**
 * A frame as Spark checks it (SpecifiedWindowFrame): UNBOUNDED FOLLOWING cannot start a frame nor
 * UNBOUNDED PRECEDING end one; two value bounds must be in order (`1 FOLLOWING AND 1 PRECEDING`
 * is an error). A frame whose other bound is CURRENT ROW or UNBOUNDED is accepted as it stands,
 * and may be empty: `1 FOLLOWING AND CURRENT ROW`, `-1 PRECEDING AND CURRENT ROW`.
 */
function bindFrame(
  env: ExprEnv,
  f: ast.WindowFrame,
  orderBy: readonly SortOrder[],
  orderItems: readonly ast.OrderItem[],
): WindowFrame {
  if (f.start.kind === 'unbounded_following' || f.end.kind === 'unbounded_preceding') {
    frameMismatch(
      'SPECIFIED_WINDOW_FRAME_INVALID_BOUND',
      `Window frame upper bound "${boundText(f.end)}" does not follow the lower bound "${boundText(f.start)}".`,
      f.pos,
    );
  }
  const start = bindBound(env, f.start, f.units, orderBy, orderItems, f.pos, 'lower');
  const end = bindBound(env, f.end, f.units, orderBy, orderItems, f.pos, 'upper');
  const lower = boundPosition(start);
  const upper = boundPosition(end);
  if (lower !== null && upper !== null && typesEqual(lower.type, upper.type) && lower.at > upper.at) {
    frameMismatch(
      'SPECIFIED_WINDOW_FRAME_WRONG_COMPARISON',
      'The lower bound of a window frame must be less than or equal to the upper bound.',
      f.pos,
    );
  }
  return { units: f.units, start, end };
}

export function bindWindowFunction(
  env: ExprEnv,
  e: ast.FunctionExpr,
  name: string,
  parts: readonly string[],
): Expr {
  if (!env.allowWindows) {
    if (env.insideAggregate) {
      throw analysisError(
        SqlState.nestedAggregate,
        `[NESTED_AGGREGATE_FUNCTION] A window function may not appear inside an aggregate function.`,
        e.pos,
      );
    }
    throw aggregateNotAllowed(env, `"${name}(…) OVER (…)"`, e.pos);
  }
  const inner: ExprEnv = { ...env, allowWindows: false };
  let fn: Expr & { kind: 'call' | 'aggregate' };
  const windowOnly = RANKING.has(name) || OFFSET.has(name) || VALUE.has(name);
  if (windowOnly) {
    fn = bindWindowCall(inner, e, name);
  } else {
    const def = lookupFunction(env, name, parts, e.pos);
    if (def.kind !== 'aggregate')
      windowError(
        `[UNSUPPORTED_EXPR_FOR_WINDOW] Expression "${name}" not supported within a window function.`,
        e.pos,
      );
    if (e.distinct)
      throw analysisError(
        SqlState.featureNotSupported,
        `[DISTINCT_WINDOW_FUNCTION_UNSUPPORTED] Distinct window functions are not supported: ${name}.`,
        e.pos,
      );
    fn = bindAggregateCall(inner, e, def, name, true);
  }
  const s = mergedSpec(env, e.over!);
  const partitionBy = s.partitionBy.map((p) => bindExpr(inner, p));
  const orderBy = s.orderBy.map((o) => bindSortOrder(inner, o));
  let frame: WindowFrame;
  if (RANKING.has(name) || OFFSET.has(name)) {
    if (orderBy.length === 0)
      windowError(
        `[WINDOW_FUNCTION_WITHOUT_ORDER] Window function ${name}() requires window to be ordered, please add ORDER BY clause.`,
        e.pos,
      );
    frame = { units: 'rows', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } };
  } else if (s.frame !== null) {
    frame = bindFrame(inner, s.frame, orderBy, s.orderBy);
  } else if (orderBy.length > 0) {
    frame = { units: 'range', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } };
  } else {
    frame = { units: 'rows', start: { kind: 'unbounded_preceding' }, end: { kind: 'unbounded_following' } };
  }
  const spec: WindowSpec = { partitionBy, orderBy, frame };
  return { kind: 'window', function: fn, spec, type: fn.type };
}
