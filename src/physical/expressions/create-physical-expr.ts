/**
 * Compiles a bound logical `Expr` into a `PhysicalExpr`: column ids become input positions, each
 * node becomes a batch-at-a-time evaluator over the kernels. CASE (and the lazy conditional
 * functions `if`, `coalesce`, `nvl`, `nvl2`, `ifnull`, `nullif`, `nanvl`) evaluate a branch that could raise
 * an error only on the rows that take it, so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never divides
 * by zero.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  changed,
  exists,
  makeBatch,
  transformUp,
  unchanged,
  typesEqual,
  unpackBits,
  valueAt,
  type DataType,
  type Schema,
  type Value,
} from '../../common/index.ts';
import type { Attribute, CaseExpr, Expr, LambdaFunction } from '../../plan/index.ts';
import { exprChildren, exprOps, exprToString, exprType } from '../../plan/index.ts';
import type {
  ColumnarValue,
  EvalContext,
  FunctionRegistry,
  OverflowMode,
  ScalarFunctionDef,
} from '../../functions/index.ts';
import { arithmetic, castColumnar, negate, validityBytes } from '../../functions/index.ts';
import type { ExprSpec, PhysicalExpr } from '../execution-plan.ts';
import { andOr, booleanTest } from '../kernels/boolean.ts';
import { compare } from '../kernels/comparison.ts';
import { inList } from '../kernels/in-list.ts';
import { selectMerge } from '../kernels/select-merge.ts';
import { filterBatch } from '../batch/filter.ts';
import { take } from '../batch/take.ts';
import { compileDecimalTree } from './decimal-tree.ts';
import { compileHigherOrder, type LambdaEvaluator } from './higher-order.ts';

type Evaluator = (batch: arrow.RecordBatch, ctx: EvalContext) => ColumnarValue;

interface Binder {
  readonly positions: ReadonlyMap<number, number>;
  /** Inside a lambda's body: the position of each lambda parameter it reads, by id. */
  readonly lambdaPositions?: ReadonlyMap<number, number>;
  /** The type of each column of the batches evaluated, by position. */
  readonly inputTypes: readonly DataType[];
  readonly registry: FunctionRegistry;
  /**
   * Subexpressions that occur more than once among expressions evaluated over the same batches
   * (`createPhysicalExprs`): their canonical key → the one evaluator they share once compiled.
   */
  readonly common?: Map<string, Evaluator | null>;
}

function internal(message: string): EngineError {
  return new EngineError(SqlState.internalError, `internal error: ${message}`);
}

class CompiledExpr implements PhysicalExpr {
  readonly type: DataType;
  readonly nullable: boolean;
  /** Undefined when the expression calls a `local` function: it stays in this thread. */
  readonly spec: ExprSpec | undefined;
  readonly deterministic: boolean;
  readonly #eval: Evaluator;
  readonly #text: string;
  constructor(
    type: DataType,
    nullable: boolean,
    evaluator: Evaluator,
    text: string,
    spec: ExprSpec | undefined,
    deterministic: boolean,
  ) {
    this.type = type;
    this.nullable = nullable;
    this.#eval = evaluator;
    this.#text = text;
    this.spec = spec;
    this.deterministic = deterministic;
  }
  evaluate(batch: arrow.RecordBatch, ctx: EvalContext): ColumnarValue {
    return this.#eval(batch, ctx);
  }
  toString(): string {
    return this.#text;
  }
}

export function createPhysicalExpr(
  expr: Expr,
  input: readonly Attribute[],
  registry: FunctionRegistry,
): PhysicalExpr {
  return createPhysicalExprs([expr], input, registry)[0]!;
}

/**
 * Compiles expressions that are evaluated over the same batches (an aggregate's arguments): a
 * deterministic subexpression that occurs more than once among them — TPC-H Q1's
 * `l_extendedprice * (1 - l_discount)`, alone and inside `… * (1 + l_tax)` — is computed once
 * per batch and its result shared.
 */
