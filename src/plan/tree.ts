/**
 * Where children live in logical plans and expressions, and what each node outputs. The only
 * place that knows the shape of every node; rewrites use `transformUp/Down` from common with
 * `planOps` / `exprOps`.
 */
import { assertNever, type DataType, type TreeOps } from '../common/index.ts';
import type { Attribute, Expr, NamedExpr } from './expr.ts';
import type { LogicalPlan } from './logical-plan.ts';

export function planChildren(plan: LogicalPlan): readonly LogicalPlan[] {
  switch (plan.kind) {
    case 'Scan':
    case 'Values':
    case 'Range':
    case 'WorkTable':
      return [];
    case 'Filter':
    case 'Project':
    case 'Aggregate':
    case 'Window':
    case 'Sort':
    case 'Limit':
    case 'Rename':
    case 'Generate':
      return [plan.input];
    case 'Join':
    case 'SetOp':
      return [plan.left, plan.right];
    case 'RecursiveCte':
      return [plan.anchor, plan.recursive];
    default:
      return assertNever(plan, 'plan node');
  }
}

export function planWithChildren(plan: LogicalPlan, children: readonly LogicalPlan[]): LogicalPlan {
  switch (plan.kind) {
    case 'Scan':
    case 'Values':
    case 'Range':
    case 'WorkTable':
      return plan;
    case 'Filter':
    case 'Project':
    case 'Aggregate':
    case 'Window':
    case 'Sort':
    case 'Limit':
    case 'Rename':
    case 'Generate':
      return { ...plan, input: children[0]! };
    case 'Join':
    case 'SetOp':
      return { ...plan, left: children[0]!, right: children[1]! };
    case 'RecursiveCte':
      return { ...plan, anchor: children[0]!, recursive: children[1]! };
    default:
      return assertNever(plan, 'plan node');
  }
}

export const planOps: TreeOps<LogicalPlan> = { children: planChildren, withChildren: planWithChildren };

/** The attributes a node produces, in order. */
export function outputOf(plan: LogicalPlan): readonly Attribute[] {
  switch (plan.kind) {
    case 'Scan':
      return plan.projection === null ? plan.tableOutput : plan.projection.map((i) => plan.tableOutput[i]!);
    case 'Values':
    case 'Range':
    case 'SetOp':
    case 'RecursiveCte':
    case 'WorkTable':
    case 'Rename':
      return plan.output;
    case 'Filter':
    case 'Sort':
    case 'Limit':
      return outputOf(plan.input);
    case 'Project':
      return plan.exprs.map((e) => e.attr);
    case 'Aggregate': {
      const out = [...plan.groupBy.map((g) => g.attr), ...plan.aggregates.map((a) => a.attr)];
      if (plan.groupingId !== null) out.push(plan.groupingId);
      return out;
    }
    case 'Window':
      return [...outputOf(plan.input), ...plan.windows.map((w) => w.attr)];
    case 'Generate':
      return [...outputOf(plan.input), ...plan.generatorOutput];
    case 'Join': {
      const left = outputOf(plan.left);
      switch (plan.joinType) {
        case 'left_semi':
        case 'left_anti':
          return left;
        case 'left_mark':
          return [...left, plan.mark!];
        case 'inner':
        case 'cross':
          return [...left, ...outputOf(plan.right)];
        case 'left':
          return [...left, ...outputOf(plan.right).map(asNullable)];
        case 'right':
          return [...left.map(asNullable), ...outputOf(plan.right)];
        case 'full':
          return [...left.map(asNullable), ...outputOf(plan.right).map(asNullable)];
        default:
          return assertNever(plan.joinType, 'join type');
      }
    }
    default:
      return assertNever(plan, 'plan node');
  }
}

function asNullable(a: Attribute): Attribute {
  return a.nullable ? a : { ...a, nullable: true };
}

export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'literal':
    case 'column':
    case 'outer_ref':
    case 'parameter':
    case 'scalar_subquery':
    case 'exists':
    case 'lambda_var':
      return [];
    case 'binary':
      return [e.left, e.right];
    case 'unary':
    case 'cast':
      return [e.input];
    case 'case': {
      const out: Expr[] = [];
      for (const b of e.branches) out.push(b.when, b.then);
      if (e.otherwise !== null) out.push(e.otherwise);
      return out;
    }
    case 'in_list':
      return [e.input, ...e.list];
    case 'call':
      return e.args;
    case 'aggregate':
      return e.filter === null ? e.args : [...e.args, e.filter];
    case 'window': {
      const out: Expr[] = [e.function, ...e.spec.partitionBy, ...e.spec.orderBy.map((o) => o.expr)];
      return out;
    }
    case 'in_subquery':
      return e.values;
    case 'higher_order':
      return [...e.args, ...e.lambdas.map((l) => l.body)];
    default:
      return assertNever(e, 'expression');
  }
}

