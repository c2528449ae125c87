/**
 * Decorrelation by domain join (Spark's DecorrelateInnerQuery), for the subqueries the cheaper
 * predicate pull-up (pull-up-correlated.ts) cannot handle: a non-equality correlation below an
 * aggregate, a correlation below LIMIT, in a select list or in a generator's argument
 * (`unnest(outer.a)`), and global aggregates that must give one row per outer row even over no
 * input (`EXISTS (SELECT count(*) …)`).
 *
 * The domain is the DISTINCT values of the outer columns the subquery refers to:
 *
 *   D = Aggregate: groupBy=[l.k AS d]          (over the outer plan)
 *
 * It is joined into the subquery at the lowest point that is correlated, so each outer reference
 * becomes the plain column `d` and every correlated predicate (equality or not) becomes an ordinary
 * join predicate; each operator above carries `d` along (grouping by it, partitioning windows by
 * it). The caller then joins the result back to the outer plan on `l.k <=> d` (NULL-safe, so a NULL
 * outer key still finds its row).
 *
 *   min(w) FROM r WHERE r.k >= l.k      ==>   Projection: min_w', ...
 *                                               Left Join: d2 <=> d
 *                                                 Aggregate: groupBy=[l.k AS d2]  (the domain again)
 *                                                 Aggregate: groupBy=[d], aggr=[min(w)]
 *                                                   Inner Join: r.k >= d
 *                                                     TableScan: r
 *                                                     Aggregate: groupBy=[l.k AS d]
 *
 * A global aggregate (no GROUP BY) yields one row per domain value even when the value matches no
 * input row: the grouped result is left-joined to the domain and count-like aggregates become 0 there.
 * LIMIT / OFFSET becomes a `row_number()` window partitioned by the domain and a filter on it.
 *
 * References to a query further out than `outerPlan` are left as outer references (in the join
 * conditions and filters the rewrite produces); decorrelating the enclosing subquery removes them.
 */
import { EngineError, SqlState, type DataType } from '../../common/index.ts';
import {
  exprChildren,
  exprWithChildren,
  outputOf,
  planChildren,
  planExpressions,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
  type SortOrder,
} from '../../plan/index.ts';
import type { OptimizerContext } from '../context.ts';
import {
  BOOLEAN,
  col,
  compare,
  conjoin,
  hasOuterRef,
  lit,
  planHasOuterRef,
  splitConjuncts,
} from '../expr-utils.ts';
import { narrowTo } from '../plan-utils.ts';

/** Aggregates that give zero over no rows. */
const ZERO_ON_EMPTY: ReadonlySet<string> = new Set(['count', 'count_if', 'approx_count_distinct']);
/** Aggregates that give an empty array over no rows. */
const EMPTY_ARRAY_ON_EMPTY: ReadonlySet<string> = new Set(['collect_list', 'collect_set', 'collect_rows']);

/**
 * What the aggregate `name` (of result type `type`) gives over no rows when that is not NULL:
 * zero for the counting ones, an empty array for the collecting ones; undefined for the others.
 */
export function valueOverNoInput(name: string, type: DataType): Expr | undefined {
  const n = name.toLowerCase();
  if (ZERO_ON_EMPTY.has(n)) return lit(type.kind === 'bigint' ? 0n : 0, type);
  if (EMPTY_ARRAY_ON_EMPTY.has(n)) return lit([], type);
  return undefined;
}

export interface DomainJoined {
  /** The subquery without outer references; its output is the subquery's output, then `domain`. */
  readonly plan: LogicalPlan;
  /** The outer attributes the subquery referred to. */
  readonly outer: readonly Attribute[];
  /** One column of `plan` per outer attribute: its value. */
  readonly domain: readonly Attribute[];
}

function readsWorkTable(plan: LogicalPlan, cteId: number): boolean {
  if (plan.kind === 'WorkTable') return plan.cteId === cteId;
  return planChildren(plan).some((c) => readsWorkTable(c, cteId));
}

function unsupported(what: string): EngineError {
  return new EngineError(SqlState.featureNotSupported, `correlated subquery: ${what} is not supported`);
}

