/**
 * Session: the one entry that runs SQL end to end, and its settings.
 */
export * from './types.ts';