export function createPhysicalExprs(
  exprs: readonly Expr[],
  input: readonly Attribute[],
  registry: FunctionRegistry,
): PhysicalExpr[] {
  const positions = new Map<number, number>();
  input.forEach((a, i) => {
    if (!positions.has(a.id)) positions.set(a.id, i);
  });
  const common = exprs.length > 1 ? commonSubexpressions(exprs, registry) : null;
  const binder: Binder = {
    positions,
    inputTypes: input.map((a) => a.type),
    registry,
    ...(common === null || common.size === 0 ? {} : { common }),
  };
  return exprs.map((expr) => compileOne(expr, binder, positions));
}

function compileOne(expr: Expr, binder: Binder, positions: ReadonlyMap<number, number>): PhysicalExpr {
  const registry = binder.registry;
  const evaluator = compile(expr, binder);
  const text = exprToString(expr, (a) => `${a.name}@${positions.get(a.id) ?? '?'}`);
  const spec: ExprSpec | undefined = callsLocal(expr, registry)
    ? undefined
    : { expr: positional(expr, positions), inputTypes: binder.inputTypes };
  return new CompiledExpr(
    exprType(expr),
    isNullable(expr),
    evaluator,
    text,
    spec,
    isDeterministic(expr, registry),
  );
}

/** A subexpression's identity: its structure, literal values included. */
function exprKey(e: Expr): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** The keys of the deterministic, computed (not column or literal) subexpressions seen twice or more. */
function commonSubexpressions(
  exprs: readonly Expr[],
  registry: FunctionRegistry,
): Map<string, Evaluator | null> {
  const seen = new Map<string, number>();
  const visit = (e: Expr): void => {
    exists(exprOps, e, (x) => {
      if (x.kind === 'column' || x.kind === 'literal') return false;
      const key = exprKey(x);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      return false;
    });
  };
  for (const e of exprs) {
    if (isDeterministic(e, registry)) visit(e);
  }
  const common = new Map<string, Evaluator | null>();
  for (const [key, count] of seen) if (count > 1) common.set(key, null);
  return common;
}

/** `evaluator`, remembering its result for the last batch it saw. */
function memoized(evaluator: Evaluator): Evaluator {
  let lastBatch: arrow.RecordBatch | null = null;
  let lastValue: ColumnarValue | null = null;
  return (batch, ctx) => {
    if (batch === lastBatch) return lastValue!;
    const value = evaluator(batch, ctx);
    lastBatch = batch;
    lastValue = value;
    return value;
  };
}

/** Whether a call inside reaches the session (pg_cancel_backend): such an expression is not data. */
function callsLocal(expr: Expr, registry: FunctionRegistry): boolean {
  return exists(exprOps, expr, (e) => {
    if (e.kind !== 'call') return false;
    const def = registry.lookup(e.name);
    return def?.kind === 'scalar' && def.local === true;
  });
}

/** No call inside is to a function the registry marks non-deterministic (rand(), uuid(), …). */
function isDeterministic(expr: Expr, registry: FunctionRegistry): boolean {
  return !exists(exprOps, expr, (e) => {
    if (e.kind !== 'call') return false;
    const def = registry.lookup(e.name);
    return def === undefined || (def.kind === 'scalar' && def.deterministic === false);
  });
}

/** The expression with each column's id replaced by its input position (ids stay unique per column). */
function positional(expr: Expr, positions: ReadonlyMap<number, number>): Expr {
  return transformUp(exprOps, expr, (e) => {
    if (e.kind !== 'column') return unchanged(e);
    const pos = positions.get(e.attr.id);
    if (pos === undefined || pos === e.attr.id) return unchanged(e);
    return changed<Expr>({ kind: 'column', attr: { ...e.attr, id: pos } });
  }).node;
}

/** Rebuilds a physical expression from its plain-data form (in any thread). */
export function compileExprSpec(spec: ExprSpec, registry: FunctionRegistry): PhysicalExpr {
  return compileExprSpecs([spec], registry)[0]!;
}

