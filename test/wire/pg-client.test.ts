/**
 * The real node-postgres client against the wire server backed by the fake session.
 */
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startServer, type ServerHandle } from '../../src/server/index.ts';
import { FakeSession, type FakeSessionLog } from './fake-session.ts';

let server: ServerHandle;
const sessionLog: FakeSessionLog = { closed: 0, statements: [] };
const logLines: string[] = [];

beforeAll(async () => {
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    createSession: (s) => new FakeSession(s.applicationName, sessionLog),
    log: (m) => logLines.push(m),
  });
});

afterAll(async () => {
  await server.close();
});

async function client(options: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({
    host: '127.0.0.1',
    port: server.port,
    user: 'test',
    database: 'test',
    ...options,
  });
  await c.connect();
  return c;
}

/** Opens a raw socket, sends `bytes`, and collects everything until the server closes it. */
function raw(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.end(bytes);
  });
}

describe('node-postgres client', () => {
  it('runs a simple query and reports start-up parameters', async () => {
    const c = await client({ application_name: 'wire-test' });
    const r = await c.query('select 1');
    expect(r.rows).toEqual([{ '?column?': 1 }]);
    expect(r.fields[0]!.dataTypeID).toBe(23);
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
    const version = await c.query('show server_version');
    expect(version.rows.length).toBe(1);
    await c.end();
  });

  it('returns one result per statement of a multi-statement string', async () => {
    const c = await client();
    const results = (await c.query('select 1; select 2; set x = 3')) as unknown as pg.QueryResult[];
    expect(results.map((r) => r.command)).toEqual(['SELECT', 'SELECT', 'SET']);
    expect(results[1]!.rows).toEqual([{ '?column?': 2 }]);
    await c.end();
  });

  it('reports an error with SQLSTATE and position, then keeps the connection usable', async () => {
    const c = await client();
    const err = (await c.query('select 1; select * from nope').catch((e: unknown) => e)) as pg.DatabaseError;
    expect(err.code).toBe('42P01');
    expect(err.position).toBe('25');
    expect(err.message).toBe('relation "nope" does not exist');
    expect(err.severity).toBe('ERROR');
    expect((await c.query('select 7')).rows).toEqual([{ '?column?': 7 }]);
    const internal = (await c.query('select boom').catch((e: unknown) => e)) as pg.DatabaseError;
    expect(internal.code).toBe('XX000');
    expect((await c.query('select 8')).rows).toEqual([{ '?column?': 8 }]);
    await c.end();
  });

  it('formats every scalar type as PostgreSQL text', async () => {
    const c = await client();
    const r = await c.query({
      text: 'select typed',
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    expect(r.rows[0]).toEqual([
      't',
      '-12',
      '123456',
      '9007199254740993',
      '1.5',
      '0.1',
      '-0.50',
      'héllo',
      'abc',
      '\\x0a1b',
      '2020-01-01',
      '2020-01-02 03:04:05.123456',
      '2020-01-02 03:04:05+00',
      '3 days 04:05:06',
    ]);
    expect(r.rows[1]).toEqual(new Array(14).fill(null));
    expect(r.fields.map((f) => [f.dataTypeID, f.dataTypeModifier])).toEqual([
      [16, -1],
      [21, -1],
      [23, -1],
      [20, -1],
      [700, -1],
      [701, -1],
      [1700, 983046],
      [25, -1],
      [1043, 14],
      [17, -1],
      [1082, -1],
      [1114, -1],
      [1184, -1],
      [1186, -1],
    ]);
    await c.end();
  });

  it('renders timestamptz in the session TimeZone after SET and sends ParameterStatus', async () => {
    const c = await client();
    const seen: string[] = [];
    (
      c as unknown as {
        connection: {
          on(e: string, f: (m: { parameterName: string; parameterValue: string }) => void): void;
        };
      }
    ).connection.on('parameterStatus', (m) => seen.push(`${m.parameterName}=${m.parameterValue}`));
    await c.query("set timezone = 'Asia/Kolkata'");
    expect(seen).toContain('TimeZone=Asia/Kolkata');
    const r = await c.query({
      text: 'select typed',
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    expect(r.rows[0]![12]).toBe('2020-01-02 08:34:05+05:30');
    await c.end();
  });

  it('runs parameterized queries over the extended protocol', async () => {
    const c = await client();
    const r = await c.query('select $1::int, $2, $3::numeric, $4::date', [41, 'hé', '12.345', '2020-02-29']);
    expect(r.rows).toEqual([{ p1: 41, p2: 'hé', p3: '12.35', p4: new Date('2020-02-29T00:00:00') }]);
    const named = { name: 'stmt1', text: 'select $1::bigint', values: ['9007199254740993'] };
    expect((await c.query(named)).rows).toEqual([{ p1: '9007199254740993' }]);
    expect((await c.query({ ...named, values: ['-5'] })).rows).toEqual([{ p1: '-5' }]);
    const bad = (await c.query('select $1::int', ['abc']).catch((e: unknown) => e)) as pg.DatabaseError;
    expect(bad.code).toBe('22P02');
    expect((await c.query('select $1::int', [3])).rows).toEqual([{ p1: 3 }]);
    const missing = (await c
      .query({ text: 'select * from nope', values: [] })
      .catch((e: unknown) => e)) as pg.DatabaseError;
    expect(missing.code).toBe('42P01');
    expect((await c.query({ text: 'select 5', values: [] })).rows).toEqual([{ '?column?': 5 }]);
    await c.end();
  });

  it('returns binary results when asked', async () => {
    const c = await client();
    const r = await c.query({
      text: 'select typed',
      binary: true,
      rowMode: 'array',
      values: [],
    } as pg.QueryArrayConfig);
    const row = r.rows[0] as unknown[];
    expect(row.slice(0, 7)).toEqual([true, -12, 123456, '9007199254740993', 1.5, 0.1, '-0.50']);
    expect(row[7]).toBe('héllo');
    expect(row[10]).toEqual(new Date('2020-01-01T00:00:00'));
    const p = await c.query({
      text: 'select $1::int, $2::float8',
      values: [7, 2.5],
      binary: true,
    } as pg.QueryConfig);
    expect(p.rows).toEqual([{ p1: 7, p2: 2.5 }]);
    await c.end();
  });

  it('tracks transaction status and rejects statements in a failed transaction', async () => {
    const c = await client();
    await c.query('begin');
    await c.query('select * from nope').catch(() => undefined);
    const failed = (await c.query('select 1').catch((e: unknown) => e)) as pg.DatabaseError;
    expect(failed.code).toBe('25P02');
    const failedExtended = (await c
      .query('select $1::int', [1])
      .catch((e: unknown) => e)) as pg.DatabaseError;
    expect(failedExtended.code).toBe('25P02');
    await c.query('rollback');
    expect((await c.query('select 2')).rows).toEqual([{ '?column?': 2 }]);
    await c.end();
  });

  it('answers an empty query with EmptyQueryResponse', async () => {
    const c = await client();
    const r = await c.query('  -- nothing\n ');
    expect(r.rows).toEqual([]);
    expect((await c.query('select 3')).rows).toEqual([{ '?column?': 3 }]);
    await c.end();
  });

  it('streams a 1M-row result', async () => {
    const c = await client();
    let count = 0;
    let last = '';
    const r = await c.query({ text: 'select big 1000000', rowMode: 'array' });
    count = r.rowCount ?? 0;
    last = (r.rows[r.rows.length - 1] as string[])[1]!;
    expect(count).toBe(1_000_000);
    expect(last).toBe('row-999999');
    await c.end();
  });

  it('serves many concurrent connections', async () => {
    const clients = await Promise.all(Array.from({ length: 40 }, () => client()));
    const results = await Promise.all(clients.map((c, i) => c.query(`select ${i}`)));
    expect(results.map((r) => (r.rows[0] as Record<string, number>)['?column?'])).toEqual(
      clients.map((_, i) => i),
    );
    await Promise.all(clients.map((c) => c.end()));
  });

  it('cancels a slow query with CancelRequest', async () => {
    const c = await client();
    const started = Date.now();
    const pending = c.query('select slow').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    // What pg's own cancel does: a new connection that sends CancelRequest with the key of `c`.
    const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
    await raw(serialize.cancel(processID, secretKey));
    const err = (await pending) as pg.DatabaseError;
    expect(err.code).toBe('57014');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await c.query('select 4')).rows).toEqual([{ '?column?': 4 }]);
    await c.end();
  });

  it('closes a connection that sends garbage, leaving others working', async () => {
    const c = await client();
    const startupThenGarbage = Buffer.concat([serialize.startup({ user: 'x' }), Buffer.from('garbage!!')]);
    const reply = await raw(startupThenGarbage);
    expect(reply.includes(Buffer.from('08P01'))).toBe(true);
    expect(reply.includes(Buffer.from('FATAL'))).toBe(true);
    const badStartup = await raw(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
    expect(badStartup.includes(Buffer.from('08P01'))).toBe(true);
    const badVersion = Buffer.from([0, 0, 0, 8, 0, 2, 0, 0]);
    expect((await raw(badVersion)).includes(Buffer.from('unsupported frontend protocol 2.0'))).toBe(true);
    // A truncated message followed by EOF.
    const truncated = Buffer.concat([
      serialize.startup({ user: 'x' }),
      serialize.query('select 1').subarray(0, 6),
    ]);
    const truncatedReply = await raw(truncated);
    expect(truncatedReply.includes(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]))).toBe(true); // ReadyForQuery I
    // Non-UTF-8 query text: an error, and the connection goes on.
    const badUtf8 = Buffer.concat([
      serialize.startup({ user: 'x' }),
      Buffer.from([0x51, 0, 0, 0, 7, 0xff, 0xfe, 0]),
      serialize.query('select 9'),
      serialize.end(),
    ]);
    const utf8Reply = await raw(badUtf8);
    expect(utf8Reply.includes(Buffer.from('22021'))).toBe(true);
    expect(utf8Reply.includes(Buffer.from('SELECT 1'))).toBe(true);
    expect((await c.query('select 5')).rows).toEqual([{ '?column?': 5 }]);
    await c.end();
  });

  it('answers SSLRequest with N and then accepts the start-up', async () => {
    const reply = await raw(
      Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'x' }), serialize.end()]),
    );
    expect(reply[0]).toBe(0x4e);
    expect(reply[1]).toBe(0x52); // AuthenticationOk
    expect(reply.includes(Buffer.from('server_version\u000016.4 (Kindling 0.1.0)'))).toBe(true);
  });
});
