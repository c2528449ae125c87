/**
 * Parameters the client leaves untyped (OID 0 — node `pg` sends every parameter so) take their type
 * from where they stand, and `$1::numeric` keeps the digits it is given, as in PostgreSQL. Describe
 * of a statement answers those types (ParameterDescription) and the result's columns with the table
 * OID and column number of those read from a table (RowDescription).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol';
import { startEngineServer, type EngineServer } from './engine-server.ts';
import { RawWireClient } from './raw-wire-client.ts';

let fixture: EngineServer | undefined;
let client: pg.Client;

beforeAll(async () => {
  fixture = await startEngineServer('params');
  client = new pg.Client({ host: '127.0.0.1', port: fixture.port, user: 'alice', database: 'default' });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await fixture?.close();
});

describe('untyped parameters', () => {
  it('take the types of the columns INSERT … VALUES stores them in', async () => {
    await client.query(
      'CREATE TABLE typed (i INT, b BIGINT, d DECIMAL(10,2), s STRING, day DATE) USING parquet',
    );
    await client.query('INSERT INTO typed VALUES ($1, $2, $3, $4, $5)', [
      42,
      '9007199254740993',
      '12.34',
      'x',
      '2024-02-29',
    ]);
    await client.query('INSERT INTO typed (s, i) VALUES ($1, $2), ($3, $4)', ['y', 7, 'z', null]);
    const r = await client.query('SELECT i, b, d, s, day FROM typed ORDER BY s');
    expect(r.rows.map((row: Record<string, unknown>) => [row.i, row.b, row.d, row.s])).toEqual([
      [42, '9007199254740993', '12.34', 'x'],
      [7, null, null, 'y'],
      [null, null, null, 'z'],
    ]);
    // A value that is not of the column's type is refused at bind, naming the parameter's type.
    await expect(client.query('INSERT INTO typed (i) VALUES ($1)', ['abc'])).rejects.toMatchObject({
      code: '22P02',
    });
  });

  it('keep their scale through ::numeric', async () => {
    const r = await client.query({
      text: 'SELECT $1::numeric AS n, $2::numeric * 2 AS m',
      values: ['12.34', '0.005'],
      rowMode: 'array',
    });
    expect(r.rows).toEqual([['12.34', '0.010']]);
  });

  it('are described: ParameterDescription with inferred and array types, RowDescription with table columns', async () => {
    const raw = await RawWireClient.connect(fixture!.port);
    try {
      raw.send(
        serialize.parse({
          name: 'described',
          text: 'SELECT i, s, $1::int[] AS a, $2::numeric AS n FROM typed WHERE i = $3 AND day > $4 AND s IN ($5, $6) LIMIT $7',
          types: [],
        }),
        serialize.describe({ type: 'S', name: 'described' }),
        serialize.sync(),
      );
      const messages = await raw.readUntil('readyForQuery');
      const params = messages.find((m) => m.name === 'parameterDescription');
      // int4[], numeric, int4 (the column i), date, text ×2, and LIMIT's int8.
      expect(params?.['dataTypeIDs']).toEqual([1007, 1700, 23, 1082, 25, 25, 20]);
      const fields = messages.find((m) => m.name === 'rowDescription')?.['fields'] as {
        name: string;
        tableID: number;
        columnID: number;
        dataTypeID: number;
      }[];
      expect(fields.map((f) => [f.name, f.dataTypeID, f.columnID])).toEqual([
        ['i', 23, 1],
        ['s', 25, 4],
        ['a', 1007, 0],
        ['n', 1700, 0],
      ]);
      // The table OID is pg_class's.
      const oid = await client.query<{ oid: number }>(
        "SELECT oid FROM pg_catalog.pg_class WHERE relname = 'typed'",
      );
      expect(fields[0]!.tableID).toBe(Number(oid.rows[0]!.oid));
      expect(fields[2]!.tableID).toBe(0);
    } finally {
      await raw.end();
    }
  });
});
