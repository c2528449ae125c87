/**
 * Filters applied inside the Parquet scan (late materialization): for filters of every shape the
 * scan can take — `column op constant`, `column op column`, IN, LIKE, IS NULL, OR over two
 * columns, evaluated per dictionary entry or per row — over several row groups with NULLs in every
 * column, the rows are exactly those the data's formula gives (computed here, row by row); a part
 * that would raise on a dictionary entry only rows dropped earlier hold does not raise; EXPLAIN ANALYZE shows the scan producing only
 * the surviving rows of a selective filter, and all rows of one that keeps nearly everything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../../src/session/index.ts';
import { tempDir, writeParquet } from '../../../src/catalog/parquet/parquet-test-support.ts';

const ROWS = 20000;
const MODES = ['AIR', 'MAIL', 'SHIP', 'TRUCK', 'RAIL'];

interface Row {
  id: number;
  a: number | null;
  b: number;
  s: string | null;
  d: string;
  price: string;
  note: string | null;
  code: string;
}

/** The table's rows, as the SELECT below writes them. */
function row(i: number): Row {
  const day = new Date(Date.UTC(2020, 0, 1) + (i % 400) * 86_400_000).toISOString().slice(0, 10);
  return {
    id: i,
    a: i % 11 === 0 ? null : i % 97,
    b: (i * 7) % 97,
    s: i % 13 === 0 ? null : MODES[i % 5]!,
    d: day,
    price: ((i % 1000) / 4).toFixed(2),
    note: i % 3 === 0 ? null : `note ${i} ${'x'.repeat(i % 50)}`,
    code: i % 20 === 0 ? 'bad' : String(i % 20),
  };
}

const ALL = Array.from({ length: ROWS }, (_, i) => row(i));

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = tempDir('kindling-late-mat-');
  await writeParquet(
    `SELECT i::INT AS id, CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 97)::INT END AS a, ((i * 7) % 97)::INT AS b,
       CASE WHEN i % 13 = 0 THEN NULL ELSE ['AIR', 'MAIL', 'SHIP', 'TRUCK', 'RAIL'][i % 5 + 1] END AS s,
       DATE '2020-01-01' + (i % 400)::INT AS d, ((i % 1000) / 4)::DECIMAL(9,2) AS price,
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i || ' ' || repeat('x', (i % 50)::INT) END AS note,
       CASE WHEN i % 20 = 0 THEN 'bad' ELSE (i % 20)::VARCHAR END AS code
     FROM range(${ROWS}) r(i)`,
    path.join(dir, 't', 'part-0.parquet'),
    3000,
  );
  const warehouse = tempDir('kindling-late-mat-wh-');
  engine = new Engine({ warehouse, allowedPaths: [warehouse, dir], executorThreads: 2 });
  const setup = engine.createSession();
  await setup.sql(
    `CREATE TABLE t (id INT, a INT, b INT, s STRING, d DATE, price DECIMAL(9,2), note STRING, code STRING) USING parquet LOCATION '${path.join(dir, 't')}'`,
  );
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const CASES: readonly { where: string; holds: (r: Row) => boolean }[] = [
  { where: 'a < 10', holds: (r) => r.a !== null && r.a < 10 },
  {
    where: "s IN ('MAIL', 'SHIP') AND d >= DATE '2020-06-01'",
    holds: (r) => (r.s === 'MAIL' || r.s === 'SHIP') && r.d >= '2020-06-01',
  },
  { where: 'a = 5 AND price > 100', holds: (r) => r.a === 5 && Number(r.price) > 100 },
  { where: "s LIKE 'T%' OR a IS NULL", holds: (r) => (r.s !== null && r.s.startsWith('T')) || r.a === null },
  { where: 'a < b AND b < 20', holds: (r) => r.a !== null && r.a < r.b && r.b < 20 },
  { where: 'id >= 0 AND a = 3', holds: (r) => r.a === 3 },
  { where: 'a > 1000', holds: () => false },
  {
    where: "note LIKE '%xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' AND id % 2 = 0",
    holds: (r) => r.note !== null && r.note.endsWith('x'.repeat(48)) && r.id % 2 === 0,
  },
  { where: 's IS NULL AND id > 15000', holds: (r) => r.s === null && r.id > 15000 },
  { where: 'id > 100', holds: (r) => r.id > 100 },
  // Cast per dictionary entry would fail on 'bad', which no row the first parts keep holds.
  {
    where: "code IN ('16', '17', '18', '19', 'bad') AND code <> 'bad' AND CAST(code AS INT) > 15",
    holds: (r) => r.code !== 'bad' && Number(r.code) > 15,
  },
];

