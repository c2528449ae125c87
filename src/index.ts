/**
 * Kindling's public API for programs that embed the engine.
 *
 * ```ts
 * import { Engine } from 'kindling';
 * const engine = new Engine({ warehouse: './kindling-warehouse' });
 * const session = engine.createSession();
 * const { columns, rows } = await session.sql('SELECT 1 + 1 AS two');
 * ```
 */
export {
  Engine,
  Session,
  type EngineOptions,
  type SessionOptions,
  type QueryRows,
  type StatementResult,
  type ExecuteOptions,
  type StatementControl,
  parseMaster,
  splitProcessSettings,
} from './session/index.ts';
export { engineSessions, startServer } from './server/index.ts';
export {
  EngineError,
  SqlState,
  makeDirectories,
  type DataType,
  type Field,
  type Schema,
  type Value,
} from './common/index.ts';
export {
  ParquetFileWriter,
  encodeRowGroup,
  type EncodedRowGroup,
  type ParquetCompression,
  type ParquetWriteOptions,
} from './catalog/index.ts';
