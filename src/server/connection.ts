/**
 * One client connection: start-up, the simple and extended query protocols, transaction status,
 * cancellation and clean shutdown. Messages are handled strictly one after another; bad input ends
 * this connection with a FATAL ErrorResponse and never affects another one.
 *
 * Cancellation: each running statement has an AbortController (`running`) that a CancelRequest
 * aborts; a portal keeps its own for its whole life, so a cancel reaches its query in any Execute.
 * The session times the statement (`statement_timeout`) and says why it stopped (its
 * `StatementControl`); rows waiting for a slow client stop too. A socket that closes or fails aborts
 * every statement of the connection at once, even while the message loop is awaiting one.
 *
 * Logging (server-log.ts): the connection logs its own authorization, end, FATAL and ERROR
 * responses (with the statement being run) and, when the server asks for durations, each simple
 * Query and each Execute that took long enough.
 */
import type { Socket } from 'node:net';
import {
  EngineError,
  PgOid,
  SqlState,
  dataTypeOfOid,
  pgTypeOf,
  toEngineError,
  type Schema,
  type Value,
} from '../common/index.ts';
import {
  statementCanceled,
  type BackendActivity,
  type BackendIdentity,
  type ServerBackends,
  type PreparedStatement,
  type SqlSession,
  type StatementControl,
  type StatementResult,
} from '../session/index.ts';
import * as msg from './backend-messages.ts';
import { supportsBinary } from './binary-format.ts';
import { FrameReader, protocolError, type Frame } from './frame-reader.ts';
import {
  PROTOCOL_3_0,
  decodeBind,
  decodeDescribeOrClose,
  decodeExecute,
  decodeParse,
  decodeQuery,
  decodeStartup,
  type BindMessage,
  type ParseMessage,
} from './frontend-messages.ts';
import { decodeNumericParam, decodeParam } from './param-decode.ts';
import { CopyLineWriter, writeCopyDone, writeCopyInResponse, writeCopyOutResponse } from './copy-out.ts';
import { RowCursor, type RowSink } from './row-stream.ts';
import { isEmptyQuery, startsWithTransactionEnd } from './sql-text.ts';
import type { AuthExchange } from './auth/exchanges.ts';
import { normalizeAddress, type ConnectionFacts } from './auth/hba.ts';
import type { ConnectionIdentity, LogEvent, ServerLog } from './server-log.ts';
import { startupSettings } from './startup-options.ts';
import { ZoneOffsets } from './time-zone.ts';
import { WriteBuffer } from './write-buffer.ts';

export interface StartupInfo {
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  readonly parameters: Record<string, string>;
  /** Settings the client asked for: GUC-named parameters and `options` (`-c statement_timeout=5s`). */
  readonly settings: Record<string, string>;
  /** The connection's process id and the server's view of all its connections, for the session. */
  readonly backend: BackendIdentity;
}

/** How a connection must authenticate, decided by the server's rules. */
export type AuthPlan =
  | { readonly kind: 'trust' }
  | { readonly kind: 'refuse'; readonly error: EngineError }
  | { readonly kind: 'exchange'; readonly exchange: AuthExchange };

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly serverVersion: string;
  /** How the client must prove who it is (checked before any session is made). */
  authPlan(facts: ConnectionFacts): AuthPlan;
  createSession(startup: StartupInfo): SqlSession;
  readonly log: ServerLog;
  /** Registers the connection (by its process id) for CancelRequest; returns its secret key. */
  register(connection: Connection): number;
  /** Cancels the query of the connection with this key, if any. */
  cancel(processId: number, secretKey: number): void;
  closed(connection: Connection): void;
  /** The server's connections, as sessions see them (pg_stat_activity, pg_cancel_backend). */
  readonly backends: ServerBackends;
}

interface StatementEntry {
  readonly sql: string;
  /** Null for an empty query string. */
  readonly prepared: PreparedStatement | null;
  readonly declaredOids: readonly number[];
}

interface Portal {
  readonly statement: StatementEntry;
  readonly params: readonly Value[];
  readonly formats: readonly number[];
  started: boolean;
  /** Aborts the portal's query: from its first Execute until it is closed. */
  controller: AbortController | null;
  control: StatementControl | null;
  cursor: RowCursor | null;
  /** The CommandComplete verb of the running row result. */
  tag: string;
  finished: boolean;
}

class ConnectionClosed extends Error {}

/** Input buffered beyond this while a message is being handled pauses the socket. */
const INPUT_HIGH_WATER = 16 * 1024 * 1024;
/** Output queued in the socket beyond this waits for 'drain' before more rows are produced. */
const OUTPUT_HIGH_WATER = 1024 * 1024;

