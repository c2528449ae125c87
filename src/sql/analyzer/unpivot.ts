/**
 * UNPIVOT (Spark's): `input UNPIVOT [INCLUDE | EXCLUDE NULLS] (v FOR name IN (c1 [AS a1], c2, …))`
 * turns each input row into one row per listed column (set): the other columns (the ids), the
 * column's name (or alias) in `name`, and its value in `v`. The multi-value form
 * `((v1, v2) FOR name IN ((c1, c2) [AS a], …))` takes a set of columns per row, named by its alias
 * or its column names joined with `_`.
 *
 *   Project [ids…, name, v…]
 *   └─ Filter (v1 IS NOT NULL OR …)                  (EXCLUDE NULLS, the default)
 *      └─ Generate inline(array(named_struct('c1', cast(c1 AS T)), …))
 *         └─ input
 *
 * Each value column has the wider type of its columns, a string never read as another type
 * (UNPIVOT_VALUE_DATA_TYPE_MISMATCH when there is none); every set has as many columns as there are value columns
 * (UNPIVOT_VALUE_SIZE_MISMATCH). The input is read once.
 */
import { SqlState, T, typeToString, type DataType } from '../../common/index.ts';
import { findWiderTypeOfAll, findWiderTypeWithoutStringPromotion } from '../../functions/index.ts';
import type { Attribute, Expr, LogicalPlan, NamedExpr } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import { analysisError, quoteIdent, unresolvedColumn } from './errors.ts';
import { castTo, exprNullable } from './expr-utils.ts';
import { callRegistry } from './function-call.ts';
import { exprEnv, type BoundRelation, type RelationEnv } from './relation.ts';
import { Scope, type ScopeColumn } from './scope.ts';

/** The rows of `r` unpivoted by `u`. */
export function bindUnpivot(env: RelationEnv, r: BoundRelation, u: ast.UnpivotClause): BoundRelation {
  const ctx = env.state.ctx;
  const scope = new Scope(r.columns, env.outer);
  const visible = r.columns.filter((c) => !c.hidden);
  const width = u.valueColumns.length;

  const sets = u.columnSets.map((set) => {
    if (set.columns.length !== width)
      throw analysisError(
        '428C4',
        `[UNPIVOT_VALUE_SIZE_MISMATCH] All unpivot value columns must have the same size as there are value column names (${width}).`,
        set.pos,
      );
    const columns = set.columns.map((name): ScopeColumn => {
      const parts = name.parts.map((p) => p.name);
      const found = scope.lookup(parts, name.pos);
      if (found === undefined)
        throw unresolvedColumn(
          parts,
          visible.map((c) => c.attr.name),
          name.pos,
        );
      return found;
    });
    const label = set.alias?.name ?? columns.map((c) => c.attr.name).join('_');
    return { columns, label };
  });

  const types = Array.from({ length: width }, (_, k): DataType => {
    const found = findWiderTypeOfAll(
      sets.map((s) => s.columns[k]!.attr.type),
      findWiderTypeWithoutStringPromotion,
    );
    if (found === undefined)
      throw analysisError(
        SqlState.datatypeMismatch,
        `[UNPIVOT_VALUE_DATA_TYPE_MISMATCH] Unpivot value columns must share a least common type, some types do not: [${sets
          .map(
            (s) =>
              `${quoteIdent(s.columns[k]!.attr.name)} ${typeToString(s.columns[k]!.attr.type).toUpperCase()}`,
          )
          .join(', ')}].`,
        u.pos,
      );
    return found.kind === 'null' ? T.null : found;
  });

  const unpivoted = new Set(sets.flatMap((s) => s.columns.map((c) => c.attr.id)));
  const ids = visible.filter((c) => !unpivoted.has(c.attr.id));

  const xenv = exprEnv(env, scope, 'select');
  const fieldNames = ['name', ...u.valueColumns.map((_, k) => `v${k}`)];
  const structs = sets.map((s) => {
    const args: Expr[] = [{ kind: 'literal', value: fieldNames[0]!, type: T.string }];
    args.push({ kind: 'literal', value: s.label, type: T.string });
    s.columns.forEach((c, k) => {
      args.push({ kind: 'literal', value: fieldNames[k + 1]!, type: T.string });
      args.push(castTo({ kind: 'column', attr: c.attr }, types[k]!));
    });
    return callRegistry(xenv, 'named_struct', args, u.pos);
  });
  const arg = callRegistry(xenv, 'array', structs, u.pos);

  const nameAttr: Attribute = {
    id: ctx.nextId(),
    name: u.nameColumn.name,
    type: T.string,
    nullable: false,
    qualifier: null,
  };
  const valueAttrs = u.valueColumns.map((v, k): Attribute => ({
    id: ctx.nextId(),
    name: v.name,
    type: types[k]!,
    nullable: sets.some((s) => exprNullable({ kind: 'column', attr: s.columns[k]!.attr })),
    qualifier: null,
  }));
  let plan: LogicalPlan = {
    kind: 'Generate',
    input: r.plan,
    generator: 'inline',
    arg,
    outer: false,
    generatorOutput: [nameAttr, ...valueAttrs],
  };
  if (!u.includeNulls) {
    const notNull = valueAttrs.map((a): Expr => ({
      kind: 'unary',
      op: 'is_not_null',
      input: { kind: 'column', attr: a },
      type: T.boolean,
      failOnError: ctx.ansi,
    }));
    const predicate = notNull.reduce((acc, e): Expr => ({
      kind: 'binary',
      op: 'or',
      left: acc,
      right: e,
      type: T.boolean,
      failOnError: ctx.ansi,
    }));
    plan = { kind: 'Filter', input: plan, predicate };
  }
  const out: Attribute[] = [...ids.map((c) => c.attr), nameAttr, ...valueAttrs];
  const qualifier = u.alias?.name ?? null;
  const exprs: NamedExpr[] = out.map((a) => ({
    expr: { kind: 'column', attr: a },
    attr: qualifier === null ? a : { ...a, qualifier },
  }));
  plan = { kind: 'Project', input: plan, exprs };
  const path = (c: ScopeColumn | null): readonly string[] =>
    qualifier !== null ? [qualifier.toLowerCase()] : c === null ? [] : c.path;
  return {
    plan,
    columns: [
      ...ids.map((c, i): ScopeColumn => ({ attr: exprs[i]!.attr, path: path(c), hidden: false })),
      ...exprs.slice(ids.length).map((e): ScopeColumn => ({ attr: e.attr, path: path(null), hidden: false })),
    ],
  };
}
