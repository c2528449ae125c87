/**
 * statement_timeout, CancelRequest and disconnects through the wire, against a real Engine in this
 * process. The statements here stream rows to a client that stops reading, so the server waits for
 * the socket between batches: these tests hold while queries still run on the server's thread.
 * What needs the server's thread free *during* a computation is in responsiveness.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, startServer } from '../../src/index.ts';
import { RawWireClient, errorOf, pgCancel, rowCount, sendCancel } from './raw-wire-client.ts';

/** Rows without end: a statement that only stops when it is stopped. */
const ENDLESS = 'SELECT id FROM range(0, 1000000000000)';
const TIMEOUT_TEXT = 'canceling statement due to statement timeout';
const USER_TEXT = 'canceling statement due to user request';

let warehouse = '';
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let engine: Engine | undefined;
/** The cancel signal the server handed the session for each statement, newest last. */
const statementSignals: AbortSignal[] = [];

beforeAll(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-cancel-'));
  const started = new Engine({ warehouse });
  engine = started;
  // As `kindling serve` does: executor threads ready before the first query.
  await started.execution.start();
  await started.createSession().sql('SELECT count(*) FROM range(0, 2000000)');
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    createSession: (startup) => {
      const session = started.createSession({
        user: startup.user,
        database: startup.database,
        settings: startup.settings,
      });
      const execute = session.execute.bind(session);
      const executePrepared = session.executePrepared.bind(session);
      session.execute = (sql, options) => {
        if (options?.signal !== undefined) statementSignals.push(options.signal);
        return execute(sql, options);
      };
      session.executePrepared = (statement, params, options) => {
        if (options?.signal !== undefined) statementSignals.push(options.signal);
        return executePrepared(statement, params, options);
      };
      return session;
    },
  });
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(warehouse, { recursive: true, force: true });
});

function port(): number {
  return server!.port;
}

async function connect(config: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: port(),
    user: 'test',
    database: 'default',
    ...config,
  });
  await client.connect();
  return client;
}