const CODE = {
  query: 0x51, // Q
  parse: 0x50, // P
  bind: 0x42, // B
  describe: 0x44, // D
  execute: 0x45, // E
  close: 0x43, // C
  sync: 0x53, // S
  password: 0x70, // p
  flush: 0x48, // H
  terminate: 0x58, // X
  copyData: 0x64, // d
  copyDone: 0x63, // c
  copyFail: 0x66, // f
  functionCall: 0x46, // F
} as const;

/** Stops a portal's query, if it still runs, and closes its rows. */
async function closePortal(portal: Portal): Promise<void> {
  portal.controller?.abort();
  await portal.cursor?.close();
}

/** The rows a command's tag reports (`INSERT 0 5` → 5), for the duration log; 0 when none. */
function tagRows(tag: string): number {
  const n = Number(tag.slice(tag.lastIndexOf(' ') + 1));
  return Number.isInteger(n) ? n : 0;
}

/** Who a client is as far as its socket tells: its address, under the connection's process id. */
export function socketIdentity(processId: number, socket: Socket): MutableIdentity {
  return {
    pid: processId,
    user: '',
    database: '',
    applicationName: '',
    address: normalizeAddress(socket.remoteAddress ?? ''),
    port: socket.remotePort ?? 0,
  };
}

/** Filled in as start-up tells who the client is. */
type MutableIdentity = { -readonly [K in keyof ConnectionIdentity]: ConnectionIdentity[K] };

/** The CommandComplete tag of a row result: the verb, with the row count where PostgreSQL adds one. */
function rowsTag(tag: string, rows: number): string {
  return tag === 'SELECT' || tag === 'FETCH' || tag === 'MOVE' || tag === 'COPY' ? `${tag} ${rows}` : tag;
}

export class Connection {
  private readonly socket: Socket;
  private readonly host: ConnectionHost;
  private readonly reader = new FrameReader();
  private readonly out = new WriteBuffer();
  private session: SqlSession | null = null;
  private started = false;
  /** The password exchange under way, with what start-up asked for; null before and after it. */
  private auth: {
    readonly exchange: AuthExchange;
    readonly user: string;
    readonly parameters: Record<string, string>;
  } | null = null;
  private isClosed = false;
  private ended = false;
  private busy = false;
  private wake: (() => void) | null = null;
  private txStatus: msg.TransactionStatus = 'I';
  private skipUntilSync = false;
  private readonly statements = new Map<string, StatementEntry>();
  private readonly portals = new Map<string, Portal>();
  private pendingParameters: { name: string; value: string }[] = [];
  private zone = new ZoneOffsets('UTC');
  /** The statement being run, aborted by CancelRequest; null while idle. */
  private running: AbortController | null = null;
  /** The session's control of the statement whose rows are being sent. */
  private control: StatementControl | null = null;
  private secretKey = 0;
  private readonly sink: RowSink;
  /** Whether the connection runs inside TLS. */
  private readonly ssl: boolean;
  /** Who the client is, for the log (its process id from the start). */
  private readonly who: MutableIdentity;
  /** When the connection began (`performance.now()`), for the session time. */
  private readonly openedAt = performance.now();
  /** The text of the statement the message being handled runs, for the log of its error. */
  private statementText: string | null = null;
  /** What pg_stat_activity shows (times in epoch milliseconds). */
  private readonly activityTimes = {
    backendStart: Date.now(),
    stateChange: Date.now(),
    queryStart: null as number | null,
    transactionStart: null as number | null,
  };
  /** The statement running, or the last one. */
  private lastQuery = '';
  /** pg_terminate_backend asked the connection to close. */
  private terminating = false;

