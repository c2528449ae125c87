/**
 * What the `kindling tpch` commands, the benchmark and the tests share: option validation, data
 * folders (find, generate atomically), registration of a TPC-H database, query texts, timing and
 * result comparison.
 */
export {
  DATA_FORMATS,
  MAX_SCALE_FACTOR,
  MIN_SCALE_FACTOR,
  TPCH_QUERY_NUMBERS,
  parseFormat,
  parseQueryList,
  parseRuns,
  parseWarmRuns,
  parseScaleFactor,
  parseWorkers,
  scaleName,
  tpchDatabase,
  type DataFormat,
} from './options.ts';
export { QUERY_DIR, queryText } from './queries.ts';
export { numberText, renderRows, renderValue } from './render.ts';
export { compareResults, compareWithAnswerText, type TextResult } from './compare.ts';
export {
  generateData,
  type GenerateDataOptions,
  type GenerateEvent,
  type TableFiles,
} from './generate-data.ts';
export {
  checkWritableDir,
  ensureData,
  findData,
  manifestPath,
  missingTables,
  type EnsureResult,
} from './data-dir.ts';
export { dropTpchTables, registerTpch, tableDdl } from './register.ts';
export {
  engineExecutor,
  geometricMean,
  median,
  timeQuery,
  type QueryExecutor,
  type Timed,
} from './timing.ts';
export { answerFile } from './answer-file.ts';
