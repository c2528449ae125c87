/**
 * Physical expressions: `createPhysicalExpr` binds a logical Expr to input positions and builds its
 * batch evaluator (`createPhysicalExprs` several over the same batches, sharing common parts);
 * `evaluateConstant` folds column-free expressions.
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
} from './create-physical-expr.ts';
