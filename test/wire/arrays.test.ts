/**
 * Arrays on the wire: the real node-postgres client against the server backed by a real engine.
 * Arrays go out in PostgreSQL's text form (`{1,2,NULL}`, strings quoted where PostgreSQL would),
 * typed with the array OIDs (1007 int4[], 1016 int8[], 1009 text[]), so `pg` parses them to JS arrays.
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
const warehouse = mkdtempSync(join(tmpdir(), 'kindling-wire-arrays-'));

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

describe('arrays through node-postgres', () => {
  it('int, bigint and text arrays parse to JS arrays, NULL elements included', async () => {
    const r = await client.query(
      "SELECT array(1, 2, NULL) AS a, array(1L, 20L) AS b, array('x', NULL, 'a b', '', 'NULL', 'q\"') AS c, split('a,b', ',') AS d",
    );
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([1007, 1016, 1009, 1009]);
    expect(r.rows[0]).toEqual({
      a: [1, 2, null],
      b: ['1', '20'],
      c: ['x', null, 'a b', '', 'NULL', 'q"'],
      d: ['a', 'b'],
    });
  });

  it('sends the PostgreSQL text form, empty and NULL arrays too', async () => {
    const r = await client.query({
      text: 'SELECT array(1, NULL) AS a, array() AS e, CAST(NULL AS ARRAY<INT>) AS n, array(array(1, 2), array(3)) AS m',
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    expect(r.rows[0]).toEqual(['{1,NULL}', '{}', null, '{{1,2},{3}}']);
  });

  it('explode rows come back one per element', async () => {
    const r = await client.query('SELECT explode(array(3, 1)) AS x');
    expect(r.rows).toEqual([{ x: 3 }, { x: 1 }]);
  });
});