/** The outer attributes referenced directly by `plan`'s expressions (not inside nested subquery plans). */
export function outerAttributes(plan: LogicalPlan): Attribute[] {
  const seen = new Map<number, Attribute>();
  const visitExpr = (e: Expr): void => {
    if (e.kind === 'outer_ref') {
      if (!seen.has(e.attr.id)) seen.set(e.attr.id, e.attr);
      return;
    }
    for (const k of exprChildren(e)) visitExpr(k);
  };
  const visitPlan = (p: LogicalPlan): void => {
    for (const e of planExpressions(p)) visitExpr(e);
    for (const c of planChildren(p)) visitPlan(c);
  };
  visitPlan(plan);
  return [...seen.values()];
}

/**
 * Rewrites subquery `sub`, correlated to the outer plan `outerPlan`, into a plan without outer
 * references that outputs its columns plus one domain column per outer attribute.
 */
export function domainJoin(sub: LogicalPlan, outerPlan: LogicalPlan, ctx: OptimizerContext): DomainJoined {
  // References to queries further out stay outer references: the enclosing query's own
  // decorrelation joins its domain in for them.
  const available = new Set(outputOf(outerPlan).map((a) => a.id));
  const outer = outerAttributes(sub).filter((a) => available.has(a.id));
  const rw = new DomainRewriter(outer, outerPlan, ctx);
  const r = rw.rewrite(sub);
  const domain = r.domain;
  return { plan: narrowTo(r.plan, [...outputOf(sub), ...domain]), outer, domain };
}

/** A rewritten subtree: its plan outputs the original columns (and maybe more), then `domain`. */
interface Rewritten {
  readonly plan: LogicalPlan;
  readonly domain: readonly Attribute[];
}

class DomainRewriter {
  private readonly outer: readonly Attribute[];
  private readonly outerPlan: LogicalPlan;
  private readonly ctx: OptimizerContext;

  constructor(outer: readonly Attribute[], outerPlan: LogicalPlan, ctx: OptimizerContext) {
    this.outer = outer;
    this.outerPlan = outerPlan;
    this.ctx = ctx;
  }

  /** A fresh copy of the domain: DISTINCT outer columns, under new ids. */
  private newDomain(): Rewritten {
    const groupBy: NamedExpr[] = this.outer.map((o) => ({
      expr: col(o),
      attr: { ...o, id: this.ctx.nextId(), qualifier: null },
    }));
    return {
      plan: {
        kind: 'Aggregate',
        input: this.outerPlan,
        groupBy,
        aggregates: [],
        groupingSets: null,
        groupingId: null,
      },
      domain: groupBy.map((g) => g.attr),
    };
  }

  /** `plan` (uncorrelated) cross-joined with the domain, or with `condition` as an inner join. */
  private joinDomain(plan: LogicalPlan, conjuncts: readonly Expr[] = []): Rewritten {
    const d = this.newDomain();
    const condition = conjoin(conjuncts.map((c) => substOuter(c, this.outer, d.domain)));
    return {
      plan: {
        kind: 'Join',
        left: plan,
        right: d.plan,
        joinType: condition === null ? 'cross' : 'inner',
        condition,
        mark: null,
        nullAware: false,
      },
      domain: d.domain,
    };
  }

  private sub(e: Expr, domain: readonly Attribute[]): Expr {
    return substOuter(e, this.outer, domain);
  }

