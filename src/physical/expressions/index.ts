/**
 * Physical expressions: `createPhysicalExpr` binds a logical Expr to input positions and builds its
 * batch evaluator (`createPhysicalExprs` several over the same batches, sharing common parts);
 * `evaluateConstant` folds column-free expressions; `canRaise` says whether an expression may raise.
 */
export {
  createPhysicalExpr,
  createPhysicalExprs,
  compileExprSpec,
  compileExprSpecs,
  columnExpr,
  columnPosition,
  evaluateConstant,
  defaultEvalContext,
  isNullable,
  canRaise,
} from './create-physical-expr.ts';