/** Rebuilds expressions over the same input (`createPhysicalExprs`: common parts shared). */
export function compileExprSpecs(specs: readonly ExprSpec[], registry: FunctionRegistry): PhysicalExpr[] {
  if (specs.length === 0) return [];
  const inputTypes = specs[0]!.inputTypes;
  const sameInput = specs.every(
    (s) =>
      s.inputTypes.length === inputTypes.length &&
      s.inputTypes.every((t, i) => typesEqual(t, inputTypes[i]!)),
  );
  if (!sameInput) return specs.map((s) => compileExprSpec(s, registry));
  const input: Attribute[] = inputTypes.map((type, id) => ({
    id,
    name: `c${id}`,
    type,
    nullable: true,
    qualifier: null,
  }));
  return createPhysicalExprs(
    specs.map((s) => s.expr),
    input,
    registry,
  );
}

/** Conservative nullability of an expression. */
export function isNullable(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
      return e.value === null;
    case 'column':
      return e.attr.nullable;
    case 'binary':
      if (e.op === '<=>') return false;
      if (!e.failOnError || e.op === '/' || e.op === '%' || e.op === 'div') return true;
      return isNullable(e.left) || isNullable(e.right);
    case 'unary':
      if (e.op === 'not' || e.op === 'negate') return isNullable(e.input);
      return false;
    case 'cast':
      return e.mode !== 'ansi' || isNullable(e.input);
    case 'in_list':
      return isNullable(e.input) || e.list.some(isNullable);
    case 'call':
    case 'higher_order':
      return e.nullable;
    case 'lambda_var':
      return e.variable.nullable;
    default:
      return true;
  }
}

/** Whether evaluating `e` on a row it should not see could raise an error. */
export function canRaise(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
    case 'column':
    case 'lambda_var':
      return false;
    case 'binary': {
      const t = exprType(e.left);
      const addSubMul = e.op === '+' || e.op === '-' || e.op === '*';
      // interval arithmetic raises on overflow even with ANSI off, as in Spark
      const isInterval = t.kind === 'interval_day_time' || t.kind === 'interval_year_month';
      const risky =
        (e.failOnError &&
          (e.op === '/' ||
            e.op === '%' ||
            e.op === 'div' ||
            (addSubMul && t.kind !== 'double' && t.kind !== 'float'))) ||
        (addSubMul && isInterval);
      return risky || canRaise(e.left) || canRaise(e.right);
    }
    case 'unary':
      return (
        (e.op === 'negate' &&
          (e.failOnError || e.type.kind === 'interval_day_time' || e.type.kind === 'interval_year_month')) ||
        canRaise(e.input)
      );
    case 'cast': {
      const from = exprType(e.input);
      const safe =
        e.mode !== 'ansi' ||
        typesEqual(from, e.type) ||
        from.kind === 'null' ||
        e.type.kind === 'string' ||
        (from.kind !== 'string' &&
          (e.type.kind === 'double' ||
            (e.type.kind === 'bigint' &&
              (from.kind === 'int' || from.kind === 'smallint' || from.kind === 'tinyint'))));
      return !safe || canRaise(e.input);
    }
    case 'case':
      return (
        e.branches.some((b) => canRaise(b.when) || canRaise(b.then)) ||
        (e.otherwise !== null && canRaise(e.otherwise))
      );
    case 'in_list':
      return canRaise(e.input) || e.list.some(canRaise);
    case 'call':
      return e.failOnError || e.args.some(canRaise);
    default:
      return true;
  }
}

function compile(e: Expr, b: Binder): Evaluator {
  const common = b.common;
  if (common !== undefined && e.kind !== 'column' && e.kind !== 'literal') {
    const key = exprKey(e);
    if (common.has(key)) {
      let shared = common.get(key) ?? null;
      if (shared === null) {
        shared = memoized(compileNode(e, b));
        common.set(key, shared);
      }
      return shared;
    }
  }
  return compileNode(e, b);
}

