/**
 * simplify_expressions: constant folding and boolean simplification in every expression of a node,
 * then removing filters that became trivially true and replacing always-false ones by an empty
 * relation.
 *
 *   Filter: a > Int32(1) + Int32(2) AND Boolean(true)       Filter: a > Int32(3)
 *     TableScan: t                                     ==>     TableScan: t
 *
 *   Filter: Int32(1) = Int32(2)                             Values: output=[a], rows=[]
 *     TableScan: t                                     ==>
 *
 * Folding goes through `ctx.evaluateConstant`; an expression whose evaluation throws (`1/0`) is left
 * as it is, so the error surfaces at run time and only if a row reaches it. Non-deterministic calls
 * (`rand()`, `current_timestamp()`) are never folded. Boolean rules respect three-valued logic:
 * `x AND true → x`, `x AND false → false`, `x OR true → true`, `x OR false → x`, `NOT NOT x → x`,
 * `x = x → true` only for a non-nullable deterministic `x`.
 */
import { changed, transformUp, typesEqual, unchanged, type Transformed } from '../../common/index.ts';
import { exprChildren, exprOps, exprType, outputOf, type ComparisonOp, type Expr } from '../../plan/index.ts';
import type { OptimizerContext, OptimizerRule } from '../context.ts';
import {
  BOOLEAN,
  compare,
  conjoin,
  or,
  splitConjuncts,
  exprEquals,
  FALSE,
  isDeterministic,
  isDeterministicCall,
  isNullable,
  lit,
  TRUE,
} from '../expr-utils.ts';
import { emptyRelation, mapExpressions } from '../plan-utils.ts';

export const simplifyExpressions: OptimizerRule = {
  name: 'simplify_expressions',
  traversal: 'bottomUp',
  rewrite(plan, ctx) {
    let any = false;
    const next = mapExpressions(plan, (e) => {
      const r = simplifyExpr(e, ctx);
      if (r.changed) any = true;
      return r.node;
    });
    const current = any ? next : plan;
    if (current.kind === 'Filter' && current.predicate.kind === 'literal') {
      if (current.predicate.value === true) return changed(current.input);
      return changed(emptyRelation(outputOf(current)));
    }
    return any ? changed(current) : unchanged(plan);
  },
};

export function simplifyExpr(e: Expr, ctx: OptimizerContext): Transformed<Expr> {
  return transformUp(exprOps, e, (n) => simplifyNode(n, ctx));
}

function isLiteral(e: Expr, value?: boolean | null): boolean {
  return e.kind === 'literal' && (value === undefined || e.value === value);
}

const NEGATED: Partial<Record<ComparisonOp, ComparisonOp>> = {
  '=': '<>',
  '<>': '=',
  '<': '>=',
  '>=': '<',
  '>': '<=',
  '<=': '>',
};

