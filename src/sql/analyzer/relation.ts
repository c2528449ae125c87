/**
 * FROM binding: tables (fresh attribute ids per reference), views, CTE references, subqueries,
 * inline VALUES, joins (ON, USING, NATURAL; outer-join nullability; semi/anti joins), and the
 * PIVOT, UNPIVOT and TABLESAMPLE that extend a FROM item (pivot.ts, unpivot.ts, table-sample.ts).
 */
import { EngineError, SqlState, T, typesEqual } from '../../common/index.ts';
import {
  exprType,
  outputOf,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import { findCte, type BindState, type CteEnv, type ExprEnv } from './binder-state.ts';
import { bindComparison, commonType, toBoolean } from './coercion.ts';
import { analysisError, quoteIdent, tableNotFound, unresolvedColumn } from './errors.ts';
import { castTo, exprNullable, foldLiteralCast } from './expr-utils.ts';
import { bindExpr, nameParts } from './expression.ts';
import { Scope, scopeColumns, type ScopeColumn } from './scope.ts';
import { asGeneratorCall, bindGenerate } from './generator.ts';
import { bindSetFunction, bindTableFunction, isSetFunctionRelation } from './table-functions.ts';
import { functionName } from './function-call.ts';
import { bindPivot } from './pivot.ts';
import { bindSample } from './table-sample.ts';
import { bindUnpivot } from './unpivot.ts';

export interface BoundRelation {
  readonly plan: LogicalPlan;
  readonly columns: readonly ScopeColumn[];
}

export interface RelationEnv {
  readonly state: BindState;
  readonly ctes: CteEnv | null;
  readonly outer: Scope | null;
}

export function exprEnv(env: RelationEnv, scope: Scope, clause: ExprEnv['clause']): ExprEnv {
  return {
    state: env.state,
    scope,
    ctes: env.ctes,
    clause,
    allowAggregates: false,
    insideAggregate: false,
    allowWindows: false,
    aliases: null,
    aliasFirst: false,
    namedWindows: null,
  };
}

/** New output names for a plan (`AS t(a, b)`, CTE and view column lists): a Project with fresh ids. */
export function renameColumns(
  state: BindState,
  plan: LogicalPlan,
  names: readonly string[],
  pos: number,
): LogicalPlan {
  const out = outputOf(plan);
  if (names.length !== out.length) {
    throw analysisError(
      SqlState.assignmentArityMismatch,
      `[ASSIGNMENT_ARITY_MISMATCH] Number of column aliases does not match number of columns. Number of column aliases: ${names.length}; number of columns: ${out.length}.`,
      pos,
    );
  }
  const exprs: NamedExpr[] = out.map((a, i) => ({
    expr: { kind: 'column', attr: a },
    attr: { ...a, id: state.ctx.nextId(), name: names[i]!, qualifier: null },
  }));
  return { kind: 'Project', input: plan, exprs };
}

function aliased(
  state: BindState,
  plan: LogicalPlan,
  alias: ast.TableAlias | null,
  defaultPath: readonly string[],
): BoundRelation {
  let p = plan;
  if (alias?.columns != null)
    p = renameColumns(
      state,
      p,
      alias.columns.map((c) => c.name),
      alias.pos,
    );
  const path = alias !== null ? [alias.name.name] : defaultPath;
  return { plan: p, columns: scopeColumns(outputOf(p), path) };
}

function bindTable(env: RelationEnv, rel: ast.TableRelation): BoundRelation {
  const parts = nameParts(rel.name);
  const state = env.state;
  if (parts.length === 1) {
    const cte = findCte(env.ctes, parts[0]!);
    if (cte !== undefined) return aliased(state, cte.instantiate(rel.pos), rel.alias, [parts[0]!]);
  }
  const found = state.ctx.catalog.lookupRelation(parts);
  if (found === undefined) {
    const names = [...state.ctx.catalog.relationNames()];
    for (let e = env.ctes; e !== null; e = e.parent) names.push(e.entry.name);
    throw tableNotFound(parts, names, rel.name.pos);
  }
  if (found.kind === 'view') {
    let plan = state.bindSubquery(found.query, null, null);
    if (found.columns !== null) plan = renameColumns(state, plan, found.columns, rel.pos);
    const columns = outputOf(plan).map((a) => ({ expr: { kind: 'column', attr: a } as const, attr: a }));
    plan = { kind: 'Project', input: plan, exprs: columns, view: found.name };
    return aliased(state, plan, rel.alias, [found.name[found.name.length - 1] ?? parts[parts.length - 1]!]);
  }
  if (found.kind === 'rows') {
    const qualifier = rel.alias?.name.name ?? found.name[found.name.length - 1]!;
    const output: Attribute[] = found.columns.map((f) => ({
      id: state.ctx.nextId(),
      name: f.name,
      type: f.type,
      nullable: f.nullable,
      qualifier,
    }));
    const tableOid = found.tableOid;
    if (tableOid === undefined || rel.alias?.columns != null)
      return aliased(state, { kind: 'Values', output, rows: found.rows }, rel.alias, found.name);
    // `tableoid`: one more column, which only a query that names it sees.
    const system: Attribute = {
      id: state.ctx.nextId(),
      name: 'tableoid',
      type: T.int,
      nullable: false,
      qualifier,
    };
    const plan: LogicalPlan = {
      kind: 'Values',
      output: [...output, system],
      rows: found.rows.map((r) => [...r, tableOid]),
    };
    const bound = aliased(state, plan, rel.alias, found.name);
    return {
      plan: bound.plan,
      columns: bound.columns.map((c) => (c.attr.id === system.id ? { ...c, hidden: true, system: true } : c)),
    };
  }
  const source = found.source;
  const qualifier =
    rel.alias?.name.name ?? source.qualifiedName[source.qualifiedName.length - 1] ?? parts[parts.length - 1]!;
  const tableOutput: Attribute[] = source.schema.fields.map((f) => ({
    id: state.ctx.nextId(),
    name: f.name,
    type: f.type,
    nullable: f.nullable,
    qualifier,
  }));
  const plan: LogicalPlan = {
    kind: 'Scan',
    table: source,
    tableOutput,
    projection: null,
    filters: [],
    limit: null,
    alias: rel.alias?.name.name ?? null,
  };
  // Columns answer to the table's catalog name, or to the qualified name written (a client's
  // `"public"."nation"."n_name"` after `FROM "public"."nation"`, where public names the database).
  const path = parts.length > 1 || source.qualifiedName.length === 0 ? parts : source.qualifiedName;
  return aliased(state, plan, rel.alias, path);
}

/** VALUES rows: one common type per column; literal rows become a Values node, others a UNION ALL of projections. */
export function bindValues(
  env: RelationEnv,
  rows: readonly (readonly ast.Expr[])[],
  pos: number,
  names?: readonly string[],
): LogicalPlan {
  const state = env.state;
  const xenv = exprEnv(env, new Scope([], env.outer), 'values');
  const width = rows[0]?.length ?? 0;
  const bound = rows.map((r, i) => {
    if (r.length !== width) {
      throw analysisError(
        SqlState.syntaxErrorOrAccessRuleViolation,
        `[INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH] Invalid inline table. Inline table expected ${width} columns but found ${r.length} columns in row ${i}.`,
        r[0]?.pos ?? pos,
      );
    }
    return r.map((x) => bindExpr(xenv, x));
  });
  const types = Array.from({ length: width }, (_, c) => {
    const t = commonType(
      bound.map((r) => r[c]!),
      'VALUES',
      pos,
    );
    return t.kind === 'null' ? T.null : t;
  });
  const colName = (c: number): string => names?.[c] ?? `col${c + 1}`;
  const output: Attribute[] = types.map((t, c) => ({
    id: state.ctx.nextId(),
    name: colName(c),
    type: t,
    nullable: bound.some((r) => exprNullable(r[c]!)),
    qualifier: null,
  }));
  const literalRows = bound.map((r) =>
    r.map((x, c) =>
      x.kind === 'literal' ? foldLiteralCast(x.value, x.type, types[c]!, state.ctx.timeZone) : undefined,
    ),
  );
  if (literalRows.every((r) => r.every((v) => v !== undefined))) {
    return { kind: 'Values', output, rows: literalRows };
  }
  const one: LogicalPlan = { kind: 'Values', output: [], rows: [[]] };
  const projections: LogicalPlan[] = bound.map((r) => ({
    kind: 'Project',
    input: one,
    exprs: r.map((x, c) => ({ expr: castTo(x, types[c]!), attr: { ...output[c]!, id: state.ctx.nextId() } })),
  }));
  if (projections.length === 1) {
    const p = projections[0]!;
    return p.kind === 'Project' ? { ...p, exprs: p.exprs.map((e, c) => ({ ...e, attr: output[c]! })) } : p;
  }
  return projections
    .slice(1)
    .reduce<LogicalPlan>(
      (acc, p) => ({ kind: 'SetOp', op: 'union', all: true, left: acc, right: p, output }),
      projections[0]!,
    );
}

function nullableColumns(cols: readonly ScopeColumn[]): ScopeColumn[] {
  return cols.map((c) => (c.attr.nullable ? c : { ...c, attr: { ...c.attr, nullable: true } }));
}

function and(l: Expr, r: Expr, ansi: boolean): Expr {
  return { kind: 'binary', op: 'and', left: l, right: r, type: T.boolean, failOnError: ansi };
}

function bindJoin(env: RelationEnv, j: ast.JoinRelation): BoundRelation {
  return bindJoinTail(env, bindRelation(env, j.left, null), j);
}

/** A join of rows already bound (`left`) with the relation `j` names (a pipe's `|> JOIN …` too). */
export function bindJoinTail(env: RelationEnv, left: BoundRelation, j: ast.JoinTail): BoundRelation {
  const state = env.state;
  const ansi = state.ctx.ansi;
  const right = bindRelation(env, j.right, left.columns);
  let joinType = j.joinType;
  if (joinType === 'cross' && j.condition !== null) joinType = 'inner';
  const leftCols = joinType === 'right' || joinType === 'full' ? nullableColumns(left.columns) : left.columns;
  const rightCols =
    joinType === 'left' || joinType === 'full' ? nullableColumns(right.columns) : right.columns;
  const both = new Scope([...left.columns, ...right.columns], env.outer);
  const usingNames: string[] | null = j.natural
    ? left.columns
        .filter(
          (c) =>
            !c.hidden &&
            right.columns.some((r) => !r.hidden && r.attr.name.toLowerCase() === c.attr.name.toLowerCase()),
        )
        .map((c) => c.attr.name)
    : j.condition?.kind === 'using'
      ? j.condition.columns.map((c) => c.name)
      : null;
  if (usingNames === null) {
    let condition: Expr | null = null;
    if (j.condition?.kind === 'on') {
      condition = toBoolean(
        bindExpr(exprEnv(env, both, 'join'), j.condition.expr),
        'JOIN ON',
        j.condition.expr.pos,
      );
    }
    const plan: LogicalPlan = {
      kind: 'Join',
      left: left.plan,
      right: right.plan,
      joinType,
      condition,
      mark: null,
      nullAware: false,
    };
    const columns =
      joinType === 'left_semi' || joinType === 'left_anti' ? left.columns : [...leftCols, ...rightCols];
    return { plan, columns };
  }
  // USING / NATURAL
  const pos = j.condition?.kind === 'using' ? (j.condition.columns[0]?.pos ?? j.pos) : j.pos;
  const leftScope = new Scope(left.columns, null);
  const rightScope = new Scope(right.columns, null);
  const pairs = usingNames.map((n, i) => {
    const p = j.condition?.kind === 'using' ? j.condition.columns[i]!.pos : pos;
    const l = leftScope.lookup([n], p);
    const r = rightScope.lookup([n], p);
    if (l === undefined || r === undefined) {
      const side = l === undefined ? left : right;
      const err = unresolvedColumn(
        [n],
        side.columns.map((c) => c.attr.name),
        p,
      );
      throw new EngineError(
        SqlState.undefinedColumn,
        err.message.replace(
          /^\[UNRESOLVED_COLUMN\.[A-Z_]+\] A column, variable, or function parameter with name/,
          `[UNRESOLVED_USING_COLUMN_FOR_JOIN] USING column ${quoteIdent(n)} cannot be resolved on the ${l === undefined ? 'left' : 'right'} side of the join. Column`,
        ),
        { position: p },
      );
    }
    return { l, r, pos: p };
  });
  let condition: Expr | null = null;
  for (const p of pairs) {
    const eq = bindComparison(
      '=',
      { kind: 'column', attr: p.l.attr },
      { kind: 'column', attr: p.r.attr },
      `(${p.l.attr.name} = ${p.r.attr.name})`,
      p.pos,
      ansi,
    );
    condition = condition === null ? eq : and(condition, eq, ansi);
  }
  if (joinType === 'cross') joinType = 'inner';
  let plan: LogicalPlan = {
    kind: 'Join',
    left: left.plan,
    right: right.plan,
    joinType,
    condition,
    mark: null,
    nullAware: false,
  };
  const usedL = new Set(pairs.map((p) => p.l.attr.id));
  const usedR = new Set(pairs.map((p) => p.r.attr.id));
  const restL = leftCols.filter((c) => !usedL.has(c.attr.id));
  const restR = rightCols.filter((c) => !usedR.has(c.attr.id));
  const hide = (cols: readonly ScopeColumn[]): ScopeColumn[] => cols.map((c) => ({ ...c, hidden: true }));
  const lUsing = leftCols.filter((c) => usedL.has(c.attr.id));
  const rUsing = rightCols.filter((c) => usedR.has(c.attr.id));
  if (joinType === 'left_semi' || joinType === 'left_anti') return { plan, columns: left.columns };
  if (joinType === 'full') {
    const joinOut = outputOf(plan);
    const coalesced: NamedExpr[] = pairs.map((p) => {
      const l: Expr = { kind: 'column', attr: { ...p.l.attr, nullable: true } };
      const r: Expr = { kind: 'column', attr: { ...p.r.attr, nullable: true } };
      const t = commonType([l, r], 'coalesce', p.pos);
      const expr: Expr = {
        kind: 'case',
        branches: [
          {
            when: { kind: 'unary', op: 'is_not_null', input: l, type: T.boolean, failOnError: ansi },
            then: castTo(l, t),
          },
        ],
        otherwise: castTo(r, t),
        type: t,
      };
      return {
        expr,
        attr: {
          id: state.ctx.nextId(),
          name: p.l.attr.name,
          type: t,
          nullable: p.l.attr.nullable && p.r.attr.nullable,
          qualifier: null,
        },
      };
    });
    plan = {
      kind: 'Project',
      input: plan,
      exprs: [...coalesced, ...joinOut.map((a) => ({ expr: { kind: 'column' as const, attr: a }, attr: a }))],
    };
    const usingCols: ScopeColumn[] = coalesced.map((c) => ({ attr: c.attr, path: [], hidden: false }));
    return { plan, columns: [...usingCols, ...restL, ...restR, ...hide(lUsing), ...hide(rUsing)] };
  }
  const visibleUsing = joinType === 'right' ? rUsing : lUsing;
  const hiddenUsing = joinType === 'right' ? lUsing : rUsing;
  // Keep the using columns in USING order.
  const ordered = pairs.map((p) =>
    visibleUsing.find((c) => c.attr.id === (joinType === 'right' ? p.r.attr.id : p.l.attr.id))!,
  );
  return { plan, columns: [...ordered, ...restL, ...restR, ...hide(hiddenUsing)] };
}

/** Binds one FROM item; `lateralLeft` are the columns to its left (visible to LATERAL subqueries). */
export function bindRelation(
  env: RelationEnv,
  rel: ast.Relation,
  lateralLeft: readonly ScopeColumn[] | null,
): BoundRelation {
  switch (rel.kind) {
    case 'table':
      return bindTable(env, rel);
    case 'subquery': {
      const outer = rel.lateral && lateralLeft !== null ? new Scope(lateralLeft, env.outer) : env.outer;
      const plan = env.state.bindSubquery(rel.query, outer, env.ctes);
      return aliased(env.state, plan, rel.alias, []);
    }
    case 'values_relation': {
      const names = rel.alias?.columns?.map((c) => c.name);
      const plan = bindValues(env, rel.rows, rel.pos, names);
      const path = rel.alias !== null ? [rel.alias.name.name] : [];
      if (names !== undefined && names.length !== outputOf(plan).length)
        return aliased(env.state, plan, rel.alias, path);
      return { plan, columns: scopeColumns(outputOf(plan), path) };
    }
    case 'join':
      return bindJoin(env, rel);
    case 'table_function': {
      const xenv = exprEnv(env, new Scope([], env.outer), 'values');
      if (isSetFunctionRelation(xenv, rel)) {
        const one: LogicalPlan = { kind: 'Values', output: [], rows: [[]] };
        const { plan, generated } = bindSetFunction(xenv, one, rel);
        return { plan, columns: scopeColumns(generated, rel.alias === null ? [] : [rel.alias.name.name]) };
      }
      const name = functionName(rel.name).name;
      const rows = rel.ordinality ? undefined : env.state.ctx.expandTableFunction?.(name, rel.args, rel.pos);
      if (rows !== undefined) {
        const output: Attribute[] = rows.columns.map((f) => ({
          id: env.state.ctx.nextId(),
          name: f.name,
          type: f.type,
          nullable: f.nullable,
          qualifier: rel.alias?.name.name ?? name,
        }));
        return aliased(env.state, { kind: 'Values', output, rows: rows.rows }, rel.alias, [name]);
      }
      return aliased(env.state, bindTableFunction(xenv, rel), rel.alias, []);
    }
    case 'pivot':
      if (rel.input === null) fromListOnly('PIVOT', rel.pos);
      return bindPivot(env, bindRelation(env, rel.input, lateralLeft), rel.pivot);
    case 'unpivot':
      if (rel.input === null) fromListOnly('UNPIVOT', rel.pos);
      return bindUnpivot(env, bindRelation(env, rel.input, lateralLeft), rel.unpivot);
    case 'sample': {
      const sampled = bindSample(env, bindRelation(env, rel.input, lateralLeft), rel.sample);
      if (rel.alias === null) return sampled;
      const shown = sampled.columns.filter((c) => !c.hidden);
      const plan: LogicalPlan = {
        kind: 'Project',
        input: sampled.plan,
        exprs: shown.map((c) => ({ expr: { kind: 'column', attr: c.attr }, attr: c.attr })),
      };
      return aliased(env.state, plan, rel.alias, []);
    }
    case 'lateral_view':
      // The parser puts LATERAL VIEW only after other FROM items; bindFrom applies it to them.
      throw analysisError(SqlState.syntaxError, 'LATERAL VIEW must follow a FROM item.', rel.pos);
  }
}

/** A PIVOT or UNPIVOT of a whole FROM list met where one FROM item is bound. */
function fromListOnly(what: string, pos: number): never {
  throw analysisError(SqlState.syntaxError, `${what} must follow a FROM item.`, pos);
}

/** `left LATERAL VIEW [OUTER] gen(args) t AS cols`: a Generate over the FROM rows bound so far. */
function bindLateralView(env: RelationEnv, left: BoundRelation, rel: ast.LateralViewRelation): BoundRelation {
  const scope = new Scope(left.columns, env.outer);
  const call = rel.generator;
  if (asGeneratorCall(call) === null) {
    throw analysisError(
      SqlState.featureNotSupported,
      `LATERAL VIEW supports explode, posexplode, inline (and their _outer forms) and json_tuple; found ${quoteIdent(call.name.parts.map((p) => p.name).join('.'))}.`,
      call.pos,
    );
  }
  const qualifier = rel.tableAlias?.name ?? null;
  const plan = bindGenerate(
    { ...exprEnv(env, scope, 'select') },
    left.plan,
    call,
    rel.columnAliases.map((c) => c.name),
    qualifier,
    rel.outer,
  );
  return {
    plan,
    columns: [...left.columns, ...scopeColumns(plan.generatorOutput, qualifier === null ? [] : [qualifier])],
  };
}

/** Comma-separated FROM items as a chain of cross joins. */
export function bindFrom(env: RelationEnv, from: readonly ast.Relation[]): BoundRelation {
  if (from.length === 0) return { plan: { kind: 'Values', output: [], rows: [[]] }, columns: [] };
  let acc = bindRelation(env, from[0]!, null);
  for (const rel of from.slice(1)) {
    if (rel.kind === 'lateral_view') {
      acc = bindLateralView(env, acc, rel);
      continue;
    }
    if (rel.kind === 'pivot' && rel.input === null) {
      acc = bindPivot(env, acc, rel.pivot);
      continue;
    }
    if (rel.kind === 'unpivot' && rel.input === null) {
      acc = bindUnpivot(env, acc, rel.unpivot);
      continue;
    }
    if (rel.kind === 'table_function') {
      // A set-returning function may read the FROM items before it: it runs over their rows.
      const xenv = exprEnv(env, new Scope(acc.columns, env.outer), 'values');
      if (isSetFunctionRelation(xenv, rel)) {
        const { plan, generated } = bindSetFunction(xenv, acc.plan, rel);
        const path = rel.alias === null ? [] : [rel.alias.name.name];
        acc = { plan, columns: [...acc.columns, ...scopeColumns(generated, path)] };
        continue;
      }
    }
    const next = bindRelation(env, rel, acc.columns);
    acc = {
      plan: {
        kind: 'Join',
        left: acc.plan,
        right: next.plan,
        joinType: 'cross',
        condition: null,
        mark: null,
        nullAware: false,
      },
      columns: [...acc.columns, ...next.columns],
    };
  }
  return acc;
}

export function isLiteralTrue(e: Expr): boolean {
  return e.kind === 'literal' && e.value === true && typesEqual(exprType(e), T.boolean);
}
