import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T, field, type DataType, type Field, type Value } from '../../common/index.ts';
import type { ComparisonOp, Expr } from '../../plan/index.ts';
import {
  and,
  cast,
  cmp,
  col,
  inList,
  isNull,
  lit,
  or,
  parquetDef,
  readScan,
  tempDir,
  writeParquet,
} from './parquet-test-support.ts';

// 20 row groups of 2,048 rows; x = row number, so row group g holds x in [2048g, 2048g + 2047].
const ROWS = 20 * 2048;
const DAY0 = Date.UTC(2020, 0, 1) / 86_400_000;

const COLUMNS: Field[] = [
  field('x', T.int),
  field('y', T.int),
  field('s', T.string),
  field('dt', T.date),
  field('d', T.decimal(15, 2)),
  field('f', T.double),
  field('ts', T.timestampNtz),
  field('b', T.bigint),
];
const X = col('x', T.int);
const Y = col('y', T.int);
const S = col('s', T.string);
const DT = col('dt', T.date);
const D = col('d', T.decimal(15, 2));
const F = col('f', T.double);
const TS = col('ts', T.timestampNtz);

let dir: string;
let file: string;

beforeAll(async () => {
  dir = tempDir();
  file = path.join(dir, 'p.parquet');
  await writeParquet(
    `SELECT i::INT AS x,
       CASE WHEN i // 2048 = 2 THEN NULL ELSE (i % 1000)::INT END AS y,
       CASE WHEN i // 2048 = 19 THEN 'é' || (i % 3) ELSE chr(97 + (i // 2048)::INT) || (i % 3) END AS s,
       DATE '2020-01-01' + (i // 100)::INT AS dt,
       (i * 0.5)::DECIMAL(15,2) AS d,
       CASE WHEN i = 5 * 2048 + 7 THEN 'NaN'::DOUBLE ELSE i / 2 END AS f,
       (TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND)::TIMESTAMP_NS AS ts,
       i::BIGINT AS b
     FROM range(${ROWS}) r(i)`,
    file,
    2048,
  );
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function survivors(filters: Expr[]): Promise<number> {
  const { scan, rows } = await readScan(parquetDef(file, COLUMNS), { filters, projection: [0] });
  // A predicate that can never hold prunes the file before its footer is read.
  expect([0, 20]).toContain(scan.plan?.rowGroupsTotal);
  expect(scan.metrics.rowGroupsDecoded).toBe(scan.plan?.rowGroupsRead);
  expect(rows.length).toBe(scan.plan!.rowGroupsRead * 2048);
  return scan.metrics.rowGroupsDecoded;
}

const i32 = (v: number): Expr => lit(v, T.int);

describe('row-group pruning', () => {
  it('prunes comparisons with literals, either side', async () => {
    expect(await survivors([cmp('>', X, i32(5000))])).toBe(18);
    expect(await survivors([cmp('=', X, i32(17))])).toBe(1);
    expect(await survivors([cmp('<', i32(40000), X)])).toBe(1);
    expect(await survivors([cmp('<=', X, i32(2047))])).toBe(1);
    expect(await survivors([cmp('<=', X, i32(2048))])).toBe(2);
    expect(await survivors([cmp('>=', X, i32(ROWS))])).toBe(0);
    expect(await survivors([cmp('<=>', X, i32(4096))])).toBe(1);
    expect(await survivors([cmp('<>', X, i32(4096))])).toBe(20);
    expect(await survivors([cmp('=', X, lit(null, T.int))])).toBe(0);
  });

  it('prunes BETWEEN (as the analyzer desugars it), AND and OR', async () => {
    const between = and(cmp('>=', DT, lit(DAY0 + 100, T.date)), cmp('<=', DT, lit(DAY0 + 130, T.date)));
    expect(await survivors([between])).toBe(3); // x in [10000, 13099]: row groups 4, 5, 6
    expect(await survivors([or(cmp('=', X, i32(1)), cmp('=', X, i32(40000)))])).toBe(2);
    expect(await survivors([cmp('>', X, i32(4095)), cmp('<', X, i32(8192))])).toBe(2);
    expect(await survivors([or(cmp('=', X, i32(1)), cmp('=', Y, i32(5)))])).toBe(19);
  });

  it('prunes IN lists and compares strings as unsigned UTF-8 bytes', async () => {
    expect(await survivors([inList(S, [lit('a1', T.string), lit('b2', T.string)])])).toBe(2);
    expect(await survivors([inList(S, [lit('zz', T.string), lit(null, T.string)])])).toBe(0);
    expect(await survivors([inList(S, [lit('a1', T.string)], true)])).toBe(20);
    expect(await survivors([cmp('>', S, lit('z', T.string))])).toBe(1); // 'é…' sorts after 'z' as bytes
    expect(await survivors([cmp('>=', S, lit('s', T.string))])).toBe(2);
  });

  it('prunes IS NULL / IS NOT NULL with null counts', async () => {
    expect(await survivors([isNull(Y)])).toBe(1);
    expect(await survivors([isNull(Y, true)])).toBe(19);
    expect(await survivors([isNull(X)])).toBe(0);
    expect(await survivors([cmp('<=>', Y, lit(null, T.int))])).toBe(1);
    expect(await survivors([cmp('>=', Y, i32(0))])).toBe(19); // the all-NULL row group never matches
  });

  it('prunes decimals, nanosecond timestamps and order-preserving casts', async () => {
    expect(await survivors([cmp('<', D, lit(100000n, T.decimal(15, 2)))])).toBe(1); // d < 1000.00
    expect(await survivors([cmp('>', cast(X, T.bigint), lit(39000n, T.bigint))])).toBe(1);
    expect(await survivors([cmp('<', cast(X, T.decimal(12, 2)), lit(10000n, T.decimal(12, 2)))])).toBe(1);
    expect(await survivors([cmp('<', cast(S, T.int), i32(3))])).toBe(20); // not order-preserving: ignored
    const ts = BigInt(Date.UTC(2020, 0, 1)) * 1000n + 40000n * 1_000_000n;
    expect(await survivors([cmp('>=', TS, lit(ts, T.timestampNtz))])).toBe(1);
  });

  it('never prunes float rows a NaN could satisfy', async () => {
    expect(await survivors([cmp('>', F, lit(1e9, T.double))])).toBe(20);
    // Row group 0 matches; row group 5 holds the NaN, which DuckDB may write as its max (then unknown).
    expect([1, 2]).toContain(await survivors([cmp('<', F, lit(100, T.double))]));
  });

  it('ignores what it does not understand', async () => {
    const call: Expr = {
      kind: 'call',
      name: 'abs',
      args: [X],
      type: T.int,
      nullable: true,
      failOnError: true,
    };
    expect(await survivors([cmp('=', call, i32(3))])).toBe(20);
    expect(await survivors([cmp('=', X, Y)])).toBe(20);
    expect(await survivors([cmp('=', col('unknown', T.int), i32(3))])).toBe(20);
  });

  it('describes the pruned scan', async () => {
    const { scan } = await readScan(parquetDef(file, COLUMNS), {
      filters: [cmp('>', X, i32(36000))],
      projection: [0, 2],
      targetPartitions: 2,
      limit: 10,
    });
    expect(scan.describe()).toBe(
      'ParquetScan: t, files=1, row groups=3/20, projection=[x, s], partitions=2, limit=10',
    );
  });

  it('never loses rows: pruned and unpruned scans agree after filtering (property)', async () => {
    const def = parquetDef(file, COLUMNS);
    const all = (await readScan(def, { projection: [0, 1, 2, 3, 4] })).rows;
    const types: DataType[] = [T.int, T.int, T.string, T.date, T.decimal(15, 2)];
    const columns = [X, Y, S, DT, D];
    const literal = (c: number): fc.Arbitrary<Value> => {
      switch (c) {
        case 0:
          return fc.oneof(fc.integer({ min: -100, max: ROWS + 100 }), fc.constant(null));
        case 1:
          return fc.oneof(fc.integer({ min: -5, max: 1005 }), fc.constant(null));
        case 2:
          return fc.constantFrom('a0', 'b1', 'c', 'k2', 't0', 'é1', '', 'zz', 'b0', null);
        case 3:
          return fc.integer({ min: DAY0 - 5, max: DAY0 + Math.floor(ROWS / 100) + 5 });
        default:
          return fc.bigInt({ min: -100n, max: BigInt(ROWS) * 50n + 100n });
      }
    };
    const leaf: fc.Arbitrary<Expr> = fc.integer({ min: 0, max: 4 }).chain((c) =>
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom<ComparisonOp>('=', '<>', '<', '<=', '>', '>=', '<=>'),
            literal(c),
            fc.boolean(),
          )
          .map(([op, v, flip]) =>
            flip ? cmp(op, lit(v, types[c]!), columns[c]!) : cmp(op, columns[c]!, lit(v, types[c]!)),
          ),
        fc.array(literal(c), { minLength: 1, maxLength: 3 }).map((vs) =>
          inList(
            columns[c]!,
            vs.map((v) => lit(v, types[c]!)),
          ),
        ),
        fc.boolean().map((neg) => isNull(columns[c]!, neg)),
      ),
    );
    const expr: fc.Arbitrary<Expr> = fc.oneof(
      { weight: 3, arbitrary: leaf },
      { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => and(a, b)) },
      { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => or(a, b)) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(expr, { minLength: 1, maxLength: 2 }), async (filters) => {
        const pruned = (await readScan(def, { projection: [0, 1, 2, 3, 4], filters })).rows;
        const keep = (row: Value[]): boolean => filters.every((f) => evaluate(f, row) === true);
        const ids = (rows: Value[][]): Value[] => rows.filter(keep).map((r) => r[0]!);
        expect(ids(pruned)).toEqual(ids(all));
      }),
      { numRuns: 30 },
    );
  });
});