function compileNode(e: Expr, b: Binder): Evaluator {
  switch (e.kind) {
    case 'literal': {
      const value: ColumnarValue = { kind: 'scalar', value: e.value, type: e.type };
      return () => value;
    }
    case 'column': {
      const pos = b.positions.get(e.attr.id);
      if (pos === undefined) throw internal(`column ${e.attr.name}#${e.attr.id} is not in the input`);
      return (batch) => ({ kind: 'array', data: batch.data.children[pos]! });
    }
    case 'binary': {
      const left = compile(e.left, b);
      const right = compile(e.right, b);
      const lt = exprType(e.left);
      const rt = exprType(e.right);
      switch (e.op) {
        case '+':
        case '-':
        case '*':
        case '/':
        case '%':
        case 'div': {
          const op = e.op;
          const type = e.type;
          // ANSI off: integral overflow wraps around as in Spark's legacy mode (try_* are calls).
          const mode: OverflowMode = e.failOnError ? 'error' : 'wrap';
          const nodeByNode: Evaluator = (batch, ctx) =>
            arithmetic(op, left(batch, ctx), right(batch, ctx), lt, rt, type, batch.numRows, mode);
          const shared = (x: Expr): boolean => b.common?.has(exprKey(x)) === true;
          return compileDecimalTree(e, (x) => compile(x, b), nodeByNode, shared) ?? nodeByNode;
        }
        case '=':
        case '<>':
        case '<':
        case '<=':
        case '>':
        case '>=':
        case '<=>': {
          const op = e.op;
          return (batch, ctx) => compare(op, left(batch, ctx), right(batch, ctx), lt, batch.numRows);
        }
        case 'and':
        case 'or': {
          const op = e.op;
          return (batch, ctx) => andOr(op, left(batch, ctx), right(batch, ctx), batch.numRows);
        }
      }
      break;
    }
    case 'unary': {
      const input = compile(e.input, b);
      if (e.op === 'negate') {
        const type = e.type;
        const mode: OverflowMode = e.failOnError ? 'error' : 'wrap';
        return (batch, ctx) => negate(input(batch, ctx), type, batch.numRows, mode);
      }
      const op = e.op;
      return (batch, ctx) => booleanTest(op, input(batch, ctx), batch.numRows);
    }
    case 'cast': {
      const input = compile(e.input, b);
      const from = exprType(e.input);
      const to = e.type;
      const mode = e.mode;
      return (batch, ctx) => castColumnar(input(batch, ctx), from, to, mode, batch.numRows, ctx);
    }
    case 'case':
      return compileCase(e, b);
    case 'in_list': {
      const input = compile(e.input, b);
      const type = exprType(e.input);
      const nested = type.kind === 'struct' || type.kind === 'array' || type.kind === 'map';
      if (!nested && e.list.every((x) => x.kind === 'literal')) {
        const items = e.list.map((x) => (x as { value: Value }).value);
        const negated = e.negated;
        return (batch, ctx) => inList(input(batch, ctx), items, type, negated, batch.numRows);
      }
      // general lists and nested values: an OR of equalities (NOT of it when negated)
      const eqs = e.list.map((x) => compile(x, b));
      const negated = e.negated;
      return (batch, ctx) => {
        const v = input(batch, ctx);
        let acc: ColumnarValue = { kind: 'scalar', value: false, type: { kind: 'boolean' } };
        for (const item of eqs)
          acc = andOr('or', acc, compare('=', v, item(batch, ctx), type, batch.numRows), batch.numRows);
        return negated ? booleanTest('not', acc, batch.numRows) : acc;
      };
    }
    case 'call':
      return compileCall(e, b);
    case 'lambda_var': {
      const pos = b.lambdaPositions?.get(e.variable.id);
      if (pos === undefined) throw internal(`lambda variable ${e.variable.name} is not bound`);
      return (batch) => ({ kind: 'array', data: batch.data.children[pos]! });
    }
    case 'higher_order':
      return compileHigherOrder(
        e,
        e.args.map((a) => compile(a, b)),
        e.lambdas.map((l) => compileLambda(l, b)),
      );
    case 'scalar_subquery':
      // The session runs uncorrelated scalar subqueries first and substitutes their values; a plan
      // that still holds one can be explained but not run.
      return () => {
        throw internal('a scalar subquery reached execution without being computed first');
      };
    case 'aggregate':
    case 'window':
    case 'exists':
    case 'in_subquery':
    case 'outer_ref':
    case 'parameter':
      throw internal(`${e.kind} expressions cannot be evaluated by a physical expression`);
  }
  throw internal(`unhandled expression ${(e as Expr).kind}`);
}

