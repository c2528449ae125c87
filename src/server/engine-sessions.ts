/**
 * The sessions a server opens on an embedded engine: one per connection, for the database the
 * client named (3D000 when it does not exist, as in PostgreSQL), with the client's start-up
 * settings over the wire's defaults and the connection's handle (pg_stat_activity, pg_backend_pid).
 */
import { EngineError, SqlState } from '../common/index.ts';
import type { Engine, Session } from '../session/index.ts';
import type { StartupInfo } from './connection.ts';

export function engineSessions(engine: Engine): (startup: StartupInfo) => Session {
  return (startup) => {
    if (engine.metastore.getDatabase(startup.database.toLowerCase()) === undefined) {
      throw new EngineError(SqlState.invalidCatalogName, `database "${startup.database}" does not exist`);
    }
    return engine.createSession({
      user: startup.user,
      database: startup.database,
      settings: startup.settings,
      backend: startup.backend,
    });
  };
}
