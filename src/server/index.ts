/**
 * Server: the PostgreSQL wire protocol (v3) in front of a `SqlSession` — start-up, simple and
 * extended query protocols, cancellation, text and binary value formats straight from Arrow.
 */
export { startServer, DEFAULT_SERVER_VERSION, type ServerOptions, type ServerHandle } from './server.ts';
export {
  DEFAULT_HBA,
  isLoopbackHost,
  parseHba,
  remoteTrustRules,
  type AuthMethod,
  type HbaRule,
} from './auth/hba.ts';
export { USERS_FILE, readUsers, removeUser, setUserPassword, type UserEntry } from './auth/users.ts';
export type { StartupInfo } from './connection.ts';
export { engineSessions } from './engine-sessions.ts';
export { pgTypeOf, dataTypeOfOid, PgOid, type PgType } from '../common/index.ts';
export { LOG_FORMATS, type LogFormat } from './server-log.ts';
export { formatTextColumn, type TextFormatContext } from './text-format.ts';
export { formatBinaryColumn } from './binary-format.ts';
export type { ColumnCells } from './cells.ts';
export { formatFloat4, formatFloat8 } from './float-text.ts';
export { ZoneOffsets } from './time-zone.ts';
