/**
 * Functions: every scalar and aggregate function, each a definition with a signature rule, a
 * return-type rule and a vectorized implementation, gathered in one registry.
 */
export * from './registry.ts';
export * from './kernels/index.ts';
