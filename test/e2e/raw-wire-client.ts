/**
 * A bare PostgreSQL wire client for tests that need what drivers hide: reading the BackendKeyData,
 * sending CancelRequest on a new socket, stopping reading (a slow client) and sending extended-protocol
 * messages one by one. Messages are encoded and decoded by pg-protocol.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type pg from 'pg';
import pgModule from 'pg';
import { parse, serialize } from 'pg-protocol';

/** One backend message as pg-protocol decodes it (`name` is its kind: `dataRow`, `error`, …). */
export interface BackendMessage {
  readonly name: string;
  readonly [field: string]: unknown;
}

export interface ErrorFields {
  readonly code: string;
  readonly message: string;
  readonly severity: string;
}

export class RawWireClient {
  readonly socket: Socket;
  processId = 0;
  secretKey = 0;
  private readonly queue: BackendMessage[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    void parse(socket, (m) => {
      this.queue.push(m as unknown as BackendMessage);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      // 'close' follows.
    });
  }

  /** Connects and completes the start-up; `parameters` go into the StartupMessage. */
  static async connect(port: number, parameters: Record<string, string> = {}): Promise<RawWireClient> {
    const socket = netConnect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawWireClient(socket);
    socket.write(serialize.startup({ user: 'test', database: 'default', ...parameters }));
    const messages = await client.readUntil('readyForQuery');
    const key = messages.find((m) => m.name === 'backendKeyData');
    if (key === undefined) throw new Error(`no BackendKeyData in ${messages.map((m) => m.name).join(', ')}`);
    client.processId = key['processID'] as number;
    client.secretKey = key['secretKey'] as number;
    return client;
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** Stops reading from the socket: the server's writes back up, as with a slow client. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** The next message; rejects after `timeoutMs` or when the connection closes first. */
  async next(timeoutMs = 10_000): Promise<BackendMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.queue.shift();
      if (m !== undefined) return m;
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = (): void => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Messages up to and including the first named `name`; DataRows are counted, not kept. */
  async readUntil(name: string, timeoutMs = 10_000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      if (m.name === 'dataRow') {
        const last = out[out.length - 1];
        if (last?.name === 'dataRows')
          out[out.length - 1] = { name: 'dataRows', count: (last['count'] as number) + 1 };
        else out.push({ name: 'dataRows', count: 1 });
      } else {
        out.push(m);
      }
      if (m.name === name) return out;
    }
  }

  /** Closes the socket at once (a client that disappears). */
  destroy(): void {
    this.socket.destroy();
  }

  async end(): Promise<void> {
    if (this.closed) return;
    this.socket.end(serialize.end());
    await new Promise<void>((resolve) => {
      if (this.closed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/** The SQLSTATE, message and severity of an ErrorResponse among `messages`, if any. */
export function errorOf(messages: readonly BackendMessage[]): ErrorFields | undefined {
  const e = messages.find((m) => m.name === 'error');
  if (e === undefined) return undefined;
  return { code: e['code'] as string, message: e['message'] as string, severity: e['severity'] as string };
}

/** How many DataRows `messages` (from `readUntil`) hold. */
export function rowCount(messages: readonly BackendMessage[]): number {
  let n = 0;
  for (const m of messages) if (m.name === 'dataRows') n += m['count'] as number;
  return n;
}

/**
 * Sends a CancelRequest as libpq and pg do: a new connection carrying only the key. Resolves with
 * whatever the server sent back before closing it (PostgreSQL sends nothing).
 */
export function sendCancel(port: number, processId: number, secretKey: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.write(serialize.cancel(processId, secretKey));
  });
}

/** node-pg's own cancel (`Client#cancel`, which @types/pg leaves out): a CancelRequest for `query`. */
export function pgCancel(config: pg.ClientConfig, target: pg.Client, query: pg.Query): void {
  const canceller = new pgModule.Client(config) as pg.Client & {
    cancel(client: pg.Client, query: pg.Query): void;
    readonly connection: { on(event: 'error', listener: () => void): void };
  };
  // The cancel connection is the server's to close; a server that is killed resets it instead.
  canceller.connection.on('error', () => {});
  canceller.cancel(target, query);
}