function simplifyNode(e: Expr, ctx: OptimizerContext): Transformed<Expr> {
  const folded = tryFold(e, ctx);
  if (folded !== null) return changed(folded);
  switch (e.kind) {
    case 'binary': {
      const { left, right } = e;
      if (e.op === 'and') {
        if (isLiteral(left, true)) return changed(right);
        if (isLiteral(right, true)) return changed(left);
        if (isLiteral(left, false) || isLiteral(right, false)) return changed(FALSE);
        if (exprEquals(left, right) && isDeterministic(left, ctx)) return changed(left);
      } else if (e.op === 'or') {
        if (isLiteral(left, false)) return changed(right);
        if (isLiteral(right, false)) return changed(left);
        if (isLiteral(left, true) || isLiteral(right, true)) return changed(TRUE);
        if (exprEquals(left, right) && isDeterministic(left, ctx)) return changed(left);
        const factored = factorCommonConjuncts(e, ctx);
        if (factored !== null) return changed(factored);
      } else if (
        (e.op === '=' || e.op === '<=' || e.op === '>=' || e.op === '<=>') &&
        exprEquals(left, right) &&
        isDeterministic(left, ctx) &&
        (e.op === '<=>' || !isNullable(left))
      ) {
        return changed(TRUE);
      }
      return unchanged(e);
    }
    case 'unary': {
      const input = e.input;
      if (e.op === 'not') {
        if (input.kind === 'unary' && input.op === 'not') return changed(input.input);
        if (input.kind === 'unary' && input.op === 'is_null') return changed({ ...input, op: 'is_not_null' });
        if (input.kind === 'unary' && input.op === 'is_not_null') return changed({ ...input, op: 'is_null' });
        if (input.kind === 'binary') {
          const negated = NEGATED[input.op as ComparisonOp];
          if (negated !== undefined) return changed(compare(negated, input.left, input.right));
        }
      }
      if (
        (e.op === 'is_null' || e.op === 'is_not_null') &&
        !isNullable(input) &&
        isDeterministic(input, ctx)
      ) {
        return changed(e.op === 'is_null' ? FALSE : TRUE);
      }
      return unchanged(e);
    }
    case 'cast':
      if (
        e.mode !== 'try' &&
        typesEqual(exprType(e.input), e.type) &&
        sameStringShape(exprType(e.input), e.type)
      ) {
        return changed(e.input);
      }
      return unchanged(e);
    case 'case': {
      const branches = e.branches.filter((b) => !(isLiteral(b.when, false) || isLiteral(b.when, null)));
      const first = branches[0];
      if (first !== undefined && isLiteral(first.when, true)) return changed(first.then);
      if (branches.length === 0) return changed(e.otherwise ?? lit(null, e.type));
      if (branches.length !== e.branches.length) return changed({ ...e, branches });
      return unchanged(e);
    }
    default:
      return unchanged(e);
  }
}

function splitDisjuncts(e: Expr): Expr[] {
  if (e.kind === 'binary' && e.op === 'or') return [...splitDisjuncts(e.left), ...splitDisjuncts(e.right)];
  return [e];
}

/**
 * `(A AND B) OR (A AND C)` → `A AND (B OR C)` (AND and OR distribute in three-valued logic too).
 * TPC-H Q19 needs it: its join condition repeats in each of three OR-ed branches, and only once
 * factored out can it become a hash join's key instead of a nested loop. Null when nothing is common.
 */
function factorCommonConjuncts(e: Expr, ctx: OptimizerContext): Expr | null {
  const disjuncts = splitDisjuncts(e).map(splitConjuncts);
  const [first, ...rest] = disjuncts;
  if (first === undefined || rest.length === 0) return null;
  const common = first.filter(
    (c) => isDeterministic(c, ctx) && rest.every((d) => d.some((x) => exprEquals(x, c))),
  );
  if (common.length === 0) return null;
  const remaining = disjuncts.map((d) => d.filter((x) => !common.some((c) => exprEquals(c, x))));
  // A branch left with nothing was just the common part: the whole OR is then the common part.
  const branches = remaining.some((r) => r.length === 0) ? [] : remaining.map((r) => conjoin(r)!);
  const factoredOr = branches.length === 0 ? null : branches.reduce((acc, b) => or(acc, b));
  return conjoin(factoredOr === null ? common : [...common, factoredOr]);
}

/** VARCHAR(n)/CHAR(n) casts may pad or check length; only drop casts between identical declarations. */
function sameStringShape(a: ReturnType<typeof exprType>, b: ReturnType<typeof exprType>): boolean {
  if (a.kind !== 'string' || b.kind !== 'string') return true;
  return a.maxLength === b.maxLength && a.fixed === b.fixed;
}

/** The literal `e` evaluates to, when it is foldable and evaluation succeeds; null otherwise. */
function tryFold(e: Expr, ctx: OptimizerContext): Expr | null {
  switch (e.kind) {
    case 'binary':
    case 'unary':
    case 'cast':
    case 'case':
    case 'in_list':
    case 'call':
      break;
    default:
      return null;
  }
  if (e.kind === 'call' && !isDeterministicCall(e.name, ctx)) return null;
  if (!exprChildren(e).every((c) => c.kind === 'literal')) return null;
  const type = exprType(e);
  try {
    const value = ctx.evaluateConstant(e);
    return lit(value, type.kind === 'null' && value !== null ? BOOLEAN : type);
  } catch {
    return null;
  }
}
