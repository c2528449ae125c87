/**
 * What a session knows of the server's connections (PostgreSQL's backends): the server implements
 * `ServerBackends` and hands it, with the connection's own process id, to the session it creates
 * (the session layer declares the interface; it never imports the server).
 *
 * From it come `pg_backend_pid()`, the live `pg_stat_activity` (one row per open connection:
 * who, from where, since when, doing what) and `pg_cancel_backend(pid)` /
 * `pg_terminate_backend(pid)`, which cancel the running statement of, or close, a connection of
 * the same user — as PostgreSQL lets a role signal its own backends — and answer whether there was
 * such a connection.
 */
import { EngineError, SqlState } from '../common/index.ts';
import type { BackendSignals } from '../functions/index.ts';

/** One connection, as pg_stat_activity shows it. Times are milliseconds since the epoch. */
export interface BackendActivity {
  /** The process id the client got in BackendKeyData. */
  readonly pid: number;
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  /** The client's address; empty for a Unix-domain socket. */
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly backendStart: number;
  /** Null when no transaction is open. */
  readonly transactionStart: number | null;
  /** When the current (or, idle, the last) statement started; null before the first. */
  readonly queryStart: number | null;
  readonly stateChange: number;
  readonly state: 'active' | 'idle' | 'idle in transaction' | 'idle in transaction (aborted)';
  /** The current statement, or the last one when idle. */
  readonly query: string;
}

/** The server's side: its connections, and signals to them. */
export interface ServerBackends {
  /** Every connection that has completed start-up. */
  list(): readonly BackendActivity[];
  /** Cancels the running statement of connection `pid`, if any; false when there is no such connection. */
  cancel(pid: number): boolean;
  /** Closes connection `pid` (its client gets 57P01); false when there is no such connection. */
  terminate(pid: number): boolean;
}

/** The connection a session serves: its process id and its server. */
export interface BackendIdentity {
  readonly processId: number;
  readonly server: ServerBackends;
}

/**
 * The signals a session may send (EvalContext.backends): to connections of its own user only, as
 * PostgreSQL allows a role without pg_signal_backend.
 */
export function backendSignals(backend: BackendIdentity, user: string): BackendSignals {
  return {
    signal(pid, kind) {
      const target = backend.server.list().find((b) => b.pid === pid);
      if (target === undefined) return false;
      if (target.user !== user) {
        throw new EngineError(
          SqlState.insufficientPrivilege,
          `permission denied to ${kind === 'cancel' ? 'cancel query' : 'terminate process'}`,
          {
            detail: `Only roles with privileges of the role whose ${kind === 'cancel' ? 'query is being canceled' : 'process is being terminated'} or with privileges of the "pg_signal_backend" role may ${kind === 'cancel' ? 'cancel this query' : 'terminate this process'}.`,
          },
        );
      }
      return kind === 'cancel' ? backend.server.cancel(pid) : backend.server.terminate(pid);
    },
  };
}