/** Columns and lambda parameters `e` reads that are not bound inside it (`bound`: ids bound around it). */
function collectFree(e: Expr, bound: ReadonlySet<number>, columns: Set<number>, vars: Set<number>): void {
  if (e.kind === 'column') columns.add(e.attr.id);
  else if (e.kind === 'lambda_var') {
    if (!bound.has(e.variable.id)) vars.add(e.variable.id);
  } else if (e.kind === 'higher_order') {
    for (const a of e.args) collectFree(a, bound, columns, vars);
    for (const l of e.lambdas) {
      collectFree(l.body, new Set([...bound, ...l.params.map((p) => p.id)]), columns, vars);
    }
  } else {
    for (const c of exprChildren(e)) collectFree(c, bound, columns, vars);
  }
}

/**
 * A lambda's body compiled over batches of elements: the columns and enclosing parameters the
 * body reads come first (gathered from the current batch, one row per element), then the
 * lambda's own parameters.
 */
function compileLambda(l: LambdaFunction, b: Binder): LambdaEvaluator {
  const columns = new Set<number>();
  const vars = new Set<number>();
  collectFree(l.body, new Set(l.params.map((p) => p.id)), columns, vars);
  const sources: number[] = [];
  const positions = new Map<number, number>();
  const lambdaPositions = new Map<number, number>();
  for (const id of columns) {
    const pos = b.positions.get(id);
    if (pos === undefined) throw internal(`column #${id} of a lambda is not in the input`);
    positions.set(id, sources.length);
    sources.push(pos);
  }
  for (const id of vars) {
    const pos = b.lambdaPositions?.get(id);
    if (pos === undefined) throw internal(`lambda variable #${id} is not bound`);
    lambdaPositions.set(id, sources.length);
    sources.push(pos);
  }
  l.params.forEach((p, i) => lambdaPositions.set(p.id, sources.length + i));
  const sourceTypes = sources.map((pos) => b.inputTypes[pos]!);
  const inputTypes = [...sourceTypes, ...l.params.map((p) => p.type)];
  const body = compile(l.body, { positions, lambdaPositions, inputTypes, registry: b.registry });
  const schema: Schema = { fields: inputTypes.map((type, i) => ({ name: `_${i}`, type, nullable: true })) };
  return (batch, rows, params, count, ctx) => {
    const cols = sources.map((pos, k) => take(batch.data.children[pos]!, sourceTypes[k]!, rows, count));
    return body(makeBatch(schema, [...cols, ...params], count), ctx);
  };
}

const LAZY = new Set(['if', 'iff', 'coalesce', 'nvl', 'ifnull', 'nvl2', 'nullif', 'nanvl', 'decode']);

function compileCall(e: Expr & { kind: 'call' }, b: Binder): Evaluator {
  if (LAZY.has(e.name) && e.args.some(canRaise)) {
    const asCase = lazyAsCase(e);
    if (asCase !== undefined) return compileCase(asCase, b);
  }
  const def = b.registry.lookup(e.name);
  if (def === undefined || def.kind !== 'scalar') throw internal(`unknown scalar function ${e.name}`);
  const fn: ScalarFunctionDef = def;
  const args = e.args.map((a) => compile(a, b));
  const type = e.type;
  return (batch, ctx) => {
    const values = args.map((a) => a(batch, ctx));
    return fn.evaluate(values, batch.numRows, type, ctx);
  };
}

