/**
 * Kernels of the physical layer (comparison, three-valued logic, IN lists, CASE merging). The
 * arithmetic, decimal and cast kernels live in src/functions/kernels (functions need them too) and
 * are re-exported here for discoverability.
 */
export * from './comparison.ts';
export * from './boolean.ts';
export * from './in-list.ts';
export * from './select-merge.ts';
export { arithmetic, negate, decimalArithmetic, castColumnar, castValue } from '../../functions/index.ts';
