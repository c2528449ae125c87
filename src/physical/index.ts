/**
 * Physical: the physical planner, operators (`XxxExec`), physical expressions and kernels.
 */
export * from './execution-plan.ts';
export * from './operators/index.ts';
export * from './batch/index.ts';
export * from './expressions/index.ts';
export * from './kernels/index.ts';
export * from './planner.ts';
export * from './plan-spec.ts';
export * from './plan-decoder.ts';
export * from './distribution.ts';
