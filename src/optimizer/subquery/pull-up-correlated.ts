/**
 * Pulls correlated predicates out of a subquery plan (Spark's PullupCorrelatedPredicates), so the
 * subquery becomes an ordinary plan and the predicates become a join condition.
 *
 *   Projection: min_cost                         Projection: min_cost, ps_partkey
 *     Aggregate: groupBy=[], aggr=[min(c)]  ==>    Aggregate: groupBy=[ps_partkey], aggr=[min(c)]
 *       Filter: ps_partkey = outer_ref(p_partkey)    TableScan: partsupp
 *         TableScan: partsupp
 *                                               predicates: [ps_partkey = p_partkey]
 *
 * Through an Aggregate only equalities of an inner column and an outer expression may pass (the
 * inner columns become grouping columns); through a Project the inner columns the predicates read are added to its output. A
 * correlation anywhere else (a LIMIT, a window, a set operation, the null-supplying side of an
 * outer join, a select item, a generator's argument) is reported as not supported (0A000);
 * decorrelate_subqueries then falls back to a domain join (domain-join.ts).
 */
import { changed, EngineError, SqlState, transformUp, unchanged } from '../../common/index.ts';
import { exprOps, outputOf, type Expr, type LogicalPlan, type NamedExpr } from '../../plan/index.ts';
import { col, conjoin, hasOuterRef, idsOf, planHasOuterRef, refs, splitConjuncts } from '../expr-utils.ts';

export interface PulledUp {
  /** The subquery plan without any outer reference. */
  readonly plan: LogicalPlan;
  /** Correlated conjuncts, outer references turned into plain columns of the outer plan. */
  readonly predicates: readonly Expr[];
}

function unsupported(what: string): EngineError {
  return new EngineError(SqlState.featureNotSupported, `correlated subquery: ${what} is not supported`);
}

/** `outer_ref(x)` → column `x`. */
export function stripOuterRefs(e: Expr): Expr {
  return transformUp(exprOps, e, (n) => (n.kind === 'outer_ref' ? changed(col(n.attr)) : unchanged(n))).node;
}