const NAMES = ['x', 'y', 's', 'dt', 'd'];

/** A naive row-at-a-time evaluator with SQL's three-valued logic (the oracle). */
function evaluate(e: Expr, row: Value[]): Value {
  switch (e.kind) {
    case 'column':
      return row[NAMES.indexOf(e.attr.name)]!;
    case 'literal':
      return e.value;
    case 'binary': {
      const l = evaluate(e.left, row);
      const r = evaluate(e.right, row);
      if (e.op === 'and') return l === false || r === false ? false : l === null || r === null ? null : true;
      if (e.op === 'or') return l === true || r === true ? true : l === null || r === null ? null : false;
      if (e.op === '<=>') return l === null || r === null ? l === r : compare(l, r) === 0;
      if (l === null || r === null) return null;
      const c = compare(l, r);
      switch (e.op) {
        case '=':
          return c === 0;
        case '<>':
          return c !== 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
        default:
          throw new Error(e.op);
      }
    }
    case 'in_list': {
      const v = evaluate(e.input, row);
      if (v === null) return null;
      let sawNull = false;
      for (const item of e.list) {
        const w = evaluate(item, row);
        if (w === null) sawNull = true;
        else if (compare(v, w) === 0) return !e.negated;
      }
      return sawNull ? null : e.negated;
    }
    case 'unary': {
      const v = evaluate(e.input, row);
      if (e.op === 'is_null') return v === null;
      if (e.op === 'is_not_null') return v !== null;
      throw new Error(e.op);
    }
    default:
      throw new Error(e.kind);
  }
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') {
    // Code-point order is UTF-8 byte order; the test strings are all in the BMP.
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

describe('row-group pruning of TIME columns', () => {
  let timeFile = '';
  beforeAll(async () => {
    timeFile = path.join(tempDir('kindling-parquet-time-prune-'), 't.parquet');
    // Row group g holds the seconds [2048g, 2048g + 2047] after midnight.
    await writeParquet(
      `SELECT TIME '00:00:00' + INTERVAL (i) SECOND AS t FROM range(${ROWS}) r(i)`,
      timeFile,
      2048,
    );
  });

  it('prunes by the footers’ bounds, at the declared precision too', async () => {
    const scanned = async (type: DataType, filter: Expr): Promise<number> => {
      const { scan, rows } = await readScan(parquetDef(timeFile, [field('t', type)]), { filters: [filter] });
      expect(rows.length).toBe(scan.metrics.rowGroupsDecoded * 2048);
      return scan.metrics.rowGroupsDecoded;
    };
    const t = (seconds: number, micros = 0): Value => BigInt(seconds) * 1_000_000n + BigInt(micros);
    const T0: DataType = { kind: 'time', precision: 0 };
    expect(await scanned(T.time, cmp('>=', col('t', T.time), lit(t(38_000), T.time)))).toBe(2);
    expect(await scanned(T.time, cmp('=', col('t', T.time), lit(t(2048), T.time)))).toBe(1);
    expect(await scanned(T.time, cmp('<', col('t', T.time), lit(t(0), T.time)))).toBe(0);
    expect(await scanned(T0, cmp('<=', col('t', T0), lit(t(2047), T0)))).toBe(1);
    // Seconds carry no fraction: a bound just past 4095 s still excludes row group 2.
    expect(await scanned(T.time, cmp('<=', col('t', T.time), lit(t(4095, 500), T.time)))).toBe(2);
  });
});
