/**
 * CLI: the `kindling` command — `serve`, `sql` (and later `executor`, `tpch`).
 */
export { buildProgram, describeError } from './program.ts';
export { formatTable, formatValue } from './format.ts';
