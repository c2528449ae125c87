/**
 * Window function evaluation for `WindowExec`: partition/peer layout of a buffered run of sorted
 * rows, frame bounds (ROWS and RANGE), and the ranking, offset, value and aggregate functions.
 */
export type {
  WindowFunctionSpec,
  RankingWindowFunction,
  OffsetWindowFunction,
  ValueWindowFunction,
  AggregateWindowFunction,
  RankingFunctionName,
} from './window-function-spec.ts';
export { computeLayout, type WindowLayout, type OrderKeyColumn } from './window-layout.ts';
export { computeFrame, frameKey, isWholePartition, type FrameRanges } from './frame-bounds.ts';
export { frameOffset, valueText } from './frame-offset.ts';
export {
  evaluateRanking,
  evaluateRankingInStretch,
  ntileBuckets,
  type PartitionStretch,
} from './ranking-functions.ts';
export { offsetIndices } from './offset-functions.ts';
export { valueIndices } from './value-functions.ts';
export { evaluateWindowAggregate, type WindowAggregateInput } from './aggregate-window.ts';
export { explainFrame } from './explain-frame.ts';
export {
  addToFloatRun,
  addToIntegerRun,
  continuedFloatSums,
  continuedIntegerSums,
  isFloatSum,
  isIntegerSum,
  type FloatRun,
} from './fast-frame-aggregates.ts';
