/**
 * Calendar intervals on the wire: the real node-postgres client against the server backed by a
 * real engine. A Spark `interval` goes out as PostgreSQL's interval (OID 1186) in its `postgres`
 * text style, months, days and time kept apart, so `pg` parses it into the same three parts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Engine } from '../../src/session/index.ts';
import { engineSessions, startServer, type ServerHandle } from '../../src/server/index.ts';

let server: ServerHandle;
let client: pg.Client;
const warehouse = mkdtempSync(join(tmpdir(), 'kindling-wire-interval-'));

beforeAll(async () => {
  const engine = new Engine({ warehouse });
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    createSession: engineSessions(engine),
    log: () => {},
  });
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'test', database: 'default' });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await server.close();
  rmSync(warehouse, { recursive: true, force: true });
});

describe('calendar intervals through node-postgres', () => {
  it('are typed interval (1186) and sent in the postgres style', async () => {
    const r = await client.query({
      text: "SELECT make_interval(1, 2, 0, 3, 4, 5, 6.5) AS a, make_interval() AS z, -make_interval(0, 0, 0, 1, 2) AS n, CAST('1 month 1 day' AS INTERVAL) AS c, try_make_interval(2147483647) AS o",
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([1186, 1186, 1186, 1186, 1186]);
    expect(r.rows[0]).toEqual([
      '1 year 2 mons 3 days 04:05:06.5',
      '00:00:00',
      '-1 days -02:00:00',
      '1 mon 1 day',
      null,
    ]);
  });

  it('parse into the same months, days and time with pg’s own interval parser', async () => {
    const r = await client.query<{ a: Record<string, number> }>(
      'SELECT make_interval(1, 2, 1, 3, 4, 5, 6.25) AS a',
    );
    const v = r.rows[0]!.a;
    expect({ ...v }).toEqual({
      years: 1,
      months: 2,
      days: 10,
      hours: 4,
      minutes: 5,
      seconds: 6,
      milliseconds: 250,
    });
  });

  it('arrays of them are interval[] (1187), elements quoted as PostgreSQL quotes them', async () => {
    const r = await client.query({
      text: 'SELECT array(make_interval(1), NULL, make_interval(0, 0, 0, 1, 2)) AS a',
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    expect(r.fields[0]!.dataTypeID).toBe(1187);
    expect(r.rows[0]).toEqual(['{"1 year",NULL,"1 day 02:00:00"}']);
  });

  it('a timestamp moved by one reaches the client as a timestamp', async () => {
    const r = await client.query({
      text: "SELECT TIMESTAMP_NTZ '2024-01-31 10:00:00' + make_interval(0, 1, 0, 1, 1) AS t",
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    expect(r.rows[0]).toEqual(['2024-03-01 11:00:00']);
  });

  it('ordering one is an error the session survives', async () => {
    await expect(client.query('SELECT make_interval(1) < make_interval(2)')).rejects.toMatchObject({
      code: '42K09',
    });
    const r = await client.query('SELECT make_interval(1) = make_interval(0, 12) AS eq');
    expect(r.rows[0]).toEqual({ eq: true });
  });
});

describe('interval parameters through node-postgres', () => {
  const raw = { getTypeParser: () => (v: string) => v };
  /** Query config declaring the parameters' type OIDs in Parse (pg passes `types` through). */
  const declared = (oids: number[]) => Object.assign(oids, raw);

  it('bind as text in PostgreSQL’s styles and move dates and timestamps', async () => {
    const r = await client.query({
      text:
        "SELECT DATE '2024-01-31' + $1 AS d, TIMESTAMP_NTZ '2024-03-09 12:00:00' + $2 AS t, " +
        "TIMESTAMP_NTZ '2024-01-01 00:00:00' + $3 AS f, $4 AS v, typeof($1) AS ty",
      values: ['1 mon', '1 day 02:03:04', '-00:00:01.5', '@ 1 year 2 mons 3 days ago'],
      types: declared([1186, 1186, 1186, 1186]),
      rowMode: 'array',
    } as pg.QueryConfig);
    expect(r.rows[0]).toEqual([
      '2024-02-29',
      '2024-03-10 14:03:04',
      '2023-12-31 23:59:58.5',
      '-1 years -2 mons -3 days',
      'interval',
    ]);
  });

  it('bind undeclared where the statement types them, in the session time zone', async () => {
    await client.query("SET TIME ZONE 'America/Los_Angeles'");
    try {
      // One calendar day across the start of daylight saving keeps the wall-clock time.
      const r = await client.query({
        text: "SELECT CAST(TIMESTAMP '2024-03-09 12:00:00' + $1::interval AS STRING) AS t, INTERVAL '1' DAY + $2::interval day to second AS s",
        values: ['1 day', '02:00:00'],
        types: raw,
        rowMode: 'array',
      } as pg.QueryConfig);
      expect(r.rows[0]).toEqual(['2024-03-10 12:00:00', '1 day 02:00:00']);
    } finally {
      await client.query("SET TIME ZONE 'UTC'");
    }
  });

  it('bind undeclared beside a timestamp as an interval, beside a date as a day count', async () => {
    await client.query("SET TIME ZONE 'America/Los_Angeles'");
    try {
      const r = await client.query({
        text:
          "SELECT CAST(TIMESTAMP '2024-03-09 12:00:00' + $1 AS STRING) AS t, " +
          "$2 + TIMESTAMP_NTZ '2024-01-31 00:00:00' AS n, DATE '2024-01-31' + $3 AS d",
        values: ['1 day 02:00:00', '1 mon 00:00:01', '3'],
        types: raw,
        rowMode: 'array',
      } as pg.QueryConfig);
      // The day keeps the wall-clock time across the start of daylight saving; the hours are elapsed.
      // Jan 31 + 1 month is Feb 29 (2024), then one second.
      expect(r.rows[0]).toEqual(['2024-03-10 14:00:00', '2024-02-29 00:00:01', '2024-02-03']);
    } finally {
      await client.query("SET TIME ZONE 'UTC'");
    }
  });

  it('bind in binary form: int64 microseconds, int32 days, int32 months', async () => {
    const b = Buffer.alloc(16);
    b.writeBigInt64BE(3_723_000_000n, 0); // 01:02:03
    b.writeInt32BE(1, 8);
    b.writeInt32BE(1, 12);
    const r = await client.query({
      text: "SELECT TIMESTAMP_NTZ '2024-01-31 00:00:00' + $1 AS t, $1 AS v",
      values: [b],
      types: declared([1186]),
      rowMode: 'array',
    } as pg.QueryConfig);
    expect(r.rows[0]).toEqual(['2024-03-01 01:02:03', '1 mon 1 day 01:02:03']);
  });

  it('a malformed interval is 22007 and the session goes on', async () => {
    await expect(
      client.query({
        text: 'SELECT $1 AS v',
        values: ['1 fortnight'],
        types: declared([1186]),
      } as pg.QueryConfig),
    ).rejects.toMatchObject({ code: '22007' });
    await expect(
      client.query({
        text: 'SELECT $1 AS v',
        values: ['2147483648 days'],
        types: declared([1186]),
      } as pg.QueryConfig),
    ).rejects.toMatchObject({ code: '22015' });
    const r = await client.query('SELECT 1 AS one');
    expect(r.rows[0]).toEqual({ one: 1 });
  });
});
