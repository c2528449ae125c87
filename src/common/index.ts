/**
 * Common: the error type, data types and schemas, the Arrow bridge, tree rewriting and config.
 * Imports nothing of ours; every other layer may import it.
 */
export * from './errors.ts';
export * from './types.ts';
export * from './arrow.ts';
export * from './time-zone.ts';
export * from './tree.ts';
export * from './columns.ts';
export * from './files.ts';
export * from './event-loop.ts';
export * from './pg-types.ts';
export * from './copy-options.ts';
export * from './interval-text.ts';
export * from './calendar-interval.ts';
export * from './time-of-day.ts';
export * from './double-text.ts';
export * from './json-text.ts';
export * from './json-values.ts';
export * from './json-schema.ts';