  /** Rewrites `plan`, joining the domain in if nothing below is correlated. */
  rewrite(plan: LogicalPlan): Rewritten {
    if (!planHasOuterRef(plan)) return this.joinDomain(plan);
    switch (plan.kind) {
      case 'Filter': {
        if (!planHasOuterRef(plan.input)) {
          const correlated: Expr[] = [];
          const plain: Expr[] = [];
          for (const c of splitConjuncts(plan.predicate)) (hasOuterRef(c) ? correlated : plain).push(c);
          const keep = conjoin(plain);
          const input: LogicalPlan =
            keep === null ? plan.input : { kind: 'Filter', input: plan.input, predicate: keep };
          return this.joinDomain(input, correlated);
        }
        const r = this.rewrite(plan.input);
        return {
          plan: { ...plan, input: r.plan, predicate: this.sub(plan.predicate, r.domain) },
          domain: r.domain,
        };
      }
      case 'Project':
        return this.project(plan.exprs, this.rewrite(plan.input));
      case 'Aggregate':
        return this.aggregate(plan, this.rewrite(plan.input));
      case 'Sort': {
        const r = this.rewrite(plan.input);
        const orders = plan.orders.map((o) => ({ ...o, expr: this.sub(o.expr, r.domain) }));
        return { plan: { ...plan, input: r.plan, orders }, domain: r.domain };
      }
      case 'Limit':
        return this.limit(plan);
      case 'Generate': {
        // The generator runs per row, so per domain value once the domain is joined below it.
        const r = this.rewrite(plan.input);
        return { plan: { ...plan, input: r.plan, arg: this.sub(plan.arg, r.domain) }, domain: r.domain };
      }
      case 'Window': {
        const r = this.rewrite(plan.input);
        const partition = r.domain.map(col);
        const windows: NamedExpr[] = plan.windows.map((n) => {
          const e = this.sub(n.expr, r.domain);
          return e.kind === 'window'
            ? {
                expr: { ...e, spec: { ...e.spec, partitionBy: [...e.spec.partitionBy, ...partition] } },
                attr: n.attr,
              }
            : { expr: e, attr: n.attr };
        });
        return { plan: { ...plan, input: r.plan, windows }, domain: r.domain };
      }
      case 'Join':
        return this.join(plan);
      case 'SetOp': {
        const l = this.rewrite(plan.left);
        const rr = this.rewrite(plan.right);
        const domain = this.outer.map((o) => ({ ...o, id: this.ctx.nextId(), qualifier: null }));
        return {
          plan: {
            ...plan,
            left: narrowTo(l.plan, [...outputOf(plan.left), ...l.domain]),
            right: narrowTo(rr.plan, [...outputOf(plan.right), ...rr.domain]),
            output: [...plan.output, ...domain],
          },
          domain,
        };
      }
      case 'RecursiveCte':
        return this.recursiveCte(plan);
      case 'Rename': {
        const r = this.rewrite(plan.input);
        const domain = this.outer.map((o) => ({ ...o, id: this.ctx.nextId(), qualifier: null }));
        return {
          plan: {
            ...plan,
            input: narrowTo(r.plan, [...outputOf(plan.input), ...r.domain]),
            output: [...plan.output, ...domain],
          },
          domain,
        };
      }
      default:
        throw unsupported(`a correlation in ${plan.kind}`);
    }
  }

  /**
   * A recursive CTE correlated in its anchor (pgAdmin's `WITH RECURSIVE cte AS (SELECT … FROM
   * pg_roles WHERE oid = roles.oid UNION ALL SELECT … FROM cte JOIN …)`): the anchor gets the
   * domain, and the domain columns ride through the work table into each iteration, so every
   * domain value recurses on its own rows (and UNION's DISTINCT stays per value). An outer column
   * in the recursive term is read from the work table's domain columns.
   */
  private recursiveCte(plan: Extract<LogicalPlan, { kind: 'RecursiveCte' }>): Rewritten {
    const fresh = (): Attribute[] =>
      this.outer.map((o) => ({ ...o, id: this.ctx.nextId(), qualifier: null }));
    const anchor = this.rewrite(plan.anchor);
    const recursive = this.throughWorkTable(plan.recursive, plan.cteId, fresh());
    if (recursive === undefined) throw unsupported('a recursive CTE that does not read itself');
    const domain = fresh();
    return {
      plan: {
        ...plan,
        anchor: narrowTo(anchor.plan, [...outputOf(plan.anchor), ...anchor.domain]),
        recursive: narrowTo(recursive.plan, [...outputOf(plan.recursive), ...recursive.domain]),
        output: [...plan.output, ...domain],
      },
      domain,
    };
  }

