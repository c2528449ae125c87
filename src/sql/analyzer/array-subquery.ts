/**
 * PostgreSQL's `ARRAY(SELECT x FROM … ORDER BY …)`: the subquery's one column as an array, its rows
 * in the subquery's order, NULLs included; `{}` (an empty array) when it has no rows. It binds to a
 * scalar subquery over one global aggregate, `collect_rows(x, position)`, where the position is a
 * `row_number()` in the subquery's ORDER BY, since rows carry no order through an aggregate:
 *
 *   ARRAY(SELECT x FROM t ORDER BY y)    scalar subquery:
 *                                  ==>     Aggregate: aggr=[collect_rows(x, pos)]
 *                                            Project: x, pos
 *                                              Window: row_number() OVER (ORDER BY y) AS pos
 *                                                TableScan: t
 *
 * A correlated one is decorrelated like any scalar subquery over a global aggregate.
 */
import { SqlState, T } from '../../common/index.ts';
import {
  outputOf,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
  type SortOrder,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { analysisError } from './errors.ts';
import { bindSubqueryPlan } from './expression.ts';
import { lookupFunction, resolveSignature } from './function-call.ts';

export function bindArraySubquery(env: ExprEnv, e: ast.ArraySubqueryExpr): Expr {
  const plan = bindSubqueryPlan(env, e.query);
  const out = outputOf(plan);
  if (out.length !== 1) {
    throw analysisError(SqlState.syntaxError, 'subquery must return only one column', e.pos);
  }
  const value = out[0]!;
  const numbered = numberRows(env, plan);
  const input = numbered?.plan ?? plan;
  const args: Expr[] = [{ kind: 'column', attr: value }];
  if (numbered !== undefined) args.push({ kind: 'column', attr: numbered.position });
  const def = lookupFunction(env, 'collect_rows', ['collect_rows'], e.pos);
  const r = resolveSignature(env, def, args, e.pos);
  const attr: Attribute = {
    id: env.state.ctx.nextId(),
    name: 'array',
    type: r.sig.returnType,
    nullable: false,
    qualifier: null,
  };
  const aggregate: LogicalPlan = {
    kind: 'Aggregate',
    input,
    groupBy: [],
    aggregates: [
      {
        expr: {
          kind: 'aggregate',
          name: def.name,
          args: r.args,
          distinct: false,
          filter: null,
          ignoreNulls: false,
          type: r.sig.returnType,
          failOnError: env.state.ctx.ansi,
        },
        attr,
      },
    ],
    groupingSets: null,
    groupingId: null,
  };
  return { kind: 'scalar_subquery', plan: aggregate, type: r.sig.returnType };
}

/**
 * The subquery with each row's place in its ORDER BY as one more column, or undefined when it has
 * no ORDER BY (its rows then come in no particular order). The sort is found under the select
 * list's projections, either on its own (it becomes the window) or under a LIMIT (which needs it).
 */
function numberRows(env: ExprEnv, plan: LogicalPlan): { plan: LogicalPlan; position: Attribute } | undefined {
  const projects: NamedExpr[][] = [];
  let node = plan;
  while (node.kind === 'Project') {
    projects.push([...node.exprs]);
    node = node.input;
  }
  let orders: readonly SortOrder[];
  let below: LogicalPlan;
  if (node.kind === 'Sort') {
    orders = node.orders;
    below = node.input;
  } else if (node.kind === 'Limit' && node.input.kind === 'Sort') {
    orders = node.input.orders;
    below = node;
  } else {
    return undefined;
  }
  const position: Attribute = {
    id: env.state.ctx.nextId(),
    name: 'position',
    type: T.int,
    nullable: false,
    qualifier: null,
  };
  let rebuilt: LogicalPlan = {
    kind: 'Window',
    input: below,
    windows: [
      {
        expr: {
          kind: 'window',
          function: {
            kind: 'call',
            name: 'row_number',
            args: [],
            type: T.int,
            nullable: false,
            failOnError: env.state.ctx.ansi,
          },
          spec: {
            partitionBy: [],
            orderBy: orders,
            frame: { units: 'rows', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } },
          },
          type: T.int,
        },
        attr: position,
      },
    ],
  };
  for (let i = projects.length - 1; i >= 0; i--) {
    rebuilt = {
      kind: 'Project',
      input: rebuilt,
      exprs: [...projects[i]!, { expr: { kind: 'column', attr: position }, attr: position }],
    };
  }
  return { plan: rebuilt, position };
}