export function pullUpCorrelated(plan: LogicalPlan): PulledUp {
  if (!planHasOuterRef(plan)) return { plan, predicates: [] };
  switch (plan.kind) {
    case 'Filter': {
      const inner = pullUpCorrelated(plan.input);
      const keep: Expr[] = [];
      const pulled: Expr[] = [...inner.predicates];
      for (const c of splitConjuncts(plan.predicate)) {
        if (hasOuterRef(c)) pulled.push(stripOuterRefs(c));
        else keep.push(c);
      }
      const predicate = conjoin(keep);
      return {
        plan: predicate === null ? inner.plan : { ...plan, input: inner.plan, predicate },
        predicates: pulled,
      };
    }
    case 'Project': {
      if (plan.exprs.some((n) => hasOuterRef(n.expr)))
        throw unsupported('an outer column in the select list');
      const inner = pullUpCorrelated(plan.input);
      const exprs: NamedExpr[] = [...plan.exprs];
      const have = new Set(exprs.map((n) => n.attr.id));
      for (const a of neededInnerAttrs(inner)) {
        if (!have.has(a.id)) {
          exprs.push({ expr: col(a), attr: a });
          have.add(a.id);
        }
      }
      return { plan: { ...plan, input: inner.plan, exprs }, predicates: inner.predicates };
    }
    case 'Aggregate': {
      if ([...plan.groupBy, ...plan.aggregates].some((n) => hasOuterRef(n.expr))) {
        throw unsupported('an outer column in an aggregate');
      }
      if (plan.groupingSets !== null) throw unsupported('a correlation below GROUPING SETS');
      const inner = pullUpCorrelated(plan.input);
      // Grouping by the inner columns splits the rows exactly as the predicates do only when each
      // is `inner column = outer expression`: `c % 2 = outer(a) % 2` would split c's values apart.
      const innerIds = idsOf(outputOf(inner.plan));
      const innerColumn = (e: Expr): boolean => e.kind === 'column' && innerIds.has(e.attr.id);
      const outerOnly = (e: Expr): boolean => [...refs(e)].every((id) => !innerIds.has(id));
      for (const p of inner.predicates) {
        if (!(p.kind === 'binary' && (p.op === '=' || p.op === '<=>'))) {
          throw unsupported('a non-equality correlated predicate below an aggregate');
        }
        if (!((innerColumn(p.left) && outerOnly(p.right)) || (innerColumn(p.right) && outerOnly(p.left)))) {
          throw unsupported('a correlated equality on an inner expression below an aggregate');
        }
      }
      const groupBy: NamedExpr[] = [...plan.groupBy];
      const have = new Set(
        groupBy.flatMap((g) => (g.expr.kind === 'column' ? [g.expr.attr.id, g.attr.id] : [g.attr.id])),
      );
      for (const a of neededInnerAttrs(inner)) {
        if (!have.has(a.id)) {
          groupBy.push({ expr: col(a), attr: a });
          have.add(a.id);
        }
      }
      return { plan: { ...plan, input: inner.plan, groupBy }, predicates: inner.predicates };
    }
    case 'Sort': {
      if (plan.orders.some((o) => hasOuterRef(o.expr))) throw unsupported('an outer column in ORDER BY');
      const inner = pullUpCorrelated(plan.input);
      return { plan: { ...plan, input: inner.plan }, predicates: inner.predicates };
    }
    case 'Join': {
      const left = pullUpCorrelated(plan.left);
      const right = pullUpCorrelated(plan.right);
      const type = plan.joinType;
      const innerLike = type === 'inner' || type === 'cross';
      if (right.predicates.length > 0 && !innerLike)
        throw unsupported(`a correlation inside the right side of a ${type} join`);
      if (left.predicates.length > 0 && !(innerLike || type.startsWith('left'))) {
        throw unsupported(`a correlation inside the left side of a ${type} join`);
      }
      const keep: Expr[] = [];
      const pulled: Expr[] = [...left.predicates, ...right.predicates];
      if (plan.condition !== null) {
        for (const c of splitConjuncts(plan.condition)) {
          if (!hasOuterRef(c)) keep.push(c);
          else if (innerLike) pulled.push(stripOuterRefs(c));
          else throw unsupported(`an outer column in a ${type} join condition`);
        }
      }
      return {
        plan: { ...plan, left: left.plan, right: right.plan, condition: conjoin(keep) },
        predicates: pulled,
      };
    }
    case 'Generate': {
      // Its output holds every input column, so the predicates' columns pass through.
      if (hasOuterRef(plan.arg)) throw unsupported('an outer column in a generator');
      const inner = pullUpCorrelated(plan.input);
      return { plan: { ...plan, input: inner.plan }, predicates: inner.predicates };
    }
    case 'Limit':
      throw unsupported('a correlation below LIMIT');
    case 'Window':
      throw unsupported('a correlation below a window function');
    case 'SetOp':
      throw unsupported('a correlation inside a set operation');
    case 'RecursiveCte':
    case 'WorkTable':
    case 'Rename':
    case 'Scan':
    case 'Values':
    case 'Range':
      throw unsupported(`a correlation in ${plan.kind}`);
    default:
      throw unsupported('this plan shape');
  }
}

/** Attributes of the pulled-up plan's output that the predicates read. */
function neededInnerAttrs(inner: PulledUp): ReturnType<typeof outputOf> {
  if (inner.predicates.length === 0) return [];
  const used = new Set<number>();
  for (const p of inner.predicates) for (const id of refs(p)) used.add(id);
  const available = outputOf(inner.plan);
  const ids = idsOf(available);
  return available.filter((a) => used.has(a.id) && ids.has(a.id));
}
