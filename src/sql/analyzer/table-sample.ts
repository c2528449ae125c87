/**
 * TABLESAMPLE (Spark's): `x PERCENT` and `BUCKET x OUT OF y` keep each row with probability
 * fraction (x/100, x/y); `n ROWS` is a LIMIT n, as in Spark.
 *
 *   Filter (xxhash64(seed, c1, c2, …) < -2^63 + fraction · 2^64)
 *   └─ input
 *
 * Whether a row is kept is decided by a 64-bit hash of the seed and the row's values, so a sample
 * is a subset of its input, the same however the input is split into partitions or ordered, and
 * the same every time for one seed (REPEATABLE (seed); without it each query draws a seed).
 * Equal rows are kept or dropped together. 0 PERCENT keeps no row, 100 PERCENT every row.
 */
import { T } from '../../common/index.ts';
import type { Expr, LogicalPlan } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import { bindComparison } from './coercion.ts';
import { callRegistry } from './function-call.ts';
import { constantCount } from './query.ts';
import { exprEnv, type BoundRelation, type RelationEnv } from './relation.ts';
import { Scope } from './scope.ts';

const TWO_63 = 2n ** 63n;

/** The rows of `r` sampled as `s` says. */
export function bindSample(env: RelationEnv, r: BoundRelation, s: ast.SampleClause): BoundRelation {
  const ctx = env.state.ctx;
  const method = s.method;
  if (method.kind === 'rows') {
    const limit = constantCount(env.state, method.count, 'LIMIT', env.outer, env.ctes);
    return { plan: { kind: 'Limit', input: r.plan, limit, offset: 0 }, columns: r.columns };
  }
  if (method.fraction >= 1) return r;
  let predicate: Expr;
  if (method.fraction <= 0) {
    predicate = { kind: 'literal', value: false, type: T.boolean };
  } else {
    const seed = s.seed ?? BigInt(Math.floor(Math.random() * 2 ** 53));
    const xenv = exprEnv(env, new Scope(r.columns, env.outer), 'where');
    const values: Expr[] = r.columns
      .filter((c) => !c.hidden)
      .map((c): Expr => ({ kind: 'column', attr: c.attr }));
    const hash = callRegistry(
      xenv,
      'xxhash64',
      [{ kind: 'literal', value: BigInt.asIntN(64, seed), type: T.bigint }, ...values],
      s.pos,
    );
    // The hash is uniform over the 64-bit integers: keep the lowest `fraction` of them.
    const threshold = BigInt(Math.floor(method.fraction * 2 ** 53)) * 2n ** 11n - TWO_63;
    const bound: Expr = { kind: 'literal', value: threshold, type: T.bigint };
    predicate = bindComparison('<', hash, bound, 'TABLESAMPLE', s.pos, ctx.ansi);
  }
  const plan: LogicalPlan = { kind: 'Filter', input: r.plan, predicate };
  return { plan, columns: r.columns };
}
