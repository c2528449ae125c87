/**
 * The statistics views of live connections: `pg_stat_activity` (one row per open connection of the
 * server, from `ServerBackends.list()`: who, from where, since when, its state and statement) and
 * `pg_stat_gssapi` (no connection uses GSSAPI). A session not served by a server sees no rows.
 */
import type { BackendActivity, BackendIdentity } from './backends.ts';

/** The columns of pg_stat_activity (PostgreSQL 15). */
export const PG_STAT_ACTIVITY_COLUMNS =
  'datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid usename:name application_name client_addr ' +
  'client_hostname client_port:int4 backend_start:timestamptz xact_start:timestamptz query_start:timestamptz ' +
  'state_change:timestamptz wait_event_type wait_event state backend_xid:int4 backend_xmin:int4 query_id:int8 ' +
  'query backend_type';

export const PG_STAT_GSSAPI_COLUMNS = 'pid:int4 gss_authenticated:bool principal encrypted:bool';

type Row = Record<string, string | number | bigint | boolean | null>;

function micros(ms: number | null): bigint | null {
  return ms === null ? null : BigInt(Math.round(ms * 1000));
}

function backends(backend: BackendIdentity | null): readonly BackendActivity[] {
  return backend?.server.list() ?? [];
}

/**
 * pg_stat_activity's rows. `databaseOid` and `userOid` give the OIDs the other catalogs use for a
 * database and a role.
 */
export function activityRows(
  backend: BackendIdentity | null,
  databaseOid: (name: string) => number,
  userOid: (name: string) => number,
): Row[] {
  return backends(backend).map((b) => ({
    datid: databaseOid(b.database),
    datname: b.database,
    pid: b.pid,
    usesysid: userOid(b.user),
    usename: b.user,
    application_name: b.applicationName,
    client_addr: b.clientAddress === '' ? null : b.clientAddress,
    client_port: b.clientAddress === '' ? -1 : b.clientPort,
    backend_start: micros(b.backendStart),
    xact_start: micros(b.transactionStart),
    query_start: micros(b.queryStart),
    state_change: micros(b.stateChange),
    // A statement waiting for its client (rows to send) is PostgreSQL's ClientWrite; others wait on nothing.
    wait_event_type: b.state === 'active' ? null : 'Client',
    wait_event: b.state === 'active' ? null : 'ClientRead',
    state: b.state,
    query: b.query,
    backend_type: 'client backend',
  }));
}

/** pg_stat_gssapi's rows: every connection, none authenticated or encrypted by GSSAPI. */
export function gssapiRows(backend: BackendIdentity | null): Row[] {
  return backends(backend).map((b) => ({ pid: b.pid, gss_authenticated: false, encrypted: false }));
}

/** What pg_backend_pid() answers: the connection's process id, this process's when embedded. */
export function backendPid(backend: BackendIdentity | null): number {
  return backend?.processId ?? process.pid;
}
