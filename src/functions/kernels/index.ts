/**
 * Kernels shared by functions and physical expressions: arithmetic (with exact decimals), casts,
 * value comparison and the batch helpers every kernel uses.
 */
export * from './common.ts';
export * from './decimal.ts';
export * from './arithmetic.ts';
export * from './decimal-arithmetic.ts';
export * from './compare.ts';
export * from './datetime.ts';
export * from './cast.ts';
export * from './datetime-format.ts';
export * from './xxhash64.ts';
