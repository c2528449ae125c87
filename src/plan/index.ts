/**
 * Plan: logical plan nodes and bound expressions, where their children live, and EXPLAIN text.
 *
 *   Scan / Values ─► Filter ─► Project ─► Aggregate ─► Window ─► Sort ─► Limit
 *                 └─ Join / SetOp / RecursiveCte combine two inputs
 */
export * from './expr.ts';
export * from './logical-plan.ts';
export * from './tree.ts';
export * from './explain.ts';
export * from './conjuncts.ts';
