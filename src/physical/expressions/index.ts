/**
 * Physical expressions: `createPhysicalExpr` binds a logical Expr to input positions and builds its
 * batch evaluator; `evaluateConstant` folds column-free expressions.
 */
export {
  createPhysicalExpr,
  compileExprSpec,
  columnExpr,
  columnPosition,
  evaluateConstant,
  defaultEvalContext,
  isNullable,
} from './create-physical-expr.ts';