function isNullTest(x: Expr, op: 'is_null' | 'is_not_null'): Expr {
  return { kind: 'unary', op, input: x, type: { kind: 'boolean' }, failOnError: false };
}

/** if/coalesce/nvl/nvl2/nanvl and decode's search form as a CASE so their branches evaluate lazily. */
function lazyAsCase(e: Expr & { kind: 'call' }): CaseExpr | undefined {
  const a = e.args;
  const type = e.type;
  switch (e.name) {
    case 'if':
    case 'iff':
      return { kind: 'case', branches: [{ when: a[0]!, then: a[1]! }], otherwise: a[2]!, type };
    case 'coalesce':
    case 'nvl':
    case 'ifnull':
      return {
        kind: 'case',
        branches: a.slice(0, -1).map((x) => ({ when: isNullTest(x, 'is_not_null'), then: x })),
        otherwise: a[a.length - 1] ?? null,
        type,
      };
    case 'nvl2':
      return {
        kind: 'case',
        branches: [{ when: isNullTest(a[0]!, 'is_not_null'), then: a[1]! }],
        otherwise: a[2]!,
        type,
      };
    case 'nanvl': {
      // The second argument only for a NaN first one (NULL stays NULL).
      const isNan: Expr = {
        kind: 'call',
        name: 'isnan',
        args: [a[0]!],
        type: { kind: 'boolean' },
        nullable: false,
        failOnError: false,
      };
      return { kind: 'case', branches: [{ when: isNan, then: a[1]! }], otherwise: a[0]!, type };
    }
    case 'decode': {
      // decode(expr, search, result [, search, result]… [, default]): NULL matches NULL.
      if (a.length < 3) return undefined;
      const branches: { when: Expr; then: Expr }[] = [];
      for (let i = 1; i + 1 < a.length; i += 2) {
        branches.push({
          when: {
            kind: 'binary',
            op: '<=>',
            left: a[0]!,
            right: a[i]!,
            type: { kind: 'boolean' },
            failOnError: false,
          },
          then: a[i + 1]!,
        });
      }
      return { kind: 'case', branches, otherwise: a.length % 2 === 0 ? a[a.length - 1]! : null, type };
    }
    default:
      return undefined;
  }
}

