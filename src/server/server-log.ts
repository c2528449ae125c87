/**
 * The server log: one line per event — a connection authorized or ended, an authentication that
 * failed, a statement that failed or ran long — in the spirit of PostgreSQL's `log_connections`,
 * `log_disconnections` and `log_min_duration_statement`. A line is text with a `log_line_prefix`-like
 * prefix (`2026-12-07 06:30:01.123 UTC [12345] LOG:  …`, the number being the connection's process
 * id from BackendKeyData) or one JSON object; either way one event is one line, since newlines in
 * statements and messages are escaped.
 *
 * A line is built only when it is written: events go nowhere without a sink, and a connection asks
 * `timesStatements`/`logsDuration` before it gathers a duration event at all.
 *
 * Events name the user a client claimed, never anything of the password exchange.
 */

export type LogFormat = 'text' | 'json';

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export type LogLevel = 'LOG' | 'ERROR' | 'FATAL';

/** The connection a line is about; what the client has not told yet is ''. */
export interface ConnectionIdentity {
  /** The process id the connection reports in BackendKeyData. */
  readonly pid: number;
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  /** The client's IP address (IPv4-mapped IPv6 written as IPv4). */
  readonly address: string;
  readonly port: number;
}

export type LogEvent =
  | { readonly event: 'connection' }
  | { readonly event: 'disconnection'; readonly sessionMs: number }
  | { readonly event: 'authentication_failed'; readonly sqlstate: string; readonly message: string }
  | {
      readonly event: 'error';
      /** FATAL: the error ended the connection. */
      readonly level: 'ERROR' | 'FATAL';
      readonly sqlstate: string;
      readonly message: string;
      /** The statement being run, when the error came from one. */
      readonly statement: string | null;
    }
  | {
      readonly event: 'duration';
      readonly durationMs: number;
      readonly rows: number;
      readonly statement: string;
    }
  | { readonly event: 'message'; readonly message: string };

export interface ServerLogOptions {
  /** Receives each line, without its newline; none: nothing is logged (or formatted). */
  readonly write?: (line: string) => void;
  readonly format?: LogFormat;
  /** Statements that ran at least this many milliseconds are logged; 0 all, -1 (default) none. */
  readonly minDurationStatementMs?: number;
  /** The clock of the lines' timestamps (tests fix it). */
  readonly now?: () => Date;
}

export class ServerLog {
  private readonly write: ((line: string) => void) | undefined;
  private readonly format: LogFormat;
  private readonly now: () => Date;
  readonly minDurationStatementMs: number;

  constructor(options: ServerLogOptions = {}) {
    this.write = options.write;
    this.format = options.format ?? 'text';
    this.now = options.now ?? ((): Date => new Date());
    this.minDurationStatementMs = options.minDurationStatementMs ?? -1;
  }

  /** Whether statements need timing at all: durations are logged somewhere. */
  get timesStatements(): boolean {
    return this.write !== undefined && this.minDurationStatementMs >= 0;
  }

  /** Whether a statement that took `ms` leaves a duration line. */
  logsDuration(ms: number): boolean {
    return this.timesStatements && ms >= this.minDurationStatementMs;
  }

  /** Logs an event of a connection. */
  connection(who: ConnectionIdentity, event: LogEvent): void {
    if (this.write === undefined) return;
    this.write(formatLogLine(this.format, this.now(), who.pid, who, event));
  }

  /** Logs a message of the server itself (no connection), under the OS process id. */
  server(message: string): void {
    if (this.write === undefined) return;
    this.write(formatLogLine(this.format, this.now(), process.pid, null, { event: 'message', message }));
  }
}

/** One event as one line (no newline at the end). */
export function formatLogLine(
  format: LogFormat,
  time: Date,
  pid: number,
  who: ConnectionIdentity | null,
  event: LogEvent,
): string {
  return format === 'json' ? jsonLine(time, pid, who, event) : textLine(time, pid, who, event);
}

function levelOf(event: LogEvent): LogLevel {
  switch (event.event) {
    case 'authentication_failed':
      return 'FATAL';
    case 'error':
      return event.level;
    default:
      return 'LOG';
  }
}