describe.each([1, 3])('filters inside the Parquet scan, %i partition(s)', (partitions) => {
  let session: Session;
  beforeAll(() => {
    session = engine.createSession({
      settings: {
        'kindling.execution.target_partitions': String(partitions),
        'kindling.execution.inline_tiny_queries': 'false',
      },
    });
  });

  it.for(CASES)('WHERE $where', async ({ where, holds }) => {
    const r = await session.sql(
      `SELECT id, a, b, s, CAST(d AS STRING), CAST(price AS STRING), note FROM t WHERE ${where} ORDER BY id`,
    );
    const want = ALL.filter(holds).map((x) => [x.id, x.a, x.b, x.s, x.d, x.price, x.note]);
    expect(r.rows.length).toBe(want.length);
    expect(r.rows).toEqual(want);
  });

  it('the scan produces only the rows a selective filter keeps, and every row for one that keeps most', async () => {
    const scanRows = async (where: string): Promise<number> => {
      const r = await session.sql(`EXPLAIN ANALYZE SELECT id, note FROM t WHERE ${where}`);
      const lines = r.rows.map((x) => x[0] as string);
      const line = lines.find((l) => l.includes('TableScanExec'));
      const m = /rows=(\d+)/.exec(line ?? '');
      if (m === null) throw new Error(`no scan line in ${lines.join('\n')}`);
      return Number(m[1]);
    };
    expect(await scanRows('a = 5')).toBe(ALL.filter((x) => x.a === 5).length);
    expect(await scanRows("a = 5 AND s = 'AIR'")).toBe(ALL.filter((x) => x.a === 5 && x.s === 'AIR').length);
    expect(await scanRows('id > 100')).toBe(ROWS);
  });

  it('a broadcast join hands its build keys to the scan of the probe side, where no probe row without a match is needed', async () => {
    const keys = new Set([3, 5, 96]);
    const inner = await session.sql(
      'SELECT t.id, k.x FROM t JOIN (VALUES (3), (5), (96)) AS k(x) ON t.a = k.x ORDER BY t.id',
    );
    const matching = ALL.filter((x) => x.a !== null && keys.has(x.a));
    expect(inner.rows).toEqual(matching.map((x) => [x.id, x.a]));
    const plan = await session.sql(
      'EXPLAIN ANALYZE SELECT t.id, t.note FROM t JOIN (VALUES (3), (5), (96)) AS k(x) ON t.a = k.x',
    );
    const scan = plan.rows.map((x) => x[0] as string).find((l) => l.includes('TableScanExec: default.t'));
    expect(scan).toContain(`rows=${matching.length},`);
    // The preserved side of an outer join, and the rows NOT IN / EXISTS decide on, are all read.
    const outer = await session.sql(
      'SELECT count(*), count(k.x) FROM t LEFT JOIN (VALUES (3), (5), (96)) AS k(x) ON t.a = k.x',
    );
    expect(outer.rows).toEqual([[BigInt(ROWS), BigInt(matching.length)]]);
    const notIn = await session.sql(
      'SELECT count(*) FROM t WHERE a NOT IN (SELECT x FROM VALUES (3), (5), (96) AS k(x))',
    );
    expect(notIn.rows).toEqual([[BigInt(ALL.filter((x) => x.a !== null && !keys.has(x.a)).length)]]);
    const exists = await session.sql(
      'SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM VALUES (3), (5), (96) AS k(x) WHERE k.x = t.a) AND id % 2 = 0',
    );
    expect(exists.rows).toEqual([[BigInt(matching.filter((x) => x.id % 2 === 0).length)]]);
  });

  it('join key steps reach the scan through other joins, except where a dropped row would change the outer rows', async () => {
    // The VALUES join's keys pass through the inner join with u to the scan of t.
    const twoJoins = await session.sql(
      'SELECT count(*) FROM t JOIN (SELECT id AS uid, a AS ua FROM t) u ON t.id = u.uid JOIN (VALUES (3), (5)) AS k(x) ON t.a = k.x',
    );
    expect(twoJoins.rows).toEqual([[BigInt(ALL.filter((x) => x.a === 3 || x.a === 5).length)]]);
    // Above a right join, a filter keeping only NULL-extended rows must not thin out the joined
    // side: the VALUES row 1 has matches in t (b = 1), so only the row 1000 comes out unmatched.
    const outer = await session.sql(
      'SELECT k.y FROM t RIGHT JOIN (VALUES (1), (1000)) AS k(y) ON t.b = k.y WHERE t.id IS NULL OR t.id < 0',
    );
    expect(outer.rows).toEqual([[1000]]);
    const full = await session.sql(
      'SELECT k.y FROM t FULL JOIN (VALUES (1), (1000)) AS k(y) ON t.b = k.y WHERE t.id IS NULL OR t.id < 0',
    );
    expect(full.rows).toEqual([[1000]]);
  });
});
