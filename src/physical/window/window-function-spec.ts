/**
 * The physical description of one window function column of `WindowExec`: which function, its
 * bound argument expressions, and (for frame-sensitive functions) its frame. The frame is the
 * logical `WindowFrame` as the analyzer filled it in; its offsets must be literals (a row count for
 * ROWS, a value comparable with the single order key for RANGE).
 */
import type { DataType } from '../../common/index.ts';
import type { EvalContext, GroupsAccumulator } from '../../functions/index.ts';
import type { WindowFrame } from '../../plan/index.ts';
import type { PhysicalExpr } from '../execution-plan.ts';
import type { AggregateFunctionRef } from '../plan-spec.ts';

export type RankingFunctionName =
  'row_number' | 'rank' | 'dense_rank' | 'percent_rank' | 'cume_dist' | 'ntile';

/** Ranks within the window partition; `ntile` takes its bucket count as `args[0]` (a constant). */
export interface RankingWindowFunction {
  readonly kind: 'ranking';
  readonly name: RankingFunctionName;
  readonly args: readonly PhysicalExpr[];
  /** int (row_number, rank, dense_rank, ntile; bigint accepted) or double (percent_rank, cume_dist). */
  readonly type: DataType;
}

/** `lag`/`lead`: the value `offset` rows before/after the current row in the partition, else `default`. */
export interface OffsetWindowFunction {
  readonly kind: 'offset';
  readonly name: 'lag' | 'lead';
  readonly input: PhysicalExpr;
  /** A constant; negative offsets swap direction (lag(x, -1) = lead(x, 1)). */
  readonly offset: number;
  /** Evaluated on the current row when the target row is outside the partition; null = NULL. */
  readonly default: PhysicalExpr | null;
  readonly ignoreNulls: boolean;
  readonly type: DataType;
}

/** `first_value`/`last_value`/`nth_value(x, n)` over the frame. */
export interface ValueWindowFunction {
  readonly kind: 'value';
  readonly name: 'first_value' | 'last_value' | 'nth_value';
  readonly input: PhysicalExpr;
  /** 1-based position for nth_value (a positive constant); ignored otherwise. */
  readonly n?: number;
  readonly ignoreNulls: boolean;
  readonly frame: WindowFrame;
  readonly type: DataType;
}

/** Any aggregate function over the frame, through its `GroupsAccumulator`. */
export interface AggregateWindowFunction {
  readonly kind: 'aggregate';
  readonly name: string;
  readonly args: readonly PhysicalExpr[];
  readonly createAccumulator: (ctx: EvalContext) => GroupsAccumulator;
  /** The registry function `createAccumulator` comes from (absent in tests: not serializable). */
  readonly function?: AggregateFunctionRef;
  /** DISTINCT is rejected (0A000), as in Spark. */
  readonly distinct: boolean;
  readonly filter: PhysicalExpr | null;
  readonly frame: WindowFrame;
  readonly type: DataType;
}

export type WindowFunctionSpec =
  RankingWindowFunction | OffsetWindowFunction | ValueWindowFunction | AggregateWindowFunction;