  /**
   * `processId`: the connection's, given at accept so that even a failed start-up is logged under
   * it; `initial`: bytes of the stream already read (by the SSLRequest negotiation); `ended`: the
   * client ended its side meanwhile.
   */
  constructor(
    socket: Socket,
    host: ConnectionHost,
    options: { processId: number; ssl?: boolean; initial?: Buffer; ended?: boolean },
  ) {
    this.socket = socket;
    this.host = host;
    this.who = socketIdentity(options.processId, socket);
    this.ssl = options.ssl ?? false;
    this.ended = options.ended ?? false;
    if (options.initial !== undefined) this.reader.push(options.initial);
    socket.setNoDelay(true);
    this.sink = {
      out: this.out,
      textContext: { zone: this.zone },
      flush: () => this.flush(),
      checkCancelled: () => this.checkCancelled(),
    };
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      if (this.busy && this.reader.available > INPUT_HIGH_WATER) socket.pause();
      this.signal();
    });
    socket.on('end', () => {
      this.ended = true;
      this.signal();
    });
    socket.on('error', (err: Error) => {
      this.log({ event: 'message', message: `connection error: ${err.message}` });
      this.abortAll();
    });
    socket.on('close', () => {
      this.isClosed = true;
      this.abortAll();
      this.signal();
    });
  }

  /** Runs the connection until it closes. Never rejects. */
  async run(): Promise<void> {
    try {
      await this.loop();
    } catch (err) {
      if (!(err instanceof ConnectionClosed)) {
        this.log({ event: 'message', message: `connection failed: ${String(err)}` });
      }
    } finally {
      await this.teardown();
    }
  }

  /** Aborts the running statement, if any (CancelRequest); an idle connection ignores it. */
  cancel(): void {
    this.running?.abort();
  }

  /**
   * Closes the connection at another session's request (pg_terminate_backend): its running
   * statement stops and the client gets FATAL 57P01, as from PostgreSQL.
   */
  terminate(): void {
    if (this.isClosed || this.terminating) return;
    this.terminating = true;
    this.abortAll();
    this.signal();
  }

  /** The connection as pg_stat_activity shows it. */
  activity(): BackendActivity {
    const state =
      this.running !== null
        ? 'active'
        : this.txStatus === 'T'
          ? 'idle in transaction'
          : this.txStatus === 'E'
            ? 'idle in transaction (aborted)'
            : 'idle';
    const t = this.activityTimes;
    return {
      pid: this.who.pid,
      user: this.who.user,
      database: this.who.database,
      applicationName: this.who.applicationName,
      clientAddress: this.who.address,
      clientPort: this.who.port,
      backendStart: t.backendStart,
      // Outside BEGIN, a running statement is its own transaction.
      transactionStart: this.txStatus !== 'I' ? t.transactionStart : state === 'active' ? t.queryStart : null,
      queryStart: t.queryStart,
      stateChange: t.stateChange,
      state,
      query: this.lastQuery,
    };
  }

  /** A statement starts running (pg_stat_activity's state `active`). */
  private startRunning(controller: AbortController, sql: string): void {
    this.running = controller;
    this.lastQuery = sql;
    const now = Date.now();
    this.activityTimes.queryStart = now;
    this.activityTimes.stateChange = now;
  }

  /** The running statement has ended. */
  private idle(): void {
    this.running = null;
    this.activityTimes.stateChange = Date.now();
  }

  /** The client is gone: stops the running statement and every open portal's query. */
  private abortAll(): void {
    this.running?.abort();
    for (const portal of this.portals.values()) portal.controller?.abort();
  }

  /** Start-up (and authentication) has completed. */
  get authenticated(): boolean {
    return this.started;
  }

  get processId(): number {
    return this.who.pid;
  }

  private log(event: LogEvent): void {
    this.host.log.connection(this.who, event);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.isClosed) return;
      if (this.terminating) {
        await this.fatal(new EngineError('57P01', 'terminating connection due to administrator command'));
        return;
      }
      let frame: Frame | null;
      try {
        frame = this.reader.next();
      } catch (err) {
        await this.fatal(toEngineError(err));
        return;
      }
      if (frame === null) {
        if (this.ended) {
          if (this.reader.available > 0) {
            this.log({ event: 'message', message: 'connection closed in the middle of a message' });
          }
          this.socket.end();
          return;
        }
        if (this.socket.isPaused()) this.socket.resume();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      this.busy = true;
      const keepGoing = this.started
        ? await this.handleMessage(frame)
        : this.auth !== null
          ? await this.handleAuth(frame)
          : await this.handleStartup(frame);
      this.busy = false;
      this.statementText = null;
      if (!keepGoing) return;
    }
  }

  private async teardown(): Promise<void> {
    this.abortAll();
    for (const portal of this.portals.values()) await closePortal(portal);
    this.portals.clear();
    this.statements.clear();
    try {
      this.session?.close();
    } catch (err) {
      this.log({ event: 'message', message: `session close failed: ${String(err)}` });
    }
    this.session = null;
    if (!this.socket.destroyed) this.socket.destroy();
    this.host.closed(this);
    // As PostgreSQL's log_disconnections: only sessions that got past authentication.
    if (this.started) this.log({ event: 'disconnection', sessionMs: performance.now() - this.openedAt });
  }

  // ---- output -------------------------------------------------------------------------------

  private async flush(): Promise<void> {
    if (this.out.length === 0) return;
    if (this.isClosed || this.socket.destroyed) throw new ConnectionClosed();
    const chunk = this.out.take();
    this.socket.write(chunk);
    // Keep up to OUTPUT_HIGH_WATER queued in the socket (its own mark is only 16 KiB), then wait for
    // 'drain' — or for the running statement to be cancelled or timed out, which ends its rows.
    if (this.socket.writableLength <= OUTPUT_HIGH_WATER) return;
    const statement = this.control?.signal ?? this.running?.signal;
    if (statement?.aborted !== true) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          statement?.removeEventListener('abort', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
        statement?.addEventListener('abort', done);
      });
    }
    this.checkCancelled();
  }

  /** Sends a FATAL error and closes the connection. */
  private async fatal(err: EngineError): Promise<void> {
    // Class 28 is "invalid authorization": a refused login, whatever the step that refused it.
    this.log(
      err.sqlstate.startsWith('28')
        ? { event: 'authentication_failed', sqlstate: err.sqlstate, message: err.message }
        : {
            event: 'error',
            level: 'FATAL',
            sqlstate: err.sqlstate,
            message: err.message,
            statement: this.statementText,
          },
    );
    msg.writeErrorResponse(this.out, err, 'FATAL');
    try {
      await this.flush();
    } catch {
      // Already gone.
    }
    this.socket.end();
  }

  /** Throws when the client is gone, or the running statement was cancelled or timed out. */
  private checkCancelled(): void {
    if (this.isClosed) throw new ConnectionClosed();
    this.control?.throwIfAborted();
    if (this.running?.signal.aborted === true) throw statementCanceled('user request');
  }

  // ---- start-up -----------------------------------------------------------------------------

  private async handleStartup(frame: Frame): Promise<boolean> {
    let packet;
    try {
      packet = decodeStartup(frame.body);
    } catch (err) {
      await this.fatal(toEngineError(err));
      return false;
    }
    switch (packet.kind) {
      case 'ssl':
      case 'gssenc':
        // Negotiated before the connection began (tls-negotiation.ts); one arriving now is a
        // repeat, answered 'N' as PostgreSQL does.
        this.out.byte(0x4e);
        await this.flush();
        return true;
      case 'cancel':
        this.host.cancel(packet.processId, packet.secretKey);
        this.socket.end();
        return false;
      case 'startup':
        return this.startSession(packet.version, packet.parameters);
    }
  }

  private async startSession(version: number, parameters: Record<string, string>): Promise<boolean> {
    const major = version >>> 16;
    const minor = version & 0xffff;
    if (major !== 3) {
      await this.fatal(
        protocolError(`unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`),
      );
      return false;
    }
    const user = parameters['user'] ?? '';
    if (user === '') {
      await this.fatal(
        new EngineError(SqlState.invalidAuthorization, 'no PostgreSQL user name specified in startup packet'),
      );
      return false;
    }
    this.who.user = user;
    this.who.database = parameters['database'] ?? user;
    this.who.applicationName = parameters['application_name'] ?? '';
    if (version !== PROTOCOL_3_0) {
      // NegotiateProtocolVersion: we speak 3.0 and none of the `_pq_.` options.
      const unknown = Object.keys(parameters).filter((k) => k.startsWith('_pq_.'));
      const at = this.out.begin(0x76);
      this.out.int32(PROTOCOL_3_0);
      this.out.int32(unknown.length);
      for (const name of unknown) this.out.cstring(name);
      this.out.end(at);
    }
    let plan: AuthPlan;
    try {
      plan = this.host.authPlan({
        address: this.socket.remoteAddress ?? '',
        ssl: this.ssl,
        database: parameters['database'] ?? user,
        user,
      });
    } catch (err) {
      // A users file that cannot be read: the client learns why, the server goes on.
      await this.fatal(toEngineError(err));
      return false;
    }
    switch (plan.kind) {
      case 'trust':
        return this.finishStartup(user, parameters);
      case 'refuse':
        await this.fatal(plan.error);
        return false;
      case 'exchange':
        // Password messages carry a type byte, like every message after start-up.
        this.reader.startupComplete();
        this.auth = { exchange: plan.exchange, user, parameters };
        plan.exchange.start(this.out);
        await this.flush();
        return true;
    }
  }

  /** One answer of the password exchange ('p'): on to the next step, the session, or 28P01. */
  private async handleAuth(frame: Frame): Promise<boolean> {
    const auth = this.auth!;
    if (frame.type !== CODE.password) {
      await this.fatal(
        protocolError(`expected password response, got message type ${String.fromCharCode(frame.type)}`),
      );
      return false;
    }
    let step;
    try {
      step = await auth.exchange.receive(frame.body, this.out);
    } catch (err) {
      await this.fatal(toEngineError(err));
      return false;
    }
    if (step === 'continue') {
      await this.flush();
      return true;
    }
    this.auth = null;
    if (step === 'fail') {
      await this.fatal(
        new EngineError(SqlState.invalidPassword, `password authentication failed for user "${auth.user}"`),
      );
      return false;
    }
    return this.finishStartup(auth.user, auth.parameters);
  }

  /** The client is who it says: makes its session and reports the server's parameters. */
  private async finishStartup(user: string, parameters: Record<string, string>): Promise<boolean> {
    try {
      const startup: StartupInfo = {
        user,
        database: parameters['database'] ?? user,
        applicationName: parameters['application_name'] ?? '',
        parameters,
        settings: startupSettings(parameters),
        backend: { processId: this.who.pid, server: this.host.backends },
      };
      this.session = this.host.createSession(startup);
    } catch (err) {
      await this.fatal(toEngineError(err));
      return false;
    }
    const session = this.session;
    this.reader.startupComplete();
    this.started = true;
    this.secretKey = this.host.register(this);
    this.log({ event: 'connection' });

    const applicationName = parameters['application_name'] ?? '';
    const reported = new Map<string, string>([
      ['server_version', this.host.serverVersion],
      ['server_encoding', 'UTF8'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['integer_datetimes', 'on'],
      ['standard_conforming_strings', 'on'],
      ['TimeZone', 'UTC'],
      ['IntervalStyle', 'postgres'],
      ['application_name', applicationName],
      ['is_superuser', 'on'],
      ['session_authorization', user],
      ['default_transaction_read_only', 'off'],
      ['in_hot_standby', 'off'],
    ]);
    for (const p of session.reportedParameters()) reported.set(p.name, p.value);
    session.onParameterChange((change) => {
      this.pendingParameters.push({ name: change.name, value: change.value });
      if (change.name === 'application_name') this.who.applicationName = change.value;
      if (change.name.toLowerCase() === 'timezone') this.setZone(change.value);
    });
    this.setZone(reported.get('TimeZone') ?? 'UTC');

    msg.writeAuthenticationOk(this.out);
    for (const [name, value] of reported) msg.writeParameterStatus(this.out, name, value);
    msg.writeBackendKeyData(this.out, this.who.pid, this.secretKey);
    msg.writeReadyForQuery(this.out, this.txStatus);
    await this.flush();
    return true;
  }

  private setZone(name: string): void {
    this.zone = new ZoneOffsets(name);
    this.sink.textContext = { zone: this.zone };
  }

  // ---- messages after start-up --------------------------------------------------------------

  private async handleMessage(frame: Frame): Promise<boolean> {
    const type = frame.type;
    if (type === CODE.terminate) {
      this.socket.end();
      return false;
    }
    // After an error in the extended protocol, everything up to Sync is discarded.
    if (this.skipUntilSync && type !== CODE.sync) return true;
    try {
      switch (type) {
        case CODE.query:
          await this.simpleQuery(decodeQuery(frame.body));
          return true;
        case CODE.parse:
          await this.parse(decodeParse(frame.body));
          return true;
        case CODE.bind:
          this.bind(decodeBind(frame.body));
          return true;
        case CODE.describe:
          this.describe(frame.body);
          return true;
        case CODE.execute:
          await this.execute(frame.body);
          return true;
        case CODE.close:
          await this.closeTarget(frame.body);
          return true;
        case CODE.sync:
          await this.sync();
          return true;
        case CODE.flush:
          await this.flush();
          return true;
        case CODE.copyData:
        case CODE.copyDone:
        case CODE.copyFail:
          // No COPY is in progress (COPY is refused up front); PostgreSQL ignores these too.
          return true;
        case CODE.functionCall:
          throw new EngineError(
            SqlState.featureNotSupported,
            'the function call protocol message is not supported',
          );
        default:
          await this.fatal(protocolError(`invalid frontend message type ${type}`));
          return false;
      }
    } catch (err) {
      if (err instanceof ConnectionClosed) return false;
      // A terminated connection reports its FATAL instead (loop).
      if (this.terminating) return true;
      const e = toEngineError(err);
      if (e.sqlstate === SqlState.protocolViolation && type !== CODE.bind) {
        await this.fatal(e);
        return false;
      }
      this.reportError(e);
      this.log({
        event: 'error',
        level: 'ERROR',
        sqlstate: e.sqlstate,
        message: e.message,
        statement: this.statementText,
      });
      if (type === CODE.query || type === CODE.functionCall) {
        msg.writeReadyForQuery(this.out, this.txStatus);
      } else {
        this.skipUntilSync = true;
      }
      await this.flush();
      return true;
    }
  }

  private reportError(err: EngineError): void {
    if (this.txStatus === 'T') this.txStatus = 'E';
    msg.writeErrorResponse(this.out, err);
  }

  /** Transaction status after a statement completed with `tag`. */
  /** DEALLOCATE name (26000 when there is none) or, with null, every named prepared statement. */
  private deallocate(name: string | null | undefined): void {
    if (name === undefined) return;
    if (name === null) {
      for (const key of [...this.statements.keys()]) if (key !== '') this.statements.delete(key);
      return;
    }
    if (!this.statements.delete(name)) {
      throw new EngineError('26000', `prepared statement "${name}" does not exist`);
    }
  }

  private afterCommand(tag: string): void {
    const verb = tag.split(' ', 1)[0]!.toUpperCase();
    if ((verb === 'BEGIN' || verb === 'START') && this.txStatus === 'I') {
      this.txStatus = 'T';
      this.activityTimes.transactionStart = this.activityTimes.queryStart ?? Date.now();
    } else if (verb === 'COMMIT' || verb === 'ROLLBACK' || verb === 'END' || verb === 'ABORT')
      this.txStatus = 'I';
    for (const p of this.pendingParameters) msg.writeParameterStatus(this.out, p.name, p.value);
    this.pendingParameters = [];
  }

  private failedTransactionError(): EngineError {
    return new EngineError(
      SqlState.inFailedTransaction,
      'current transaction is aborted, commands ignored until end of transaction block',
    );
  }

  private begin(sql: string): AbortController {
    const controller = new AbortController();
    this.startRunning(controller, sql);
    return controller;
  }

  /**
   * The error a failed statement reports. A `Session` already reports a cancelled statement as 57014
   * with its reason; this only covers a session that fails some other way once cancelled.
   */
  private queryError(err: unknown, controller: AbortController): unknown {
    if (err instanceof ConnectionClosed) return err;
    if (
      controller.signal.aborted &&
      !(err instanceof EngineError && err.sqlstate !== SqlState.internalError)
    ) {
      return statementCanceled('user request');
    }
    return err;
  }

  /** When a statement starts, for `log_min_duration_statement`; -1 when durations are not logged. */
  private statementStart(): number {
    return this.host.log.timesStatements ? performance.now() : -1;
  }

  /**
   * Logs a statement that completed, if it took long enough. Like PostgreSQL, the time runs until
   * its last row is written, and a failed statement logs its error instead.
   */
  private logDuration(start: number, rows: number, statement: string): void {
    if (start < 0) return;
    const durationMs = performance.now() - start;
    if (this.host.log.logsDuration(durationMs)) this.log({ event: 'duration', durationMs, rows, statement });
  }

  // ---- simple query -------------------------------------------------------------------------

  private async simpleQuery(sql: string): Promise<void> {
    const session = this.session!;
    this.statementText = sql;
    const start = this.statementStart();
    if (this.txStatus === 'E' && !startsWithTransactionEnd(sql)) throw this.failedTransactionError();
    const controller = this.begin(sql);
    let count = 0;
    let rows = 0;
    try {
      for await (const result of session.execute(sql, { signal: controller.signal })) {
        count++;
        rows += await this.sendResult(result);
      }
      if (count === 0) msg.writeEmptyQueryResponse(this.out);
    } catch (err) {
      throw this.queryError(err, controller);
    } finally {
      this.idle();
    }
    this.logDuration(start, rows, sql);
    for (const p of this.pendingParameters) msg.writeParameterStatus(this.out, p.name, p.value);
    this.pendingParameters = [];
    msg.writeReadyForQuery(this.out, this.txStatus);
    await this.flush();
  }

  /**
   * Sends one simple-protocol result: RowDescription + DataRows + CommandComplete, or the command
   * tag. Returns the rows sent (or that the command's tag reports).
   */
  private async sendResult(result: StatementResult): Promise<number> {
    if (result.kind === 'command') {
      this.deallocate(result.deallocate);
      msg.writeCommandComplete(this.out, result.tag);
      this.afterCommand(result.tag);
      return tagRows(result.tag);
    }
    if (result.kind === 'copy_in') {
      writeCopyInResponse(this.out, result.columns);
      await this.flush();
      const tag = await result.load(this.copyData());
      msg.writeCommandComplete(this.out, tag);
      return tagRows(tag);
    }
    const types = result.schema.fields.map((f) => f.type);
    const formats = types.map(() => (result.binary === true ? 1 : 0));
    let cursor: RowCursor;
    if (result.copy !== undefined) {
      // COPY … TO STDOUT: the rows go out as COPY data.
      const lines = new CopyLineWriter(result.copy);
      writeCopyOutResponse(this.out, types.length);
      if (result.copy.header)
        lines.header(
          this.out,
          result.schema.fields.map((f) => f.name),
        );
      cursor = new RowCursor(result.batches, types, formats, (w, cells, from, to) =>
        lines.rows(w, cells, from, to),
      );
    } else {
      msg.writeRowDescription(this.out, result.schema.fields, formats, result.origins);
      cursor = new RowCursor(result.batches, types, formats);
    }
    this.control = result.control ?? null;
    try {
      const { rows } = await cursor.stream(this.sink, 0);
      if (result.copy !== undefined) writeCopyDone(this.out);
      msg.writeCommandComplete(this.out, rowsTag(result.tag, rows));
      this.afterCommand(result.tag);
      return rows;
    } finally {
      this.control = null;
      await cursor.close();
    }
  }

  /**
   * The CopyData the client sends after CopyInResponse, up to CopyDone; CopyFail ends it with
   * 57014 (PostgreSQL's code for it). Flush and Sync in between are ignored, as PostgreSQL does.
   */
  private async *copyData(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const frame = await this.nextFrame();
      switch (frame.type) {
        case CODE.copyData:
          yield frame.body;
          break;
        case CODE.copyDone:
          return;
        case CODE.copyFail: {
          const reason = frame.body.subarray(0, Math.max(0, frame.body.indexOf(0))).toString('utf8');
          throw new EngineError(SqlState.queryCanceled, `COPY from stdin failed: ${reason}`);
        }
        case CODE.flush:
        case CODE.sync:
          break;
        default:
          throw protocolError(`unexpected message type 0x${frame.type.toString(16)} during COPY from stdin`);
      }
    }
  }

  /** The next whole message, waiting for the client (the loop's own reading, while a COPY runs). */
  private async nextFrame(): Promise<Frame> {
    for (;;) {
      if (this.isClosed) throw new ConnectionClosed();
      const frame = this.reader.next();
      if (frame !== null) return frame;
      if (this.ended || this.socket.destroyed) throw new ConnectionClosed();
      if (this.socket.isPaused()) this.socket.resume();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  // ---- extended query -----------------------------------------------------------------------

  private async parse(m: ParseMessage): Promise<void> {
    this.statementText = m.sql;
    if (this.txStatus === 'E' && !startsWithTransactionEnd(m.sql)) throw this.failedTransactionError();
    if (m.name !== '' && this.statements.has(m.name)) {
      throw new EngineError('42P05', `prepared statement "${m.name}" already exists`);
    }
    let prepared: PreparedStatement | null = null;
    if (!isEmptyQuery(m.sql)) {
      if (/^\s*copy\b/i.test(m.sql)) {
        throw new EngineError(
          SqlState.featureNotSupported,
          "COPY is supported over the simple query protocol only (as psql, psycopg and JDBC's CopyManager send it)",
        );
      }
      prepared = await this.session!.prepare(
        m.sql,
        m.paramOids.map((oid) => (oid === 0 ? null : dataTypeOfOid(oid))),
      );
    }
    this.statements.set(m.name, { sql: m.sql, prepared, declaredOids: m.paramOids });
    msg.writeParseComplete(this.out);
  }

  private statement(name: string): StatementEntry {
    const entry = this.statements.get(name);
    if (entry === undefined) throw new EngineError('26000', `prepared statement "${name}" does not exist`);
    return entry;
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (portal === undefined) throw new EngineError('34000', `portal "${name}" does not exist`);
    return portal;
  }

  private bind(m: BindMessage): void {
    const statement = this.statement(m.statement);
    this.statementText = statement.sql;
    if (this.txStatus === 'E' && !startsWithTransactionEnd(statement.sql))
      throw this.failedTransactionError();
    const paramTypes = statement.prepared?.paramTypes ?? [];
    if (m.params.length !== paramTypes.length) {
      throw protocolError(
        `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${paramTypes.length}`,
      );
    }
    if (m.paramFormats.length > 1 && m.paramFormats.length !== m.params.length) {
      throw protocolError(
        `bind message has ${m.paramFormats.length} parameter formats but ${m.params.length} parameters`,
      );
    }
    const params: Value[] = [];
    for (let i = 0; i < m.params.length; i++) {
      const format =
        m.paramFormats.length === 0
          ? 0
          : m.paramFormats.length === 1
            ? m.paramFormats[0]!
            : m.paramFormats[i]!;
      try {
        // Binary values are read as the type the client declared, or else as the one described to it.
        const declared = statement.declaredOids[i] ?? 0;
        const described = statement.prepared?.describedParamTypes[i] ?? paramTypes[i]!;
        const wireOid = declared !== 0 ? declared : pgTypeOf(described).oid;
        params.push(
          declared === PgOid.numeric
            ? decodeNumericParam(m.params[i]!, format)
            : decodeParam(m.params[i]!, format, wireOid, paramTypes[i]!, this.zone),
        );
      } catch (err) {
        const e = toEngineError(err);
        throw new EngineError(e.sqlstate, e.message, {
          detail: e.detail,
          hint: e.hint,
          cause: err,
        });
      }
    }
    const schema: Schema | null = statement.prepared?.resultSchema ?? null;
    const columns = schema?.fields.length ?? 0;
    if (m.resultFormats.length > 1 && m.resultFormats.length !== columns) {
      throw protocolError(
        `bind message has ${m.resultFormats.length} result formats but query has ${columns} columns`,
      );
    }
    const formats: number[] = [];
    for (let i = 0; i < columns; i++) {
      const requested =
        m.resultFormats.length === 0
          ? 0
          : m.resultFormats.length === 1
            ? m.resultFormats[0]!
            : m.resultFormats[i]!;
      formats.push(requested === 1 && supportsBinary(schema!.fields[i]!.type) ? 1 : 0);
    }
    const existing = this.portals.get(m.portal);
    if (existing !== undefined) {
      if (m.portal !== '') throw new EngineError('42P03', `portal "${m.portal}" already exists`);
      void closePortal(existing);
    }
    this.portals.set(m.portal, {
      statement,
      params,
      formats,
      started: false,
      controller: null,
      control: null,
      cursor: null,
      finished: false,
      tag: 'SELECT',
    });
    msg.writeBindComplete(this.out);
  }

  private describe(body: Buffer): void {
    const m = decodeDescribeOrClose(body);
    if (m.target === 'S') {
      const statement = this.statement(m.name);
      const paramTypes = statement.prepared?.describedParamTypes ?? [];
      msg.writeParameterDescription(
        this.out,
        paramTypes.map((t, i) => {
          const declared = statement.declaredOids[i] ?? 0;
          return declared !== 0 ? declared : pgTypeOf(t).oid;
        }),
      );
      const schema = statement.prepared?.resultSchema ?? null;
      if (schema === null) msg.writeNoData(this.out);
      else msg.writeRowDescription(this.out, schema.fields, [], statement.prepared?.resultOrigins);
      return;
    }
    const portal = this.portals.get(m.name);
    if (portal === undefined) {
      // A cursor DECLAREd in SQL is a portal too.
      const cursor = this.session!.describeCursor(m.name);
      if (cursor === null) throw new EngineError('34000', `portal "${m.name}" does not exist`);
      const fields = cursor.schema.fields;
      msg.writeRowDescription(
        this.out,
        fields,
        fields.map((f) => (cursor.binary && supportsBinary(f.type) ? 1 : 0)),
      );
      return;
    }
    const schema = portal.statement.prepared?.resultSchema ?? null;
    if (schema === null) msg.writeNoData(this.out);
    else
      msg.writeRowDescription(
        this.out,
        schema.fields,
        portal.formats,
        portal.statement.prepared?.resultOrigins,
      );
  }

  private async execute(body: Buffer): Promise<void> {
    const m = decodeExecute(body);
    const portal = this.portal(m.portal);
    this.statementText = portal.statement.sql;
    const start = this.statementStart();
    const prepared = portal.statement.prepared;
    if (prepared === null) {
      msg.writeEmptyQueryResponse(this.out);
      return;
    }
    if (this.txStatus === 'E' && !startsWithTransactionEnd(portal.statement.sql))
      throw this.failedTransactionError();
    if (portal.finished) {
      // Executing a completed portal returns nothing more.
      msg.writeCommandComplete(this.out, prepared.resultSchema === null ? 'SELECT 0' : rowsTag('SELECT', 0));
      return;
    }
    // The portal's controller lives as long as its query; statement_timeout times each Execute.
    const controller = (portal.controller ??= new AbortController());
    this.startRunning(controller, portal.statement.sql);
    /** The rows this Execute sent, once it succeeded (only then is its duration logged). */
    let done = -1;
    try {
      if (!portal.started) {
        portal.started = true;
        const result = await this.session!.executePrepared(prepared, portal.params, {
          signal: controller.signal,
        });
        if (result.kind === 'copy_in') {
          throw new EngineError(SqlState.internalError, 'internal error: COPY over the extended protocol');
        }
        if (result.kind === 'command') {
          portal.finished = true;
          this.deallocate(result.deallocate);
          msg.writeCommandComplete(this.out, result.tag);
          this.afterCommand(result.tag);
          done = tagRows(result.tag);
          return;
        }
        portal.cursor = new RowCursor(
          result.batches,
          result.schema.fields.map((f) => f.type),
          portal.formats,
        );
        portal.control = result.control ?? null;
        portal.tag = result.tag;
      } else {
        portal.control?.resume();
      }
      this.control = portal.control;
      const cursor = portal.cursor!;
      const { rows, suspended } = await cursor.stream(this.sink, m.maxRows);
      done = rows;
      if (suspended) {
        portal.control?.pause();
        msg.writePortalSuspended(this.out);
        return;
      }
      portal.finished = true;
      const tag = portal.tag;
      msg.writeCommandComplete(this.out, rowsTag(tag, rows));
      this.afterCommand(tag);
    } catch (err) {
      portal.finished = true;
      await portal.cursor?.close();
      throw this.queryError(err, controller);
    } finally {
      this.idle();
      this.control = null;
      if (done >= 0) this.logDuration(start, done, portal.statement.sql);
    }
  }

  private async closeTarget(body: Buffer): Promise<void> {
    const m = decodeDescribeOrClose(body);
    if (m.target === 'S') this.statements.delete(m.name);
    else {
      const portal = this.portals.get(m.name);
      this.portals.delete(m.name);
      if (portal !== undefined) await closePortal(portal);
    }
    msg.writeCloseComplete(this.out);
  }

  private async sync(): Promise<void> {
    this.skipUntilSync = false;
    if (this.txStatus === 'I') {
      // The implicit transaction ends: its portals go away.
      for (const portal of this.portals.values()) await closePortal(portal);
      this.portals.clear();
    }
    for (const p of this.pendingParameters) msg.writeParameterStatus(this.out, p.name, p.value);
    this.pendingParameters = [];
    msg.writeReadyForQuery(this.out, this.txStatus);
    await this.flush();
  }
}
