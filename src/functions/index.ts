/**
 * Functions: every scalar and aggregate function, each a definition with a signature rule, a
 * return-type rule and a vectorized implementation, gathered in one registry.
 *
 *   createFunctionRegistry() ─► lookup(name) ─► ScalarFunctionDef.resolve/evaluate
 *                                            └► AggregateFunctionDef.createAccumulator
 *   kernels/: arithmetic (exact decimals), casts, comparisons, datetime helpers shared with src/physical
 */
export * from './registry.ts';
export * from './type-coercion.ts';
export * from './kernels/index.ts';
export * from './create-registry.ts';
export * from './scalar/index.ts';
export * from './aggregate/index.ts';
