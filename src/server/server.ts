/**
 * The TCP server: accepts connections, gives each a process id (at accept, so that its every log
 * line carries it) and, once authenticated, a secret key for CancelRequest, and closes them all on
 * shutdown.
 */
import { createServer, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { randomInt } from 'node:crypto';
import { EngineError, SqlState } from '../common/index.ts';
import type { SqlSession } from '../session/index.ts';
import { exchangeFor } from './auth/exchanges.ts';
import { DEFAULT_HBA, matchRule, normalizeAddress, parseHba, type HbaRule } from './auth/hba.ts';
import type { UserEntry } from './auth/users.ts';
import {
  Connection,
  socketIdentity,
  type AuthPlan,
  type ConnectionHost,
  type StartupInfo,
} from './connection.ts';
import { ServerLog, type LogFormat } from './server-log.ts';
import { negotiate } from './tls-negotiation.ts';

export interface ServerOptions {
  readonly host: string;
  /** 0 = any free port; the real one is in the handle. */
  readonly port: number;
  readonly createSession: (startup: StartupInfo) => SqlSession;
  /** Reported as `server_version`; clients parse the leading number. */
  readonly serverVersion?: string;
  /** Receives each line of the server log (server-log.ts), without its newline; default: no log. */
  readonly log?: (line: string) => void;
  /** The log's lines: `text` (default) or one JSON object each. */
  readonly logFormat?: LogFormat;
  /**
   * PostgreSQL's `log_min_duration_statement`: statements that ran at least this many milliseconds
   * are logged with their duration; 0 all, -1 none (the default).
   */
  readonly logMinDurationStatementMs?: number;
  /**
   * Who may connect and how (auth/hba.ts); default: trust on loopback, nobody else. `user` looks a
   * user's verifiers up at each login (undefined: no such user).
   */
  readonly auth?: {
    readonly rules: readonly HbaRule[];
    readonly user: (name: string) => UserEntry | undefined;
  };
  /**
   * TLS: PEM certificate (chain) and private key; clients that send SSLRequest get TLS. With
   * `required`, a connection that did not is refused (28000).
   */
  readonly tls?: {
    readonly cert: string | Buffer;
    readonly key: string | Buffer;
    readonly required?: boolean;
  };
  /** Closes connections not through start-up and authentication by then (default 60 s). */
  readonly authenticationTimeoutMs?: number;
}

/** The rules' verdict for a connection: trust, refuse (28000), or a password exchange. */
export function planAuthentication(
  rules: readonly HbaRule[],
  user: (name: string) => UserEntry | undefined,
  facts: Parameters<ConnectionHost['authPlan']>[0],
): AuthPlan {
  const rule = matchRule(rules, facts);
  const who = `host "${normalizeAddress(facts.address)}", user "${facts.user}", database "${facts.database}", ${facts.ssl ? 'SSL encryption' : 'no encryption'}`;
  if (rule === undefined) {
    return {
      kind: 'refuse',
      error: new EngineError(SqlState.invalidAuthorization, `no hba rule for ${who}`),
    };
  }
  if (rule.method === 'reject') {
    return {
      kind: 'refuse',
      error: new EngineError(
        SqlState.invalidAuthorization,
        `hba rule on line ${rule.line} rejects connection for ${who}`,
      ),
    };
  }
  if (rule.method === 'trust') return { kind: 'trust' };
  return { kind: 'exchange', exchange: exchangeFor(rule.method, facts.user, user(facts.user)) };
}

export interface ServerHandle {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
  /** Open client connections. */
  connections(): number;
}

/**
 * A connection that has not finished start-up and authentication in this time is closed
 * (PostgreSQL's authentication_timeout), so idle or stalled clients cannot hold sockets forever.
 */
const AUTHENTICATION_TIMEOUT_MS = 60_000;

export const DEFAULT_SERVER_VERSION = '16.4 (Kindling 0.1.0)';

export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const log = new ServerLog({
    ...(options.log === undefined ? {} : { write: options.log }),
    ...(options.logFormat === undefined ? {} : { format: options.logFormat }),
    ...(options.logMinDurationStatementMs === undefined
      ? {}
      : { minDurationStatementMs: options.logMinDurationStatementMs }),
  });
  const sockets = new Set<Socket>();
  const byProcessId = new Map<number, { connection: Connection; secretKey: number }>();
  let nextProcessId = 10_000 + randomInt(50_000);

  const rules = options.auth?.rules ?? parseHba(DEFAULT_HBA);
  let tls: SecureContext | null = null;
  if (options.tls !== undefined) {
    try {
      tls = createSecureContext({ cert: options.tls.cert, key: options.tls.key });
    } catch (err) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        `invalid TLS certificate or key: ${(err as Error).message}`,
      );
    }
  }
  const tlsRequired = options.tls?.required === true;
  const lookupUser = options.auth?.user ?? ((): undefined => undefined);
  const host: ConnectionHost = {
    serverVersion: options.serverVersion ?? DEFAULT_SERVER_VERSION,
    authPlan: (facts) =>
      tlsRequired && !facts.ssl
        ? {
            kind: 'refuse',
            error: new EngineError(
              SqlState.invalidAuthorization,
              'this server accepts TLS connections only: connect with sslmode=require',
            ),
          }
        : planAuthentication(rules, lookupUser, facts),
    createSession: options.createSession,
    log,
    register(connection) {
      const secretKey = randomInt(-0x80000000, 0x7fffffff);
      byProcessId.set(connection.processId, { connection, secretKey });
      return secretKey;
    },
    cancel(processId, secretKey) {
      const entry = byProcessId.get(processId);
      if (entry !== undefined && entry.secretKey === secretKey) entry.connection.cancel();
      else log.server(`ignored CancelRequest for unknown process ${processId}`);
    },
    closed(connection) {
      const entry = byProcessId.get(connection.processId);
      if (entry !== undefined && entry.connection === connection) byProcessId.delete(connection.processId);
    },
    backends: {
      list: () => [...byProcessId.values()].map((e) => e.connection.activity()),
      cancel(pid) {
        const entry = byProcessId.get(pid);
        entry?.connection.cancel();
        return entry !== undefined;
      },
      terminate(pid) {
        const entry = byProcessId.get(pid);
        entry?.connection.terminate();
        return entry !== undefined;
      },
    },
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const processId = nextProcessId++;
    /** Logs for the connection until it exists (then it logs for itself). */
    const early = (message: string): void =>
      log.connection(socketIdentity(processId, socket), { event: 'message', message });
    let connection: Connection | null = null;
    socket.on('error', (err) => {
      if (connection === null) early(`connection error: ${err.message}`);
    });
    const timer = setTimeout(() => {
      if (connection?.authenticated === true) return;
      early('closing connection: start-up and authentication took too long');
      socket.destroy();
    }, options.authenticationTimeoutMs ?? AUTHENTICATION_TIMEOUT_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    negotiate(socket, tls).then(
      ({ socket: stream, ssl, initial, ended }) => {
        if (stream.destroyed) return;
        connection = new Connection(stream, host, { processId, ssl, initial, ended });
        void connection.run();
      },
      (err: unknown) => {
        early(`TLS negotiation failed: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
      },
    );
  });
  server.on('error', (err) => log.server(`server error: ${err.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;

  return {
    port,
    host: options.host,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