// ---- text -------------------------------------------------------------------------------------

/** PostgreSQL's `%m`: `2026-12-07 06:30:01.123 UTC`. */
function textTime(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

function textLine(time: Date, pid: number, who: ConnectionIdentity | null, event: LogEvent): string {
  const prefix = `${textTime(time)} [${pid}] ${levelOf(event)}:  `;
  switch (event.event) {
    case 'connection':
      return `${prefix}connection authorized: ${identityText(who)}`;
    case 'disconnection':
      return `${prefix}disconnection: session time: ${sessionTime(event.sessionMs)} ${identityText(who)}`;
    case 'authentication_failed':
      return `${prefix}${event.sqlstate} ${escapeText(event.message)} (${identityText(who)})`;
    case 'error': {
      const statement = event.statement === null ? '' : ` STATEMENT: ${escapeText(event.statement)}`;
      // An error that ends the connection may come before any other line names its client.
      const identity = event.level === 'FATAL' ? ` (${identityText(who)})` : '';
      return `${prefix}${event.sqlstate} ${escapeText(event.message)}${statement}${identity}`;
    }
    case 'duration':
      return `${prefix}duration: ${event.durationMs.toFixed(3)} ms rows: ${event.rows} statement: ${escapeText(event.statement)}`;
    case 'message':
      return `${prefix}${escapeText(event.message)}`;
  }
}

function identityText(who: ConnectionIdentity | null): string {
  if (who === null) return '';
  return (
    `user=${quoteValue(who.user)} database=${quoteValue(who.database)} ` +
    `application_name=${quoteValue(who.applicationName)} host=${quoteValue(who.address)} port=${who.port}`
  );
}

/** PostgreSQL's session time: `H:MM:SS.mmm`. */
export function sessionTime(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1000) % 60;
  const millis = total % 1000;
  return `${hours}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(millis, 3)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Characters that would break a line or hide in a terminal: line breaks, other controls, `\`. */
const NEEDS_ESCAPE = /[\\\x00-\x08\x0a-\x1f\x7f]/;
const ESCAPED = /[\\\x00-\x08\x0a-\x1f\x7f]/g;

/**
 * Free text on one line: `\n` and `\r` as those two characters, other control characters (but tab)
 * as `\xHH`, and `\` doubled so that the escapes stay unambiguous.
 */
export function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(ESCAPED, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** A `key=value` value: bare when it is one plain word, else a JSON string (so `""` for empty). */
function quoteValue(value: string): string {
  return value !== '' && !/[\s"\\=()\x00-\x1f\x7f]/.test(value) ? value : JSON.stringify(value);
}

// ---- JSON -------------------------------------------------------------------------------------

function jsonLine(time: Date, pid: number, who: ConnectionIdentity | null, event: LogEvent): string {
  const record: Record<string, string | number> = {
    time: time.toISOString(),
    pid,
    level: levelOf(event),
    event: event.event,
  };
  if (who !== null) {
    record['user'] = who.user;
    record['database'] = who.database;
    record['application_name'] = who.applicationName;
    record['address'] = who.address;
    record['port'] = who.port;
  }
  switch (event.event) {
    case 'connection':
      record['message'] = 'connection authorized';
      break;
    case 'disconnection':
      record['message'] = `disconnection: session time: ${sessionTime(event.sessionMs)}`;
      record['duration_ms'] = roundMs(event.sessionMs);
      break;
    case 'authentication_failed':
      record['sqlstate'] = event.sqlstate;
      record['message'] = event.message;
      break;
    case 'error':
      record['sqlstate'] = event.sqlstate;
      record['message'] = event.message;
      if (event.statement !== null) record['statement'] = event.statement;
      break;
    case 'duration':
      record['message'] = `duration: ${event.durationMs.toFixed(3)} ms`;
      record['statement'] = event.statement;
      record['duration_ms'] = roundMs(event.durationMs);
      record['rows'] = event.rows;
      break;
    case 'message':
      record['message'] = event.message;
      break;
  }
  // JSON.stringify escapes every control character, so the record is one line.
  return JSON.stringify(record);
}

/** Milliseconds to the microsecond, as the text lines print them. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