  /**
   * The recursive term `plan` with `carried` (the work table's domain columns) passed from the
   * work table up to its output; undefined for a subtree that does not read the work table.
   */
  private throughWorkTable(
    plan: LogicalPlan,
    cteId: number,
    carried: readonly Attribute[],
  ): Rewritten | undefined {
    if (plan.kind === 'WorkTable' && plan.cteId === cteId) {
      return { plan: { ...plan, output: [...plan.output, ...carried] }, domain: carried };
    }
    if (!readsWorkTable(plan, cteId)) {
      if (planHasOuterRef(plan))
        throw unsupported('a correlation in a recursive term away from the work table');
      return undefined;
    }
    const below = (input: LogicalPlan): Rewritten => this.throughWorkTable(input, cteId, carried)!;
    switch (plan.kind) {
      case 'Filter': {
        const r = below(plan.input);
        return {
          plan: { ...plan, input: r.plan, predicate: this.sub(plan.predicate, r.domain) },
          domain: r.domain,
        };
      }
      case 'Project':
        return this.project(plan.exprs, below(plan.input));
      case 'Join': {
        const l = this.throughWorkTable(plan.left, cteId, carried);
        const r = this.throughWorkTable(plan.right, cteId, carried);
        const t = plan.joinType;
        // The side that carries the domain must keep its rows' values: not the NULL-filled side.
        const ok =
          l !== undefined
            ? r === undefined && t !== 'right' && t !== 'full'
            : r !== undefined && (t === 'inner' || t === 'cross' || t === 'right');
        if (!ok) throw unsupported(`a recursive CTE read through a ${t} join`);
        const c = (l ?? r)!;
        return {
          plan: {
            ...plan,
            left: l?.plan ?? plan.left,
            right: r?.plan ?? plan.right,
            condition: plan.condition === null ? null : this.sub(plan.condition, c.domain),
          },
          domain: c.domain,
        };
      }
      case 'Aggregate': {
        if (plan.groupBy.length === 0) throw unsupported('a global aggregate in a correlated recursive term');
        return this.aggregate(plan, below(plan.input));
      }
      case 'Rename': {
        const r = below(plan.input);
        const domain = this.outer.map((o) => ({ ...o, id: this.ctx.nextId(), qualifier: null }));
        return {
          plan: {
            ...plan,
            input: narrowTo(r.plan, [...outputOf(plan.input), ...r.domain]),
            output: [...plan.output, ...domain],
          },
          domain,
        };
      }
      default:
        throw unsupported(`a correlated recursive CTE read through ${plan.kind}`);
    }
  }

  private project(exprs: readonly NamedExpr[], r: Rewritten): Rewritten {
    const out: NamedExpr[] = exprs.map((n) => ({ expr: this.sub(n.expr, r.domain), attr: n.attr }));
    const have = new Set(out.map((n) => n.attr.id));
    for (const d of r.domain) if (!have.has(d.id)) out.push({ expr: col(d), attr: d });
    return { plan: { kind: 'Project', input: r.plan, exprs: out }, domain: r.domain };
  }

  private aggregate(plan: Extract<LogicalPlan, { kind: 'Aggregate' }>, r: Rewritten): Rewritten {
    if (plan.groupingSets !== null) throw unsupported('a correlation below GROUPING SETS');
    const groupBy: NamedExpr[] = [
      ...plan.groupBy.map((g) => ({ expr: this.sub(g.expr, r.domain), attr: g.attr })),
      ...r.domain.map((d) => ({ expr: col(d), attr: d })),
    ];
    const aggregates = plan.aggregates.map((a) => ({ expr: this.sub(a.expr, r.domain), attr: a.attr }));
    if (plan.groupBy.length > 0) {
      return { plan: { ...plan, input: r.plan, groupBy, aggregates }, domain: r.domain };
    }
    // A global aggregate gives one row per domain value, even one no input row matches.
    const inner = aggregates.map((a) => ({
      ...a,
      attr: { ...a.attr, id: this.ctx.nextId(), nullable: true },
    }));
    const grouped: LogicalPlan = { ...plan, input: r.plan, groupBy, aggregates: inner };
    const d = this.newDomain();
    const joined: LogicalPlan = {
      kind: 'Join',
      left: d.plan,
      right: grouped,
      joinType: 'left',
      condition: conjoin(d.domain.map((a, i) => compare('<=>', col(a), col(r.domain[i]!)))),
      mark: null,
      nullAware: false,
    };
    const exprs: NamedExpr[] = [
      ...plan.aggregates.map((a, i) => ({ expr: valueOrDefault(a, inner[i]!.attr), attr: a.attr })),
      ...d.domain.map((a) => ({ expr: col(a), attr: a })),
    ];
    return { plan: { kind: 'Project', input: joined, exprs }, domain: d.domain };
  }

