/**
 * One SELECT block, Spark's way:
 *
 *   FROM ─► Filter(WHERE) ─► Aggregate ─► Filter(HAVING) ─► Window… ─► Filter(QUALIFY)
 *       ─► Project(select list + hidden sort keys) ─► [Aggregate(DISTINCT)] ─► Sort ─► Project(drop hidden)
 *
 * Every clause is first bound against the FROM scope (aggregates and windows inline); the
 * aggregate rewriter then replaces grouping expressions and aggregate calls by the Aggregate's
 * attributes and the window extractor replaces window expressions by Window attributes.
 */
import { SqlState, T } from '../../common/index.ts';
import {
  outputOf,
  type Attribute,
  type Expr,
  type GenerateNode,
  type LogicalPlan,
  type NamedExpr,
  type SortOrder,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import { aggregateRewriter, containsAggregate, windowExtractor } from './aggregate-rewrite.ts';
import type { BindState, CteEnv, ExprEnv } from './binder-state.ts';
import { toBoolean } from './coercion.ts';
import { analysisError, unresolvedColumn } from './errors.ts';
import { exprName } from './expr-name.ts';
import { checkNoMapInSetOperation, checkOrderable } from './map-ordering.ts';
import { exprKey, exprNullable } from './expr-utils.ts';
import { asSetReturningCall, bindGenerate, bindSetReturningInStep } from './generator.ts';
import { groupingIdWithoutPositions, separateDuplicateSets } from './grouping-sets.ts';
import { bindExpr, bindFieldAccess, nameParts } from './expression.ts';
import { bindFrom, exprEnv, type BoundRelation, type RelationEnv } from './relation.ts';
import { Scope } from './scope.ts';
import { exprType } from '../../plan/index.ts';

interface SelectItem {
  readonly expr: Expr;
  readonly name: string;
  /** A plain column without alias keeps its attribute (id) in the Project. */
  readonly keepAttr: Attribute | null;
}

/** An ORDER BY / GROUP BY position (`ORDER BY 1`), or null when the item is not a plain integer. */
function ordinalOf(e: ast.Expr): number | null {
  return e.kind === 'literal' && e.value.type === 'integer' && e.value.suffix === null
    ? Number(e.value.text)
    : null;
}

function expandStar(scope: Scope, item: ast.WildcardSelectItem): SelectItem[] {
  const cols = scope.starColumns(item.qualifier === null ? null : nameParts(item.qualifier), item.pos);
  const except = new Set(item.except.map((i) => i.name.toLowerCase()));
  for (const ex of item.except) {
    if (!cols.some((c) => c.attr.name.toLowerCase() === ex.name.toLowerCase())) {
      throw unresolvedColumn(
        [ex.name],
        cols.map((c) => c.attr.name),
        ex.pos,
      );
    }
  }
  return cols
    .filter((c) => !except.has(c.attr.name.toLowerCase()))
    .map((c) => ({ expr: { kind: 'column', attr: c.attr }, name: c.attr.name, keepAttr: c.attr }));
}

interface GroupSpec {
  readonly exprs: Expr[];
  readonly names: string[];
  readonly sets: number[][] | null;
}

function bindGroupBy(env: ExprEnv, groupBy: ast.GroupBy, items: readonly SelectItem[]): GroupSpec {
  const inputIds = new Set(env.scope.columns.map((c) => c.attr.id));
  const exprs: Expr[] = [];
  const names: string[] = [];
  const indexOf = (e: Expr, name: string): number => {
    const k = exprKey(e);
    const i = exprs.findIndex((x) => exprKey(x) === k);
    if (i >= 0) return i;
    exprs.push(e);
    names.push(name);
    return exprs.length - 1;
  };
  const bindOne = (a: ast.Expr): number => {
    const ord = env.state.ctx.groupByOrdinal === false ? null : ordinalOf(a);
    if (ord !== null) {
      const item = items[ord - 1];
      if (item === undefined) {
        throw analysisError(
          '42805',
          `[GROUP_BY_POS_OUT_OF_RANGE] GROUP BY position ${ord} is not in select list (valid range is [1, ${items.length}]).`,
          a.pos,
        );
      }
      if (containsAggregate(item.expr, inputIds)) {
        throw analysisError(
          '42903',
          `[GROUP_BY_POS_AGGREGATE] GROUP BY ${ord} refers to an expression ${item.name} that contains an aggregate function. Aggregate functions are not allowed in GROUP BY.`,
          a.pos,
        );
      }
      return indexOf(item.expr, item.name);
    }
    const e = bindExpr(env, a);
    if (containsAggregate(e, inputIds)) {
      throw analysisError(
        '42903',
        `[GROUP_BY_AGGREGATE] Aggregate functions are not allowed in GROUP BY, but found ${exprName(a)}.`,
        a.pos,
      );
    }
    const item = items.find((i) => exprKey(i.expr) === exprKey(e));
    return indexOf(
      e,
      a.kind === 'column' ? a.name.parts[a.name.parts.length - 1]!.name : (item?.name ?? exprName(a)),
    );
  };
  if (groupBy.all) {
    for (const it of items) if (!containsAggregate(it.expr, inputIds)) indexOf(it.expr, it.name);
    return { exprs, names, sets: null };
  }
  // Each item contributes a list of alternative sets; the grouping sets are their cross product.
  const alternativesOf = (item: ast.GroupingItem | ast.GroupingSetElement): number[][] => {
    switch (item.kind) {
      case 'group_expr':
        return [[bindOne(item.expr)]];
      case 'set':
        return [item.exprs.map(bindOne)];
      case 'grouping_sets':
        // The Hive form's columns come first, so they number the grouping columns in their order.
        for (const c of item.columns ?? []) bindOne(c);
        return item.sets.flatMap(alternativesOf);
      case 'rollup': {
        const els = item.elements.map((el) => el.map(bindOne));
        const alternatives: number[][] = [];
        for (let k = els.length; k >= 0; k--) alternatives.push(els.slice(0, k).flat());
        return alternatives;
      }
      case 'cube': {
        const els = item.elements.map((el) => el.map(bindOne));
        const alternatives: number[][] = [];
        const m = els.length;
        if (m > 12)
          throw analysisError(
            SqlState.programLimitExceeded,
            `[GROUPING_SIZE_LIMIT_EXCEEDED] CUBE with ${m} elements is too large.`,
            item.pos,
          );
        for (let mask = (1 << m) - 1; mask >= 0; mask--) {
          const set: number[] = [];
          for (let i = 0; i < m; i++) if ((mask & (1 << (m - 1 - i))) !== 0) set.push(...els[i]!);
          alternatives.push(set);
        }
        return alternatives;
      }
    }
  };
  let sets: number[][] = [[]];
  let hasSets = false;
  for (const item of groupBy.items) {
    if (item.kind !== 'group_expr') hasSets = true;
    const alternatives = alternativesOf(item);
    const next: number[][] = [];
    for (const s of sets)
      for (const a of alternatives) next.push([...new Set([...s, ...a])].sort((x, y) => x - y));
    sets = next;
  }
  return { exprs, names, sets: hasSets ? sets : null };
}

export function bindSelect(
  state: BindState,
  sel: ast.Select,
  orderBy: readonly ast.OrderItem[],
  outer: Scope | null,
  ctes: CteEnv | null,
): LogicalPlan {
  const from = bindFrom({ state, ctes, outer }, sel.from);
  return bindSelectOver(state, sel, orderBy, from, outer, ctes);
}

/**
 * A SELECT block over FROM rows already bound (`sel.from` is not read): what a pipe operator's
 * SELECT, EXTEND, SET and AGGREGATE bind over their input. `checkItems` sees the select list as
 * bound, before aggregates are split off (the pipe operators' rules on aggregates).
 */
export function bindSelectOver(
  state: BindState,
  sel: ast.Select,
  orderBy: readonly ast.OrderItem[],
  from: BoundRelation,
  outer: Scope | null,
  ctes: CteEnv | null,
  checkItems?: (exprs: readonly Expr[]) => void,
): LogicalPlan {
  const ctx = state.ctx;
  const renv: RelationEnv = { state, ctes, outer };
  const scope = new Scope(from.columns, outer);
  let plan = from.plan;
  const base = exprEnv(renv, scope, 'where');

  if (sel.where !== null) {
    plan = {
      kind: 'Filter',
      input: plan,
      predicate: toBoolean(bindExpr(base, sel.where), 'WHERE', sel.where.pos),
    };
  }

  const namedWindows = new Map<string, ast.WindowSpec>();
  for (const w of sel.windows) namedWindows.set(w.name.name.toLowerCase(), w.spec);
  const selectEnv: ExprEnv = {
    ...base,
    clause: 'select',
    allowAggregates: true,
    allowWindows: true,
    namedWindows,
  };

  // Select list. A generator item (explode …) becomes a Generate over the FROM rows; the item
  // reads its generated columns.
  // Several set-returning calls (PostgreSQL's) run in step; their columns come in order.
  const items: SelectItem[] = [];
  // A set-returning call, or fields of its row (`(information_schema._pg_expandarray(k)).n`).
  // Identical calls read the same rows; different ones (PostgreSQL's) run in step.
  const setCallOf = (expr: ast.Expr): { call: ast.FunctionExpr; fields: string[]; key: string } | null => {
    const fields: string[] = [];
    let target = expr;
    while (target.kind === 'field_access') {
      fields.unshift(target.field.name);
      target = target.base;
    }
    const call = asSetReturningCall(selectEnv, target);
    if (call === null) return null;
    return { call, fields, key: JSON.stringify(call, (k, v: unknown) => (k === 'pos' ? undefined : v)) };
  };
  const setCalls = sel.items.flatMap((it) => {
    if (it.kind === 'wildcard') return [];
    const found = setCallOf(it.expr);
    return found === null
      ? []
      : [{ ...found, alias: found.fields.length === 0 ? (it.alias?.name ?? null) : null }];
  });
  const inStepCalls = new Set(setCalls.map((c) => c.key)).size > 1;
  let inStep: { expr: Expr; name: string }[] = [];
  if (inStepCalls) {
    const bound = bindSetReturningInStep(selectEnv, plan, setCalls);
    plan = bound.plan;
    inStep = bound.columns;
  }
  /** The select list's one generator, when its set-returning calls are all the same. */
  let generated: GenerateNode | null = null;
  const lateral = new Map<string, Expr>();
  const lateralSeen = new Map<string, number>();
  for (const it of sel.items) {
    if (it.kind === 'wildcard') {
      items.push(...expandStar(scope, it));
      continue;
    }
    const found = setCallOf(it.expr);
    if (found !== null && inStepCalls) {
      const column = inStep.shift()!;
      let expr = column.expr;
      for (const f of found.fields) expr = bindFieldAccess(selectEnv, expr, f, it.expr.pos);
      const name =
        found.fields.length === 0 ? column.name : (it.alias?.name ?? found.fields[found.fields.length - 1]!);
      items.push({ expr, name, keepAttr: null });
      continue;
    }
    if (found !== null) {
      const { call, fields } = found;
      if (generated === null) {
        const aliases =
          fields.length > 0
            ? []
            : it.aliases !== undefined
              ? it.aliases.map((a) => a.name)
              : it.alias === null
                ? []
                : [it.alias.name];
        generated = bindGenerate(selectEnv, plan, call, aliases, null);
        plan = generated;
      }
      const outputs = generated.generatorOutput;
      if (fields.length === 0) {
        for (const a of outputs) {
          const name = outputs.length === 1 && it.alias !== null ? it.alias.name : a.name;
          items.push({ expr: { kind: 'column', attr: a }, name, keepAttr: name === a.name ? a : null });
        }
        continue;
      }
      let expr: Expr = { kind: 'column', attr: outputs[outputs.length - 1]! };
      for (const f of fields) expr = bindFieldAccess(selectEnv, expr, f, it.expr.pos);
      items.push({ expr, name: it.alias?.name ?? fields[fields.length - 1]!, keepAttr: null });
      continue;
    }
    if (it.aliases !== undefined) {
      throw analysisError(
        '42K0E',
        `[MULTI_ALIAS_WITHOUT_GENERATOR] Multi part aliasing (${it.aliases.map((a) => a.name).join(', ')}) is not supported with ${exprName(it.expr)} as it is not a generator function.`,
        it.pos,
      );
    }
    // A later item may name an earlier one's alias (Spark's lateral column alias) where no FROM
    // column has that name; an alias given twice before is not one.
    const ambiguousAliases = new Map([...lateralSeen].filter(([, n]) => n > 1));
    const expr = bindExpr(
      lateralSeen.size === 0
        ? selectEnv
        : { ...selectEnv, aliases: lateral, aliasFirst: false, ambiguousAliases },
      it.expr,
    );
    if (it.alias !== null) {
      const key = it.alias.name.toLowerCase();
      const seen = lateralSeen.get(key) ?? 0;
      if (seen > 0) lateral.delete(key);
      else lateral.set(key, expr);
      lateralSeen.set(key, seen + 1);
      items.push({ expr, name: it.alias.name, keepAttr: null });
    } else if (it.expr.kind === 'column' && expr.kind === 'column') {
      items.push({ expr, name: expr.attr.name, keepAttr: expr.attr });
    } else {
      items.push({
        expr,
        name:
          it.expr.kind === 'column'
            ? it.expr.name.parts[it.expr.name.parts.length - 1]!.name
            : exprName(it.expr),
        keepAttr: null,
      });
    }
  }
  checkItems?.(items.map((i) => i.expr));
  const aliases = new Map<string, Expr>();
  for (const it of items)
    if (!aliases.has(it.name.toLowerCase())) aliases.set(it.name.toLowerCase(), it.expr);

  const group =
    sel.groupBy === null
      ? null
      : bindGroupBy(
          {
            ...base,
            clause: 'group_by',
            aliases: base.state.ctx.groupByAliases === false ? new Map() : aliases,
            aliasFirst: false,
          },
          sel.groupBy,
          items,
        );

  const having =
    sel.having === null
      ? null
      : toBoolean(
          bindExpr(
            { ...selectEnv, clause: 'having', allowWindows: false, aliases, aliasFirst: false },
            sel.having,
          ),
          'HAVING',
          sel.having.pos,
        );
  const qualify =
    sel.qualify === null
      ? null
      : toBoolean(
          bindExpr({ ...selectEnv, clause: 'qualify', aliases, aliasFirst: false }, sel.qualify),
          'QUALIFY',
          sel.qualify.pos,
        );

  // ORDER BY: select outputs by position or alias first, then input columns (hidden sort keys).
  const orderEnv: ExprEnv = { ...selectEnv, clause: 'order_by', aliases, aliasFirst: true };
  type Order = {
    readonly item: number | null;
    readonly expr: Expr | null;
    readonly ascending: boolean;
    readonly nullsFirst: boolean;
  };
  const orders: Order[] = orderBy.map((o) => {
    const ascending = o.ascending ?? true;
    const nullsFirst = o.nullsFirst ?? ascending;
    const sortOrder = `${exprName(o.expr)} ${ascending ? 'ASC' : 'DESC'} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`;
    const ord = orderEnv.state.ctx.orderByOrdinal === false ? null : ordinalOf(o.expr);
    if (ord !== null) {
      if (ord < 1 || ord > items.length) {
        throw analysisError(
          '42805',
          `[ORDER_BY_POS_OUT_OF_RANGE] ORDER BY position ${ord} is not in select list (valid range is [1, ${items.length}]).`,
          o.expr.pos,
        );
      }
      checkOrderable(exprType(items[ord - 1]!.expr), sortOrder, 'sortorder', o.expr.pos);
      return { item: ord - 1, expr: null, ascending, nullsFirst };
    }
    const e = bindExpr(orderEnv, o.expr);
    checkOrderable(exprType(e), sortOrder, 'sortorder', o.expr.pos);
    const k = exprKey(e);
    const idx = items.findIndex((i) => exprKey(i.expr) === k);
    if (idx >= 0) return { item: idx, expr: null, ascending, nullsFirst };
    if (sel.distinct) {
      throw analysisError(
        SqlState.invalidColumnReference,
        `[MISSING_ATTRIBUTES] for SELECT DISTINCT, ORDER BY expressions must appear in select list: ${exprName(o.expr)}.`,
        o.expr.pos,
      );
    }
    return { item: null, expr: e, ascending, nullsFirst };
  });

  const inputIds = new Set(outputOf(plan).map((a) => a.id));
  const isAggregate =
    group !== null ||
    having !== null ||
    items.some((i) => containsAggregate(i.expr, inputIds)) ||
    (qualify !== null && containsAggregate(qualify, inputIds)) ||
    orders.some((o) => o.expr !== null && containsAggregate(o.expr, inputIds));

  let selectExprs = items.map((i) => i.expr);
  let hiddenExprs = orders.filter((o) => o.expr !== null).map((o) => o.expr!);
  let qualifyExpr = qualify;
  let keepAttrs = items.map((i) => i.keepAttr);

  if (isAggregate && setCalls.length > 0) {
    throw analysisError(
      SqlState.featureNotSupported,
      'A generator (explode, posexplode) in the SELECT list of an aggregate query is not supported yet; explode in a subquery instead.',
      sel.pos,
    );
  }
  if (isAggregate) {
    const groupExprs = group?.exprs ?? [];
    const sets = group?.sets ?? null;
    const groupingId: Attribute | null =
      sets === null
        ? null
        : { id: ctx.nextId(), name: 'spark_grouping_id', type: T.bigint, nullable: false, qualifier: null };
    const groups: NamedExpr[] = groupExprs.map((e, i) => {
      const alwaysGrouped = sets === null || sets.every((s) => s.includes(i));
      if (e.kind === 'column' && sets === null) return { expr: e, attr: e.attr };
      return {
        expr: e,
        attr: {
          id: ctx.nextId(),
          name: group!.names[i]!,
          type: exprType(e),
          nullable: exprNullable(e) || !alwaysGrouped,
          qualifier: null,
        },
      };
    });
    const rw = aggregateRewriter(groups, inputIds, () => ctx.nextId(), state.positions, groupingId);
    selectExprs = selectExprs.map(rw.rewrite);
    const havingExpr = having === null ? null : rw.rewrite(having);
    qualifyExpr = qualifyExpr === null ? null : rw.rewrite(qualifyExpr);
    hiddenExprs = hiddenExprs.map(rw.rewrite);
    const separated = sets === null ? null : separateDuplicateSets(sets, groups.length, () => ctx.nextId());
    if (separated === null || separated.positions.length === 0) {
      plan = {
        kind: 'Aggregate',
        input: plan,
        groupBy: groups,
        aggregates: rw.aggregates,
        groupingSets: sets,
        groupingId,
      };
    } else {
      // Repeated sets: hidden position columns keep the copies apart; a Project drops them and
      // turns the operator's grouping id back into Spark's.
      const operatorId: Attribute = { ...groupingId!, id: ctx.nextId() };
      const pass = (a: Attribute): NamedExpr => ({ expr: { kind: 'column', attr: a }, attr: a });
      plan = {
        kind: 'Project',
        input: {
          kind: 'Aggregate',
          input: plan,
          groupBy: [...groups, ...separated.positions],
          aggregates: rw.aggregates,
          groupingSets: separated.sets,
          groupingId: operatorId,
        },
        exprs: [
          ...groups.map((g) => pass(g.attr)),
          { expr: groupingIdWithoutPositions(operatorId, separated.positions.length), attr: groupingId! },
          ...rw.aggregates.map((a) => pass(a.attr)),
        ],
      };
    }
    if (havingExpr !== null) plan = { kind: 'Filter', input: plan, predicate: havingExpr };
    const groupIds = new Set(groups.map((g) => g.attr.id));
    keepAttrs = keepAttrs.map((a, i) =>
      a !== null && groupIds.has(a.id) && selectExprs[i]!.kind === 'column' ? a : null,
    );
  }

  // Windows.
  const wx = windowExtractor(() => ctx.nextId());
  selectExprs = selectExprs.map(wx.rewrite);
  hiddenExprs = hiddenExprs.map(wx.rewrite);
  qualifyExpr = qualifyExpr === null ? null : wx.rewrite(qualifyExpr);
  for (const g of wx.groups) plan = { kind: 'Window', input: plan, windows: g };
  if (sel.qualify !== null && wx.groups.length === 0) {
    throw analysisError(
      '42903',
      '[INVALID_QUALIFY_CLAUSE] QUALIFY requires at least one window function in the SELECT list or the QUALIFY clause.',
      sel.qualify.pos,
    );
  }
  if (qualifyExpr !== null) plan = { kind: 'Filter', input: plan, predicate: qualifyExpr };

  // Project.
  const projected: NamedExpr[] = selectExprs.map((e, i) => {
    const keep = keepAttrs[i];
    if (keep !== null && keep !== undefined && e.kind === 'column' && e.attr.id === keep.id)
      return { expr: e, attr: e.attr };
    return {
      expr: e,
      attr: {
        id: ctx.nextId(),
        name: items[i]!.name,
        type: exprType(e),
        nullable: exprNullable(e),
        qualifier: null,
      },
    };
  });
  const hidden: NamedExpr[] = hiddenExprs.map((e, i) =>
    e.kind === 'column'
      ? { expr: e, attr: e.attr }
      : {
          expr: e,
          attr: {
            id: ctx.nextId(),
            name: `_sort_key_${i}`,
            type: exprType(e),
            nullable: exprNullable(e),
            qualifier: null,
          },
        },
  );
  plan = { kind: 'Project', input: plan, exprs: [...projected, ...hidden] };

  if (sel.distinct) {
    checkNoMapInSetOperation(
      projected.map((p) => p.attr),
      sel.pos,
    );
    plan = {
      kind: 'Aggregate',
      input: plan,
      groupBy: projected.map((p) => ({ expr: { kind: 'column', attr: p.attr }, attr: p.attr })),
      aggregates: [],
      groupingSets: null,
      groupingId: null,
    };
  }

  if (orders.length > 0) {
    let h = 0;
    const sortOrders: SortOrder[] = orders.map((o) => {
      const attr = o.item !== null ? projected[o.item]!.attr : hidden[h++]!.attr;
      return { expr: { kind: 'column', attr }, ascending: o.ascending, nullsFirst: o.nullsFirst };
    });
    plan = { kind: 'Sort', input: plan, orders: sortOrders };
    if (hidden.length > 0) {
      plan = {
        kind: 'Project',
        input: plan,
        exprs: projected.map((p) => ({ expr: { kind: 'column', attr: p.attr }, attr: p.attr })),
      };
    }
  }
  return plan;
}