function compileCase(e: CaseExpr, b: Binder): Evaluator {
  const whens = e.branches.map((x) => ({ fn: compile(x.when, b), risky: canRaise(x.when) }));
  const thens = e.branches.map((x) => ({ fn: compile(x.then, b), risky: canRaise(x.then) }));
  const otherwise =
    e.otherwise === null ? null : { fn: compile(e.otherwise, b), risky: canRaise(e.otherwise) };
  const type = e.type;
  const inputTypes = b.inputTypes;
  const boolType: DataType = { kind: 'boolean' };

  /** Evaluates `f` on the rows of `mask` (1 = needed) only, when it could raise; full length result. */
  const onRows = (
    f: Evaluator,
    risky: boolean,
    batch: arrow.RecordBatch,
    ctx: EvalContext,
    mask: Uint8Array,
    count: number,
    t: DataType,
  ): ColumnarValue => {
    const n = batch.numRows;
    if (!risky || count === n) return f(batch, ctx);
    const sub = filterBatch(batch, inputTypes, mask);
    const r = f(sub, ctx);
    if (r.kind === 'scalar') return r;
    const idx = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) if (mask[i] === 1) idx[i] = k++;
    return { kind: 'array', data: take(r.data, t, idx, n) };
  };

  return (batch, ctx) => {
    const n = batch.numRows;
    if (n === 0 || (batch.numCols === 0 && n === 1)) return caseRowAtATime(batch, ctx);
    const choice = new Int32Array(n).fill(-1);
    const remaining = new Uint8Array(n).fill(1);
    let remainingCount = n;
    const candidates: ColumnarValue[] = [];
    for (let k = 0; k < whens.length && remainingCount > 0; k++) {
      const cond = onRows(whens[k]!.fn, whens[k]!.risky, batch, ctx, remaining, remainingCount, boolType);
      const take1 = new Uint8Array(n);
      let count = 0;
      if (cond.kind === 'scalar') {
        if (cond.value === true) {
          take1.set(remaining);
          count = remainingCount;
        }
      } else {
        const bits = unpackBits(cond.data);
        const valid = validityBytes(cond.data);
        for (let i = 0; i < n; i++) {
          if (remaining[i] === 1 && bits[i] === 1 && (valid === null || valid[i] === 1)) {
            take1[i] = 1;
            count++;
          }
        }
      }
      if (count === 0) continue;
      const value = onRows(thens[k]!.fn, thens[k]!.risky, batch, ctx, take1, count, type);
      const idx = candidates.length;
      candidates.push(value);
      for (let i = 0; i < n; i++) {
        if (take1[i] === 1) {
          choice[i] = idx;
          remaining[i] = 0;
        }
      }
      remainingCount -= count;
    }
    if (remainingCount > 0 && otherwise !== null) {
      const value = onRows(otherwise.fn, otherwise.risky, batch, ctx, remaining, remainingCount, type);
      const idx = candidates.length;
      candidates.push(value);
      for (let i = 0; i < n; i++) if (remaining[i] === 1) choice[i] = idx;
    }
    if (candidates.length === 1 && remainingCount === 0 && choice.every((c) => c === 0)) {
      const only = candidates[0]!;
      return only;
    }
    return { kind: 'array', data: selectMerge(choice, candidates, type, n) };
  };

  function caseRowAtATime(batch: arrow.RecordBatch, ctx: EvalContext): ColumnarValue {
    if (batch.numRows === 0) return { kind: 'array', data: selectMerge(new Int32Array(0), [], type, 0) };
    for (let k = 0; k < whens.length; k++) {
      const c = whens[k]!.fn(batch, ctx);
      const v = c.kind === 'scalar' ? c.value : valueAt(c.data, boolType, 0);
      if (v === true) return thens[k]!.fn(batch, ctx);
    }
    if (otherwise !== null) return otherwise.fn(batch, ctx);
    return { kind: 'scalar', value: null, type };
  }
}

/** Evaluates a column-free expression (constant folding). */
export function evaluateConstant(expr: Expr, ctx: EvalContext, registry: FunctionRegistry): Value {
  const physical = createPhysicalExpr(expr, [], registry);
  const batch = makeBatch({ fields: [] }, [], 1);
  const r = physical.evaluate(batch, ctx);
  if (r.kind === 'scalar') return r.value;
  return valueAt(r.data, physical.type, 0);
}

/** An EvalContext for tests: ANSI on, UTC, a fixed query start (2024-01-15 10:30:00 UTC). */
export function defaultEvalContext(overrides: Partial<EvalContext> = {}): EvalContext {
  return {
    ansi: true,
    timeZone: 'UTC',
    queryStartMicros: 1705314600000000n,
    currentDatabase: 'default',
    currentUser: 'kindling',
    ...overrides,
  };
}

/** The input position a plain column reference reads; null for any other expression. */
export function columnPosition(e: PhysicalExpr): number | null {
  const x = e.spec?.expr;
  return x !== undefined && x.kind === 'column' ? x.attr.id : null;
}

/** A reference to column `position` of batches of `schema`. */
export function columnExpr(schema: Schema, position: number): PhysicalExpr {
  const field = schema.fields[position];
  if (field === undefined) throw internal(`no column ${position} to reference`);
  const attr: Attribute = {
    id: position,
    name: field.name,
    type: field.type,
    nullable: field.nullable,
    qualifier: null,
  };
  const spec: ExprSpec = { expr: { kind: 'column', attr }, inputTypes: schema.fields.map((f) => f.type) };
  return new CompiledExpr(
    field.type,
    field.nullable,
    (batch) => ({ kind: 'array', data: batch.data.children[position]! }),
    `${field.name}@${position}`,
    spec,
    true,
  );
}
