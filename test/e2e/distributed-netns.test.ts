/**
 * A driver and three executor processes on separate hosts: each executor in a network namespace
 * of its own (test/e2e/netns.ts), reaching the driver's NATS server and each other's Flight
 * servers over a bridge. The 22 TPC-H queries at SF0.1, sent by psql to the driver's PostgreSQL
 * port, give the reference answers; an executor cut off by a network partition has its tasks run
 * elsewhere — same answers — and is replaced once the network heals. Root only (network
 * namespaces), and nats-server must be installed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionEngine } from '../../src/exec/index.ts';
import { hasNatsServer } from '../../src/exec/remote/nats/nats-server-process.ts';
import { Engine, engineSessions, startServer, type Session } from '../../src/index.ts';
import { compareAnswer, parseAnswer } from '../../tpch/answers.ts';
import { TPCH_TABLE_NAMES, createTpchTableSql } from '../../tpch/schema.ts';
import { psqlRows } from '../tpch/psql-rows.ts';
import { canMakeNamespaces, makeTestHosts, type TestHosts } from './netns.ts';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../data/tpch');
const QUERIES = Array.from({ length: 22 }, (_, i) => i + 1);

describe.skipIf(!canMakeNamespaces() || !hasNatsServer())('executor processes on three hosts', () => {
  let dir = '';
  let hosts: TestHosts | null = null;
  let execution: ExecutionEngine | null = null;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let session: Session;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kindling-netns-'));
    hosts = makeTestHosts(3);
    execution = new ExecutionEngine({
      master: { kind: 'process', executors: 3 },
      executorPlaces: hosts.hosts,
      natsHost: hosts.driverAddress,
      localDir: join(dir, 'local'),
      memoryLimit: 3 * 2 ** 30,
    });
    await execution.start();
    const warehouse = join(dir, 'warehouse');
    const engine = new Engine({ warehouse, execution, allowedPaths: [warehouse, DATA] });
    session = engine.createSession({
      settings: {
        'kindling.execution.target_partitions': '3',
        'spark.sql.shuffle.partitions': '3',
      },
    });
    await session.sql('CREATE DATABASE tpch');
    for (const t of TPCH_TABLE_NAMES) {
      await session.sql(createTpchTableSql(t, join(DATA, 'sf0.1', `${t}.tbl.gz`), 'tpch'));
    }
    server = await startServer({ host: '127.0.0.1', port: 0, createSession: engineSessions(engine) });
  });

  afterAll(async () => {
    await server?.close();
    await execution?.close();
    hosts?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(QUERIES)('TPC-H SF0.1 Q%i gives the reference answer', async (q) => {
    const file = join(DATA, 'queries', `q${String(q).padStart(2, '0')}.sql`);
    const answer = parseAnswer(readFileSync(join(DATA, 'answers', 'sf0.1', `q${q}.out`), 'utf8'));
    expect(compareAnswer(answer, await psqlRows(server!.port, 'tpch', file), q)).toEqual([]);
  });

  it('runs the tasks of an executor cut off by a network partition elsewhere, and replaces it', async () => {
    const query =
      'SELECT l_returnflag, l_linestatus, count(*), sum(l_extendedprice * (1 - l_discount)) FROM tpch.lineitem a JOIN tpch.orders o ON a.l_orderkey = o.o_orderkey GROUP BY 1, 2 ORDER BY 1, 2';
    const expected = (await session.sql(query)).rows;
    const pool = execution!.cluster!.pool;
    const cutOff = pool.executors().find((e) => e.id.includes('-e2-'))!.id;
    const running = session.sql(query);
    await new Promise((r) => setTimeout(r, 200));
    hosts!.partition(1);
    try {
      expect((await running).rows).toEqual(expected);
      // Declared lost once its heartbeats stop coming (the query did not wait for the network).
      for (let i = 0; i < 600 && pool.executors().some((e) => e.id === cutOff); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(pool.executors().some((e) => e.id === cutOff)).toBe(false);
    } finally {
      hosts!.heal(1);
    }
    // Stopped, and replaced by a new executor in its place.
    const replaced = (): boolean =>
      pool.executors().length === 3 && !pool.executors().some((e) => e.id === cutOff);
    for (let i = 0; i < 600 && !replaced(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(replaced()).toBe(true);
    expect((await session.sql(query)).rows).toEqual(expected);
  });
});
