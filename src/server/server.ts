/**
 * The TCP server: accepts connections, gives each a process id and secret key for CancelRequest,
 * and closes them all on shutdown.
 */
import { createServer, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import type { SqlSession } from '../session/index.ts';
import { Connection, type ConnectionHost, type StartupInfo } from './connection.ts';

export interface ServerOptions {
  readonly host: string;
  /** 0 = any free port; the real one is in the handle. */
  readonly port: number;
  readonly createSession: (startup: StartupInfo) => SqlSession;
  /** Reported as `server_version`; clients parse the leading number. */
  readonly serverVersion?: string;
  readonly log?: (message: string) => void;
}

export interface ServerHandle {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
  /** Open client connections. */
  connections(): number;
}

export const DEFAULT_SERVER_VERSION = '16.4 (Kindling 0.1.0)';

export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const log = options.log ?? ((): void => {});
  const sockets = new Set<Socket>();
  const byProcessId = new Map<number, { connection: Connection; secretKey: number }>();
  let nextProcessId = 10_000 + randomInt(50_000);

  const host: ConnectionHost = {
    serverVersion: options.serverVersion ?? DEFAULT_SERVER_VERSION,
    createSession: options.createSession,
    log,
    register(connection) {
      const processId = nextProcessId++;
      const secretKey = randomInt(-0x80000000, 0x7fffffff);
      byProcessId.set(processId, { connection, secretKey });
      return { processId, secretKey };
    },
    cancel(processId, secretKey) {
      const entry = byProcessId.get(processId);
      if (entry !== undefined && entry.secretKey === secretKey) entry.connection.cancel();
      else log(`ignored CancelRequest for unknown process ${processId}`);
    },
    closed(connection) {
      const entry = byProcessId.get(connection.processId);
      if (entry !== undefined && entry.connection === connection) byProcessId.delete(connection.processId);
    },
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const connection = new Connection(socket, host);
    void connection.run();
  });
  server.on('error', (err) => log(`server error: ${err.message}`));

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
