/**
 * Physical operators: every `XxxExec` implementing `ExecutionPlan`.
 */
export { ValuesExec, type ValuesExecOptions } from './values-exec.ts';
export { RangeExec, rangeCount, type RangeExecOptions } from './range-exec.ts';
export { EmptyExec, type EmptyExecOptions } from './empty-exec.ts';
export {
  FILE_SCHEMA_OUTPUT,
  FileSchemaExec,
  parseFileSchema,
  type FileSchema,
  type FileSchemaRequest,
} from './file-schema-exec.ts';
export { CacheShareExec, type CacheShareExecOptions } from './cache-share-exec.ts';
export { TableScanExec, type TableScanExecOptions } from './table-scan-exec.ts';
export {
  TableWriteExec,
  WRITTEN_FILES_SCHEMA,
  writtenFiles,
  type TableWriteExecOptions,
  type WriteTarget,
} from './table-write-exec.ts';
export { ProjectionExec, type ProjectionExecOptions } from './projection-exec.ts';
export { FilterExec, type FilterConjunct, type FilterExecOptions } from './filter-exec.ts';
export { LimitExec, type LimitExecOptions } from './limit-exec.ts';
export { UnionExec, type UnionExecOptions } from './union-exec.ts';
export {
  ExchangeExec,
  BatchPartitioner,
  explainExchange,
  interleave,
  type ExchangeExecOptions,
  type ExchangeKind,
} from './exchange-exec.ts';
export { ExchangeReaderExec, type ExchangeReaderExecOptions } from './exchange-reader-exec.ts';
export { mergeSortedStreams } from './sorted-merge.ts';
export { SortExec, type SortExecOptions, type SortKey } from './sort-exec.ts';
export {
  HashAggregateExec,
  type HashAggregateExecOptions,
  type AggregateMode,
  type AggregateExpr,
  type GroupByExpr,
} from './hash-aggregate-exec.ts';
export { HashJoinExec, type HashJoinExecOptions, type HashJoinMode } from './hash-join-exec.ts';
export { KeyFilterExec, type KeyFilterExecOptions } from './key-filter-exec.ts';
export { NestedLoopJoinExec, type NestedLoopJoinExecOptions } from './nested-loop-join-exec.ts';
export { type JoinType as PhysicalJoinType } from './join-emitter.ts';
export { collectAll, collectPartition } from './collect.ts';
export { batchBytes, checkCancelled, evaluateToColumn, yieldToEventLoop } from './exec-support.ts';
export { WorkTable, WorkTableExec, type WorkTableExecOptions } from './work-table-exec.ts';
export { RecursiveCteExec, type RecursiveCteExecOptions } from './recursive-cte-exec.ts';
export { ReplicateRowsExec, type ReplicateRowsExecOptions } from './replicate-rows-exec.ts';
export { GenerateExec, type GenerateExecOptions } from './generate-exec.ts';
export { WindowExec, type WindowExecOptions, type WindowFunctionSpec } from './window-exec.ts';