export function exprWithChildren(e: Expr, c: readonly Expr[]): Expr {
  switch (e.kind) {
    case 'literal':
    case 'column':
    case 'outer_ref':
    case 'parameter':
    case 'scalar_subquery':
    case 'exists':
    case 'lambda_var':
      return e;
    case 'binary':
      return { ...e, left: c[0]!, right: c[1]! };
    case 'unary':
    case 'cast':
      return { ...e, input: c[0]! };
    case 'case': {
      const branches = e.branches.map((_, i) => ({ when: c[2 * i]!, then: c[2 * i + 1]! }));
      return { ...e, branches, otherwise: e.otherwise === null ? null : c[2 * e.branches.length]! };
    }
    case 'in_list':
      return { ...e, input: c[0]!, list: c.slice(1) };
    case 'call':
      return { ...e, args: c };
    case 'aggregate':
      return e.filter === null
        ? { ...e, args: c }
        : { ...e, args: c.slice(0, e.args.length), filter: c[e.args.length]! };
    case 'window': {
      const fn = c[0]!;
      if (fn.kind !== 'aggregate' && fn.kind !== 'call') return e;
      const np = e.spec.partitionBy.length;
      const partitionBy = c.slice(1, 1 + np);
      const orderBy = e.spec.orderBy.map((o, i) => ({ ...o, expr: c[1 + np + i]! }));
      return { ...e, function: fn, spec: { ...e.spec, partitionBy, orderBy } };
    }
    case 'in_subquery':
      return { ...e, values: c };
    case 'higher_order': {
      const n = e.args.length;
      return { ...e, args: c.slice(0, n), lambdas: e.lambdas.map((l, i) => ({ ...l, body: c[n + i]! })) };
    }
    default:
      return assertNever(e, 'expression');
  }
}

export const exprOps: TreeOps<Expr> = { children: exprChildren, withChildren: exprWithChildren };

/** A copy of `plan` with each expression it holds directly replaced by `f(expr)`. */
export function mapExpressions(plan: LogicalPlan, f: (e: Expr) => Expr): LogicalPlan {
  const named = (ns: readonly NamedExpr[]): NamedExpr[] => ns.map((n) => ({ expr: f(n.expr), attr: n.attr }));
  switch (plan.kind) {
    case 'Scan':
      return { ...plan, filters: plan.filters.map(f) };
    case 'Values':
    case 'Range':
    case 'SetOp':
    case 'RecursiveCte':
    case 'WorkTable':
    case 'Rename':
    case 'Limit':
      return plan;
    case 'Filter':
      return { ...plan, predicate: f(plan.predicate) };
    case 'Project':
      return { ...plan, exprs: named(plan.exprs) };
    case 'Aggregate':
      return { ...plan, groupBy: named(plan.groupBy), aggregates: named(plan.aggregates) };
    case 'Window':
      return { ...plan, windows: named(plan.windows) };
    case 'Generate':
      return { ...plan, arg: f(plan.arg) };
    case 'Join':
      return { ...plan, condition: plan.condition === null ? null : f(plan.condition) };
    case 'Sort':
      return { ...plan, orders: plan.orders.map((o) => ({ ...o, expr: f(o.expr) })) };
    default:
      return assertNever(plan, 'plan node');
  }
}

/** The expressions a plan node holds directly (not those of its children). */
export function planExpressions(plan: LogicalPlan): readonly Expr[] {
  switch (plan.kind) {
    case 'Scan':
      return plan.filters;
    case 'Values':
    case 'Range':
    case 'SetOp':
    case 'RecursiveCte':
    case 'WorkTable':
    case 'Rename':
    case 'Limit':
      return [];
    case 'Filter':
      return [plan.predicate];
    case 'Project':
      return plan.exprs.map((e) => e.expr);
    case 'Aggregate':
      return [...plan.groupBy.map((e) => e.expr), ...plan.aggregates.map((e) => e.expr)];
    case 'Window':
      return plan.windows.map((e) => e.expr);
    case 'Generate':
      return [plan.arg];
    case 'Join':
      return plan.condition === null ? [] : [plan.condition];
    case 'Sort':
      return plan.orders.map((o) => o.expr);
    default:
      return assertNever(plan, 'plan node');
  }
}

/** The type of an expression. */
export function exprType(e: Expr): DataType {
  switch (e.kind) {
    case 'column':
    case 'outer_ref':
      return e.attr.type;
    case 'lambda_var':
      return e.variable.type;
    case 'in_list':
    case 'exists':
    case 'in_subquery':
      return { kind: 'boolean' };
    case 'literal':
    case 'binary':
    case 'unary':
    case 'cast':
    case 'case':
    case 'call':
    case 'aggregate':
    case 'window':
    case 'scalar_subquery':
    case 'parameter':
    case 'higher_order':
      return e.type;
    default:
      return assertNever(e, 'expression');
  }
}

/** Column ids an expression reads (not counting outer references or subquery internals). */
export function referencedIds(e: Expr, into: Set<number> = new Set()): Set<number> {
  if (e.kind === 'column') into.add(e.attr.id);
  for (const c of exprChildren(e)) referencedIds(c, into);
  return into;
}
