import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, EngineError } from '../../src/index.ts';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../data/tpch/sf0.01');
const dirs: string[] = [];
const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-scan-workers-'));
  dirs.push(d);
  return d;
}

describe('scan worker threads', () => {
  it('give the same answers as reading in the session thread, and stop early under LIMIT', async () => {
    const engine = new Engine({ warehouse: tempDir() });
    engines.push(engine);
    const session = engine.createSession();
    await session.sql(
      `CREATE TABLE lineitem (l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber INT, l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag STRING, l_linestatus STRING, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE, l_shipinstruct STRING, l_shipmode STRING, l_comment STRING) USING csv OPTIONS (sep '|', header 'false') LOCATION '${DATA}/lineitem.tbl'`,
    );
    const query =
      'SELECT l_returnflag, count(*), sum(l_extendedprice), min(l_shipdate), max(l_comment) FROM lineitem ' +
      "WHERE l_shipdate <= DATE '1998-09-01' GROUP BY l_returnflag ORDER BY l_returnflag";
    await session.sql('SET kindling.execution.scan_workers = 0');
    const local = await session.sql(query);
    await session.sql('SET kindling.execution.scan_workers = 2');
    await session.sql('SET kindling.execution.scan_worker_min_bytes = 0');
    await session.sql('SET kindling.execution.target_partitions = 3');
    const remote = await session.sql(query);
    expect(remote.rows).toEqual(local.rows);
    expect(engine.scanWorkers(2).started).toBeGreaterThan(0);
    const limited = await session.sql('SELECT l_orderkey FROM lineitem LIMIT 5');
    expect(limited.rows).toHaveLength(5);
    // The pool still serves queries after an early stop.
    const again = await session.sql(query);
    expect(again.rows).toEqual(local.rows);
  });

  it('report a reader error from a worker with its SQLSTATE', async () => {
    const dir = tempDir();
    const engine = new Engine({ warehouse: dir });
    engines.push(engine);
    const session = engine.createSession();
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      Array.from({ length: 20000 }, (_, i) => (i === 15000 ? 'x,y' : `${i},${i}`)).join('\n'),
    );
    await session.sql(`CREATE TABLE t (a INT, b INT) USING csv OPTIONS (mode 'FAILFAST') LOCATION '${file}'`);
    await session.sql('SET kindling.execution.scan_workers = 2');
    await session.sql('SET kindling.execution.scan_worker_min_bytes = 0');
    await session.sql('SET kindling.execution.target_partitions = 2');
    const failure = async (): Promise<EngineError> => {
      try {
        await session.sql('SELECT sum(a) FROM t');
      } catch (err) {
        if (err instanceof EngineError) return err;
        throw err;
      }
      throw new Error('expected the query to fail');
    };
    const remote = await failure();
    await session.sql('SET kindling.execution.scan_workers = 0');
    const local = await failure();
    expect(local.sqlstate).toMatch(/^22/);
    expect(remote.sqlstate).toBe(local.sqlstate);
    expect(remote.message).toBe(local.message);
  });
});