  /** LIMIT n OFFSET m per domain value: `row_number() OVER (PARTITION BY domain ORDER BY …)`. */
  private limit(plan: Extract<LogicalPlan, { kind: 'Limit' }>): Rewritten {
    const projects: NamedExpr[][] = [];
    let node = plan.input;
    while (node.kind === 'Project') {
      projects.push([...node.exprs]);
      node = node.input;
    }
    let orders: readonly SortOrder[] = [];
    if (node.kind === 'Sort') {
      orders = node.orders;
      node = node.input;
    }
    const r = this.rewrite(node);
    const rn: Attribute = {
      id: this.ctx.nextId(),
      name: 'rn',
      type: { kind: 'int' },
      nullable: false,
      qualifier: null,
    };
    const windowed: LogicalPlan = {
      kind: 'Window',
      input: r.plan,
      windows: [
        {
          expr: {
            kind: 'window',
            function: {
              kind: 'call',
              name: 'row_number',
              args: [],
              type: rn.type,
              nullable: false,
              failOnError: true,
            },
            spec: {
              partitionBy: r.domain.map(col),
              orderBy: orders.map((o) => ({ ...o, expr: this.sub(o.expr, r.domain) })),
              frame: {
                units: 'rows',
                start: { kind: 'unbounded_preceding' },
                end: { kind: 'current_row' },
              },
            },
            type: rn.type,
          },
          attr: rn,
        },
      ],
    };
    const bounds: Expr[] = [];
    if (plan.offset > 0) bounds.push(compare('>', col(rn), lit(plan.offset, rn.type)));
    if (plan.limit !== null) bounds.push(compare('<=', col(rn), lit(plan.offset + plan.limit, rn.type)));
    const predicate = conjoin(bounds);
    const filtered: LogicalPlan =
      predicate === null ? windowed : { kind: 'Filter', input: windowed, predicate };
    let out: Rewritten = { plan: narrowTo(filtered, [...outputOf(node), ...r.domain]), domain: r.domain };
    for (let i = projects.length - 1; i >= 0; i--) out = this.project(projects[i]!, out);
    return out;
  }

  private join(plan: Extract<LogicalPlan, { kind: 'Join' }>): Rewritten {
    const type = plan.joinType;
    const leftCorr = planHasOuterRef(plan.left);
    const rightCorr = planHasOuterRef(plan.right);
    const innerLike = type === 'inner' || type === 'cross';
    const leftKeeps = innerLike || type === 'left' || type.startsWith('left_');
    // One correlated side that keeps its rows: carry its domain through, the other side is as is.
    if (!rightCorr && leftKeeps) {
      const l = this.rewrite(plan.left);
      const condition = plan.condition === null ? null : this.sub(plan.condition, l.domain);
      return { plan: { ...plan, left: l.plan, condition }, domain: l.domain };
    }
    if (!leftCorr && (innerLike || type === 'right')) {
      const r = this.rewrite(plan.right);
      const condition = plan.condition === null ? null : this.sub(plan.condition, r.domain);
      return { plan: { ...plan, right: r.plan, condition }, domain: r.domain };
    }
    if (type === 'full') throw unsupported('a correlation inside a full join');
    // Otherwise both sides are computed per domain value and joined on it too.
    const l = this.rewrite(plan.left);
    const r = this.rewrite(plan.right);
    const domain = type === 'right' ? r.domain : l.domain;
    const same = l.domain.map((a, i) => compare('<=>', col(a), col(r.domain[i]!)));
    const cond = plan.condition === null ? [] : [this.sub(plan.condition, domain)];
    const joinType = type === 'cross' ? 'inner' : type;
    return {
      plan: { ...plan, left: l.plan, right: r.plan, joinType, condition: conjoin([...cond, ...same]) },
      domain,
    };
  }
}

/** What a global aggregate's column is for a domain value: its value, or what it gives over no rows. */
function valueOrDefault(original: NamedExpr, inner: Attribute): Expr {
  const type = original.attr.type;
  const onEmpty = original.expr.kind === 'aggregate' ? valueOverNoInput(original.expr.name, type) : undefined;
  if (onEmpty === undefined) return col(inner);
  return {
    kind: 'case',
    branches: [
      {
        when: { kind: 'unary', op: 'is_null', input: col(inner), type: BOOLEAN, failOnError: false },
        then: onEmpty,
      },
    ],
    otherwise: col(inner),
    type,
  };
}

/** `outer_ref(outer[i])` → column `domain[i]`. */
export function substOuter(e: Expr, outer: readonly Attribute[], domain: readonly Attribute[]): Expr {
  if (e.kind === 'outer_ref') {
    const i = outer.findIndex((o) => o.id === e.attr.id);
    return i < 0 ? e : col(domain[i]!);
  }
  const kids = exprChildren(e);
  if (kids.length === 0) return e;
  const next = kids.map((k) => substOuter(k, outer, domain));
  return next.every((k, i) => k === kids[i]) ? e : exprWithChildren(e, next);
}