async function queryError(client: pg.Client, sql: string, values?: unknown[]): Promise<pg.DatabaseError> {
  const err: unknown = await client.query(sql, values).then(
    () => new Error(`no error from: ${sql}`),
    (e: unknown) => e,
  );
  if (!(err instanceof pg.DatabaseError)) throw err;
  return err;
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

describe('statement_timeout setting', () => {
  it("is SET and SHOWn in PostgreSQL's units; bad values are 22023", async () => {
    const c = await connect();
    try {
      const show = async (): Promise<unknown> =>
        ((await c.query('SHOW statement_timeout')).rows[0] as Record<string, unknown>)['statement_timeout'];
      expect(await show()).toBe('0');
      for (const [value, shown] of [
        ['1000', '1s'],
        ["'5s'", '5s'],
        ["'100ms'", '100ms'],
        ["'1min'", '1min'],
        ["'2h'", '2h'],
        ['1500', '1500ms'],
        ['0', '0'],
      ] as const) {
        await c.query(`SET statement_timeout = ${value}`);
        expect(await show()).toBe(shown);
      }
      const bad = await queryError(c, "SET statement_timeout = 'soon'");
      expect(bad.code).toBe('22023');
      expect(bad.message).toBe('invalid value for parameter "statement_timeout": "soon"');
      const unit = await queryError(c, "SET statement_timeout = '5 parsecs'");
      expect(unit.code).toBe('22023');
      expect(unit.hint).toBe('Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
      const negative = await queryError(c, 'SET statement_timeout = -1');
      expect(negative.code).toBe('22023');
      expect(negative.message).toBe(
        '-1 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)',
      );
      expect(await show()).toBe('0');
    } finally {
      await c.end();
    }
  });

  it('comes from start-up options and parameters, and RESET returns to it', async () => {
    const viaOptions = await connect({ options: '-c statement_timeout=5s' });
    const viaParameter = await connect({ statement_timeout: 2500 });
    try {
      expect((await viaOptions.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '5s' }]);
      await viaOptions.query('SET statement_timeout = 0');
      await viaOptions.query('RESET statement_timeout');
      expect((await viaOptions.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '5s' }]);
      expect((await viaParameter.query('SHOW statement_timeout')).rows).toEqual([
        { statement_timeout: '2500ms' },
      ]);
    } finally {
      await viaOptions.end();
      await viaParameter.end();
    }
    const refused: unknown = await connect({ options: '-c statement_timeout=never' }).then(
      (c) => c.end().then(() => new Error('connected')),
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(pg.DatabaseError);
    expect((refused as pg.DatabaseError).code).toBe('22023');
    expect((refused as pg.DatabaseError).severity).toBe('FATAL');
  });
});

describe('statement_timeout while rows stream to a slow client', () => {
  it('fails a simple-protocol statement with 57014, then the connection answers', async () => {
    const c = await RawWireClient.connect(port());
    try {
      c.pause();
      const started = Date.now();
      c.send(serialize.query(`SET statement_timeout = 300; ${ENDLESS}`));
      await sleep(1000);
      c.resume();
      const messages = await c.readUntil('readyForQuery');
      expect(messages.map((m) => m.name)).toEqual([
        'commandComplete',
        'rowDescription',
        'dataRows',
        'error',
        'readyForQuery',
      ]);
      expect(errorOf(messages)).toEqual({ code: '57014', message: TIMEOUT_TEXT, severity: 'ERROR' });
      expect(rowCount(messages)).toBeLessThan(5_000_000);
      expect(Date.now() - started).toBeLessThan(5000);
      c.send(serialize.query('SELECT 1 AS one'));
      const after = await c.readUntil('readyForQuery');
      expect(errorOf(after)).toBeUndefined();
      expect(rowCount(after)).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('times each Execute of the extended protocol: a suspended portal waits without a clock', async () => {
    const c = await RawWireClient.connect(port(), { options: '-c statement_timeout=300' });
    try {
      c.send(
        serialize.parse({ text: `${ENDLESS} WHERE id >= $1::bigint` }),
        serialize.bind({ values: ['0'] }),
        serialize.describe({ type: 'P' }),
        serialize.execute({ rows: 5 }),
        serialize.flush(),
      );
      const first = await c.readUntil('portalSuspended');
      expect(first.map((m) => m.name)).toEqual([
        'parseComplete',
        'bindComplete',
        'rowDescription',
        'dataRows',
        'portalSuspended',
      ]);
      expect(rowCount(first)).toBe(5);
      // Longer than the timeout between two Executes: PostgreSQL's clock is not running then.
      await sleep(700);
      c.send(serialize.execute({ rows: 5 }), serialize.flush());
      const second = await c.readUntil('portalSuspended');
      expect(errorOf(second)).toBeUndefined();
      expect(rowCount(second)).toBe(5);
      // The rest of the portal, to a client that does not read: this Execute times out.
      c.pause();
      c.send(serialize.execute({ rows: 0 }), serialize.sync());
      await sleep(1000);
      c.resume();
      const rest = await c.readUntil('readyForQuery');
      expect(errorOf(rest)).toEqual({ code: '57014', message: TIMEOUT_TEXT, severity: 'ERROR' });
      c.send(serialize.query('SELECT 1 AS one'));
      expect(rowCount(await c.readUntil('readyForQuery'))).toBe(1);
    } finally {
      await c.end();
    }
  });
});

describe('CancelRequest', () => {
  it('cancels only the running statement, and the cancel connection is closed without a reply', async () => {
    const c = await RawWireClient.connect(port());
    try {
      c.pause();
      c.send(serialize.query(ENDLESS));
      await sleep(300);
      const reply = await sendCancel(port(), c.processId, c.secretKey);
      expect(reply.length).toBe(0);
      c.resume();
      const messages = await c.readUntil('readyForQuery');
      expect(errorOf(messages)).toEqual({ code: '57014', message: USER_TEXT, severity: 'ERROR' });
      // The next statement on the connection runs normally.
      c.send(serialize.query('SELECT count(*) FROM range(0, 100000)'));
      const next = await c.readUntil('readyForQuery');
      expect(errorOf(next)).toBeUndefined();
      expect(next.find((m) => m.name === 'commandComplete')?.['text']).toBe('SELECT 1');
    } finally {
      await c.end();
    }
  });

  it('ignores a cancel of an idle connection, a wrong secret key and an unknown process', async () => {
    const c = await RawWireClient.connect(port());
    try {
      expect((await sendCancel(port(), c.processId, c.secretKey)).length).toBe(0);
      c.send(serialize.query('SELECT count(*) FROM range(0, 100000)'));
      expect(errorOf(await c.readUntil('readyForQuery'))).toBeUndefined();

      c.pause();
      c.send(serialize.query('SELECT id FROM range(0, 1500000)'));
      await sleep(300);
      expect((await sendCancel(port(), c.processId, c.secretKey ^ 1)).length).toBe(0);
      expect((await sendCancel(port(), 1, c.secretKey)).length).toBe(0);
      c.resume();
      const messages = await c.readUntil('readyForQuery', 30_000);
      expect(errorOf(messages)).toBeUndefined();
      expect(rowCount(messages)).toBe(1_500_000);
    } finally {
      await c.end();
    }
  });

  it("works through node-pg's own cancel", async () => {
    const c = await connect();
    try {
      // Many rows, read by a client that stops reading: the statement is still running when cancelled.
      const query = new pg.Query(ENDLESS);
      const failed = new Promise<unknown>((resolve) => query.on('error', resolve));
      void c.query(query);
      await sleep(200);
      const socket = (c as unknown as { connection: { stream: { pause(): void; resume(): void } } })
        .connection.stream;
      socket.pause();
      await sleep(100);
      pgCancel({ host: '127.0.0.1', port: port(), user: 'test', database: 'default' }, c, query);
      await sleep(300);
      socket.resume();
      const err = (await failed) as pg.DatabaseError;
      expect(err.code).toBe('57014');
      expect(err.message).toBe(USER_TEXT);
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await c.end();
    }
  });
});

describe('a client that disappears', () => {
  it('has its running statement aborted at once, and the server goes on', async () => {
    const c = await RawWireClient.connect(port());
    c.pause();
    c.send(serialize.query(ENDLESS));
    await sleep(300);
    const signal = statementSignals[statementSignals.length - 1]!;
    expect(signal.aborted).toBe(false);
    c.destroy();
    expect(await waitFor(() => signal.aborted, 1000)).toBe(true);
    const other = await connect();
    try {
      expect((await other.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await other.end();
    }
  });

  it('has the query of a suspended portal aborted too', async () => {
    const c = await RawWireClient.connect(port());
    c.send(
      serialize.parse({ text: `${ENDLESS} WHERE id >= $1::bigint` }),
      serialize.bind({ values: ['0'] }),
      serialize.execute({ rows: 3 }),
      serialize.flush(),
    );
    expect(rowCount(await c.readUntil('portalSuspended'))).toBe(3);
    const signal = statementSignals[statementSignals.length - 1]!;
    c.destroy();
    expect(await waitFor(() => signal.aborted, 1000)).toBe(true);
  });
});
