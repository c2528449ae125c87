/**
 * node-postgres over the extended protocol against a real engine: parameters of every type
 * (arrays included) with their types inferred by the server, results in binary format, pg-cursor
 * reading a result in chunks (Execute with a row limit, then Flush without Sync: the portal is
 * suspended between reads), pg-query-stream piping a result of many batches with backpressure,
 * and a query cancelled in the middle of its stream — the connection staying usable after each.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import Cursor from 'pg-cursor';
import QueryStream from 'pg-query-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from '../e2e/engine-server.ts';

let fixture: EngineServer | undefined;
let client: pg.Client;

function connect(): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: fixture!.port, user: 'alice', database: 'default' });
}

beforeAll(async () => {
  fixture = await startEngineServer('pg-extended', {
    setup: async (s) => {
      await s.sql(
        'CREATE TABLE nation (n_nationkey INT, n_name STRING, n_regionkey INT, n_gdp DECIMAL(15,2), n_founded DATE) USING parquet',
      );
      await s.sql(
        "INSERT INTO nation VALUES (0, 'ALGERIA', 0, 100.50, DATE'1962-07-05'), (1, 'ARGENTINA', 1, 200.25, DATE'1816-07-09'), (2, 'BRAZIL', 1, NULL, DATE'1822-09-07')",
      );
    },
  });
  client = connect();
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await fixture?.close();
});

const ALL_TYPES =
  'SELECT $1::int AS i, $2::bigint AS b, $3::numeric AS n, $4::date AS d, $5::timestamptz AS ts, $6::bool AS t, ' +
  '$7::text AS nul, $8::int[] AS ia, $9::text[] AS ta, $10::float8 AS f, $11::smallint AS s, $12::bigint[] AS ba, ' +
  '$13::double[] AS fa, $14::boolean[] AS boa, $15::date[] AS da, $16::decimal(10,2)[] AS na, $17::int[] AS ea';

const ALL_VALUES = [
  42,
  '9007199254740993',
  '12.30',
  '2024-02-29',
  '2024-01-02 03:04:05.25+00',
  true,
  null,
  '{1,NULL,3}',
  ['a b', null, '', 'q"'],
  1.5,
  -7,
  [1, 2],
  [0.5, null],
  [true, false],
  ['2024-02-29'],
  ['1.5', '2.25'],
  [],
];

describe('node-postgres parameters and binary results', () => {
  it('takes parameters of every type, arrays included, and returns them as text', async () => {
    const r = await client.query({ text: ALL_TYPES, values: ALL_VALUES, rowMode: 'array' });
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([
      23, 20, 1700, 1082, 1184, 16, 25, 1007, 1009, 701, 21, 1016, 1022, 1000, 1182, 1231, 1007,
    ]);
    const row = r.rows[0] as unknown[];
    expect(row.slice(0, 4)).toEqual([42, '9007199254740993', '12.30', expect.any(Date)]);
    expect((row[4] as Date).toISOString()).toBe('2024-01-02T03:04:05.250Z');
    expect(row.slice(5)).toEqual([
      true,
      null,
      [1, null, 3],
      ['a b', null, '', 'q"'],
      1.5,
      -7,
      ['1', '2'],
      [0.5, null],
      [true, false],
      [expect.any(Date)],
      // pg parses numeric[] elements as numbers.
      [1.5, 2.25],
      [],
    ]);
    expect(((row[14] as Date[])[0] as Date).getFullYear()).toBe(2024);
  });

  it('returns binary results that pg decodes to the same values', async () => {
    // node-postgres reads every DataRow field as UTF-8 text before its binary parsers see it, so
    // these values are ones whose binary forms are ASCII bytes (the binary encodings themselves,
    // NULL elements and negative numbers included, are checked byte for byte beside the server
    // code and through JDBC).
    const r = await client.query({
      text: 'SELECT $1::int AS i, $2::bigint AS b, $3::numeric AS n, $4::timestamptz AS ts, $5::bool AS t, $6::text AS s, $7::int[] AS ia, $8::text[] AS ta, $9::bigint[] AS ba, $10::int[] AS e, $11::float8 AS f',
      values: [
        42,
        '5',
        '7.0001',
        '2000-01-01 00:00:00.000001+00',
        true,
        'hello',
        [1, 2, 3],
        ['x', 'yz'],
        [5],
        [],
        2,
      ],
      binary: true,
    } as pg.QueryConfig);
    expect(r.fields.map((f) => f.format)).toEqual(Array(11).fill('binary'));
    const row = r.rows[0] as Record<string, unknown>;
    expect(row.i).toBe(42);
    expect(String(row.b)).toBe('5');
    expect(row.n).toBe(7.0001);
    expect((row.ts as Date).toISOString()).toBe('2000-01-01T00:00:00.000Z');
    expect([row.t, row.s, row.ia, row.ta, row.e, row.f]).toEqual([
      true,
      'hello',
      [1, 2, 3],
      ['x', 'yz'],
      [],
      2,
    ]);
    expect((row.ba as unknown[]).map(String)).toEqual(['5']);
  });

  it('infers untyped parameters from comparisons, IN lists, LIKE and LIMIT', async () => {
    const r = await client.query(
      'SELECT n_name FROM nation WHERE (n_regionkey = $1 AND n_name LIKE $2) OR n_nationkey IN ($3, $4) OR n_founded = $5 ORDER BY 1 LIMIT $6',
      ['1', '%R%', 0, 99, '1822-09-07', 5],
    );
    expect(r.rows.map((x: { n_name: string }) => x.n_name)).toEqual(['ALGERIA', 'ARGENTINA', 'BRAZIL']);
    // A value that is not of the inferred type is refused at bind.
    await expect(
      client.query('SELECT n_name FROM nation WHERE n_nationkey = $1', ['abc']),
    ).rejects.toMatchObject({
      code: '22P02',
    });
    const named = await client.query({
      name: 'nation_by_key',
      text: 'SELECT n_name FROM nation WHERE n_nationkey = $1',
      values: [2],
    });
    expect(named.rows).toEqual([{ n_name: 'BRAZIL' }]);
  });
});

describe('pg-cursor', () => {
  it('reads a large result in chunks from a suspended portal; the connection stays usable', async () => {
    const cursor = client.query(new Cursor('SELECT id, id * 2 AS twice FROM range(0, 20000) ORDER BY id'));
    let seen = 0;
    let chunks = 0;
    for (;;) {
      const rows = (await cursor.read(3000)) as { id: string; twice: string }[];
      if (rows.length === 0) break;
      chunks++;
      for (const row of rows) {
        expect(Number(row.id)).toBe(seen);
        expect(Number(row.twice)).toBe(2 * seen);
        seen++;
      }
    }
    await cursor.close();
    expect(seen).toBe(20000);
    expect(chunks).toBe(7);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('closed early, the rest of its rows is never sent', async () => {
    const cursor = client.query(new Cursor('SELECT id FROM range(0, 1000000)'));
    const rows = (await cursor.read(5)) as { id: string }[];
    expect(rows.map((r) => Number(r.id))).toEqual([0, 1, 2, 3, 4]);
    await cursor.close();
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });
});

describe('pg-query-stream', () => {
  it('pipes a result of many batches with backpressure', async () => {
    const stream = client.query(new QueryStream('SELECT id FROM range(0, 50000)', [], { batchSize: 500 }));
    let count = 0;
    let sum = 0;
    let slowed = 0;
    let buffered = 0;
    await pipeline(
      stream,
      new Writable({
        objectMode: true,
        highWaterMark: 16,
        write(row: { id: string }, _enc, done): void {
          count++;
          sum += Number(row.id);
          // A slow consumer every so often: the stream must wait for it, not buffer the result.
          if (count % 10_000 === 0) {
            slowed++;
            // What the stream holds is at most one batch beyond its high-water mark (the batch size
            // too): it asks the server for more rows only as they are consumed.
            buffered = Math.max(buffered, stream.readableLength);
            setTimeout(done, 20);
          } else done();
        },
      }),
    );
    expect(count).toBe(50000);
    expect(sum).toBe((49999 * 50000) / 2);
    expect(slowed).toBe(5);
    expect(buffered).toBeLessThanOrEqual(500 + 500);
    expect((await client.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });

  it('is cancelled mid-stream by its consumer: the portal closes and the connection answers the next query', async () => {
    const c = connect();
    await c.connect();
    try {
      const stream = c.query(new QueryStream('SELECT id FROM range(0, 100000000)', [], { batchSize: 1000 }));
      let count = 0;
      await new Promise<void>((resolve, reject) => {
        stream.on('data', () => {
          count++;
          // destroy() closes the cursor: Close of the portal, then Sync, instead of the next Execute.
          if (count === 5000) stream.destroy();
        });
        stream.on('error', reject);
        stream.on('close', () => resolve());
      });
      expect(count).toBeGreaterThanOrEqual(5000);
      expect(count).toBeLessThan(10_000);
      const started = Date.now();
      expect((await c.query('SELECT 4 AS four')).rows).toEqual([{ four: 4 }]);
      // The rest of the hundred million rows was not produced first.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await c.end();
    }
  });
});
