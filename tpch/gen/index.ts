/**
 * TPC-H data generator (spec 2.17): the eight tables at any scale factor as dbgen's `.tbl` text,
 * deterministic, streaming, parallel over worker threads. Plain Node; uses nothing of the engine.
 */

export { generateTable, generateTables } from './generate.ts';
export type { GenerateOptions, GeneratedFile } from './generate.ts';
export { TABLE_NAMES, scaleOf } from './scale.ts';
export type { Scale, TableName } from './scale.ts';
export { tableRows, unitCount } from './table-rows.ts';
