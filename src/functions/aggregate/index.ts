/**
 * Every aggregate function definition.
 */
import type { AggregateFunctionDef } from '../registry.ts';
import { approxCountDistinctFunctions } from './approx-count-distinct.ts';
import { bitwiseFunctions } from './bitwise.ts';
import { collectFunctions } from './collect.ts';
import { countFunctions } from './count.ts';
import { histogramFunctions } from './histogram.ts';
import { minMaxFunctions } from './min-max.ts';
import { modeFunctions } from './mode.ts';
import { otherAggregates } from './other.ts';
import { percentileFunctions } from './percentile.ts';
import { statisticsFunctions } from './statistics.ts';
import { sumAvgFunctions } from './sum-avg.ts';

export { FirstLastAccumulator } from './other.ts';

export const aggregateFunctions: readonly AggregateFunctionDef[] = [
  ...countFunctions,
  ...sumAvgFunctions,
  ...minMaxFunctions,
  ...otherAggregates,
  ...collectFunctions,
  ...approxCountDistinctFunctions,
  ...statisticsFunctions,
  ...bitwiseFunctions,
  ...percentileFunctions,
  ...modeFunctions,
  ...histogramFunctions,
];
