/**
 * TPC-H at SF0.01, in-process, run the ways the engine can run a query: in the session's thread,
 * on one executor thread with one partition, on three threads with three partitions and hash
 * joins forced (no broadcast), on three threads broadcasting every join side, with cost-based
 * join ordering switched off, and over a Parquet copy of the tables (which take filter steps as
 * they decode) with hash joins forced, runtime key filters (`KeyFilterExec`) on and off. Every way must give the same rows (doubles equal to 1e-9 relative,
 * rows with tied sort keys in any order), and the first way the reference answers (tpch.test.ts
 * checks those through psql).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionEngine } from '../../src/exec/index.ts';
import { hasNatsServer } from '../../src/exec/remote/nats/nats-server-process.ts';
import { Engine, type Session, type Value } from '../../src/index.ts';
import { TIES_POSSIBLE } from '../../tpch/answers.ts';
import { TPCH_TABLE_NAMES, createTpchTableSql } from '../../tpch/schema.ts';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../data/tpch');
const QUERIES = Array.from({ length: 22 }, (_, i) => i + 1);

interface Way {
  readonly name: string;
  readonly threads: number;
  readonly settings: Readonly<Record<string, string>>;
  /** Default `tpch` (the .tbl files); `tpch_parquet` is a Parquet copy. */
  readonly database?: string;
  /** Run on three executor processes (`process[3]`) instead of threads. */
  readonly processes?: boolean;
}

const PARTITIONED = {
  'kindling.execution.target_partitions': '3',
  'spark.sql.shuffle.partitions': '3',
  'spark.sql.autoBroadcastJoinThreshold': '-1',
  'kindling.execution.inline_tiny_queries': 'false',
};

const WAYS: readonly Way[] = [
  { name: 'inline', threads: 0, settings: { 'kindling.execution.target_partitions': '2' } },
  {
    name: '1 thread, 1 partition',
    threads: 1,
    settings: {
      'kindling.execution.target_partitions': '1',
      'spark.sql.shuffle.partitions': '1',
      'kindling.execution.inline_tiny_queries': 'false',
    },
  },
  {
    name: '3 threads, partitioned joins',
    threads: 3,
    settings: {
      'kindling.execution.target_partitions': '3',
      'spark.sql.shuffle.partitions': '3',
      'spark.sql.autoBroadcastJoinThreshold': '-1',
      'kindling.execution.inline_tiny_queries': 'false',
    },
  },
  {
    name: '3 threads, broadcast joins',
    threads: 3,
    settings: {
      'kindling.execution.target_partitions': '3',
      'spark.sql.shuffle.partitions': '3',
      'spark.sql.autoBroadcastJoinThreshold': '1GB',
      'kindling.execution.inline_tiny_queries': 'false',
    },
  },
  {
    name: 'join reordering off',
    threads: 2,
    settings: { 'kindling.optimizer.disabled_rules': 'reorder_joins' },
  },
  {
    name: 'Parquet, partitioned joins, runtime key filters',
    threads: 3,
    database: 'tpch_parquet',
    settings: PARTITIONED,
  },
  {
    name: 'Parquet, partitioned joins, runtime key filters off',
    threads: 3,
    database: 'tpch_parquet',
    settings: { ...PARTITIONED, 'kindling.execution.runtime_key_filter': 'false' },
  },
  {
    name: 'process[3] executors, Parquet, partitioned joins',
    threads: 0,
    database: 'tpch_parquet',
    settings: PARTITIONED,
    processes: true,
  },
].filter((w) => w.processes !== true || hasNatsServer());

let warehouse = '';
let processes: ExecutionEngine | null = null;
const engines: Engine[] = [];
const sessions = new Map<string, Session>();
const baseline = new Map<number, Value[][]>();

beforeAll(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-tpch-diff-'));
  for (const way of WAYS) {
    if (way.processes === true) {
      processes = new ExecutionEngine({
        master: { kind: 'process', executors: 3 },
        memoryLimit: 3 * 2 ** 30,
      });
      await processes.start();
    }
    const engine = new Engine({
      warehouse,
      executorThreads: way.threads,
      allowedPaths: [warehouse, DATA],
      ...(way.processes === true && processes !== null ? { execution: processes } : {}),
    });
    engines.push(engine);
    if (engines.length === 1) {
      const setup = engine.createSession();
      await setup.sql('CREATE DATABASE tpch');
      for (const t of TPCH_TABLE_NAMES)
        await setup.sql(createTpchTableSql(t, join(DATA, 'sf0.01', `${t}.tbl`), 'tpch'));
      await setup.sql('CREATE DATABASE tpch_parquet');
      for (const t of TPCH_TABLE_NAMES)
        await setup.sql(`CREATE TABLE tpch_parquet.${t} USING parquet AS SELECT * FROM tpch.${t}`);
    }
    sessions.set(
      way.name,
      engine.createSession({ database: way.database ?? 'tpch', settings: way.settings }),
    );
  }
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await processes?.close();
  rmSync(warehouse, { recursive: true, force: true });
});

function same(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }
  return JSON.stringify(a, bigints) === JSON.stringify(b, bigints);
}

function bigints(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

function rowKey(row: readonly Value[]): string {
  return JSON.stringify(
    row.map((v) => (typeof v === 'number' ? v.toPrecision(9) : v)),
    bigints,
  );
}

function differences(q: number, expected: Value[][], actual: Value[][]): string[] {
  if (expected.length !== actual.length) return [`${expected.length} rows expected, ${actual.length} given`];
  const order = (rows: Value[][]): Value[][] =>
    TIES_POSSIBLE.has(q) ? [...rows].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : 1)) : rows;
  const e = order(expected);
  const a = order(actual);
  const out: string[] = [];
  e.forEach((row, i) => {
    const other = a[i]!;
    if (row.length !== other.length || row.some((v, c) => !same(v, other[c]!))) {
      out.push(`row ${i}: ${JSON.stringify(row, bigints)} ≠ ${JSON.stringify(other, bigints)}`);
    }
  });
  return out;
}

it('the runtime key filter way does filter: Q4 and Q21 read lineitem through a KeyFilterExec', async () => {
  const on = sessions.get('Parquet, partitioned joins, runtime key filters')!;
  const off = sessions.get('Parquet, partitioned joins, runtime key filters off')!;
  for (const q of [4, 21]) {
    const text = readFileSync(join(DATA, 'queries', `q${String(q).padStart(2, '0')}.sql`), 'utf8');
    const plan = async (s: Session): Promise<string> =>
      (await s.sql(`EXPLAIN ${text}`)).rows.map((r) => r[0] as string).join('\n');
    expect(await plan(on)).toContain('KeyFilterExec');
    expect(await plan(off)).not.toContain('KeyFilterExec');
  }
});

describe.each(WAYS)('TPC-H SF0.01, $name', (way) => {
  it.each(QUERIES)('Q%i gives the same rows', async (q) => {
    const text = readFileSync(join(DATA, 'queries', `q${String(q).padStart(2, '0')}.sql`), 'utf8');
    const { rows } = await sessions.get(way.name)!.sql(text);
    const first = baseline.get(q);
    if (first === undefined) {
      expect(rows.length).toBeGreaterThan(0);
      baseline.set(q, rows as Value[][]);
      return;
    }
    expect(differences(q, first, rows as Value[][])).toEqual([]);
  });
});
