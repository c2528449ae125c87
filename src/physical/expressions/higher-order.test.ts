import { serialize, deserialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EngineError,
  T,
  columnFromValues,
  makeBatch,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import { createFunctionRegistry } from '../../functions/index.ts';
import type { Attribute, Expr, LambdaFunction, LambdaVariable } from '../../plan/index.ts';
import type { ExprSpec } from '../execution-plan.ts';
import { compileExprSpec, createPhysicalExpr, defaultEvalContext } from './create-physical-expr.ts';

const reg = createFunctionRegistry();
const ctx = defaultEvalContext();
const INT = T.int;
const ARR = T.array(INT);
const MAP: DataType = { kind: 'map', key: INT, value: INT, valueContainsNull: true };

const attr = (id: number, name: string, type: DataType): Attribute => ({
  id,
  name,
  type,
  nullable: true,
  qualifier: null,
});
const arrCol = attr(7, 'arr', ARR);
const cCol = attr(8, 'c', INT);
const mapCol = attr(9, 'm', MAP);
const map2Col = attr(10, 'm2', MAP);
const input = [arrCol, cCol, mapCol, map2Col];

const col = (a: Attribute): Expr => ({ kind: 'column', attr: a });
const v = (id: number, name: string, type: DataType = INT): LambdaVariable => ({
  id,
  name,
  type,
  nullable: true,
});
const ref = (p: LambdaVariable): Expr => ({ kind: 'lambda_var', variable: p });
const lit = (value: Value, type: DataType = INT): Expr => ({ kind: 'literal', value, type });
const bin = (op: '+' | '-' | '*' | '>' | '<' | '=', left: Expr, right: Expr): Expr => ({
  kind: 'binary',
  op,
  left,
  right,
  type: op === '>' || op === '<' || op === '=' ? T.boolean : INT,
  failOnError: true,
});
const lambda = (params: LambdaVariable[], body: Expr): LambdaFunction => ({ params, body });
const hof = (name: string, args: Expr[], lambdas: LambdaFunction[], type: DataType): Expr => ({
  kind: 'higher_order',
  name,
  args,
  lambdas,
  type,
  nullable: true,
  failOnError: true,
});

interface Row {
  arr: (number | null)[] | null;
  c: number | null;
  m: Map<number, number | null> | null;
  m2: Map<number, number | null> | null;
}

function batchOf(rows: readonly Row[]) {
  return makeBatch(
    { fields: input.map((a) => ({ name: a.name, type: a.type, nullable: true })) },
    [
      columnFromValues(
        ARR,
        rows.map((r) => r.arr),
      ),
      columnFromValues(
        INT,
        rows.map((r) => r.c),
      ),
      columnFromValues(
        MAP,
        rows.map((r) => r.m),
      ),
      columnFromValues(
        MAP,
        rows.map((r) => r.m2),
      ),
    ],
    rows.length,
  );
}

/** Evaluates `e` over `rows`, directly and through its plain-data spec after a V8 round trip. */
function run(e: Expr, rows: readonly Row[]): Value[] {
  const b = batchOf(rows);
  const p = createPhysicalExpr(e, input, reg);
  const direct = p.evaluate(b, ctx);
  const spec = deserialize(serialize(p.spec)) as ExprSpec;
  const decoded = compileExprSpec(spec, reg).evaluate(b, ctx);
  const values = (r: typeof direct): Value[] =>
    rows.map((_, i) => (r.kind === 'scalar' ? r.value : valueAt(r.data, p.type, i)));
  const out = values(direct);
  expect(values(decoded)).toEqual(out);
  return out;
}

const small = fc.integer({ min: -20, max: 20 });
const element = fc.option(small, { freq: 5 });
const rowArb: fc.Arbitrary<Row> = fc.record({
  arr: fc.option(fc.array(element, { maxLength: 12 }), { freq: 6 }),
  c: fc.option(small, { freq: 6 }),
  m: fc.option(
    fc
      .uniqueArray(fc.tuple(small, element), { selector: (t) => t[0], maxLength: 5 })
      .map((es) => new Map(es)),
    { freq: 6 },
  ),
  m2: fc.option(
    fc
      .uniqueArray(fc.tuple(small, element), { selector: (t) => t[0], maxLength: 5 })
      .map((es) => new Map(es)),
    { freq: 6 },
  ),
});
const rowsArb = fc.array(rowArb, { maxLength: 12 });

const add = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

describe('higher-order functions against a row-at-a-time reference', () => {
  it('transform with the index reads the row (x * c + i)', () => {
    const x = v(0, 'x');
    const i = v(1, 'i');
    const e = hof(
      'transform',
      [col(arrCol)],
      [lambda([x, i], bin('+', bin('*', ref(x), col(cCol)), ref(i)))],
      ARR,
    );
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const expected = rows.map((r) =>
          r.arr === null ? null : r.arr.map((el, k) => add(el === null || r.c === null ? null : el * r.c, k)),
        );
        expect(run(e, rows)).toEqual(expected);
      }),
    );
  });

  it('filter, exists and forall follow three-valued logic', () => {
    const x = v(0, 'x');
    const pred = lambda([x], bin('>', ref(x), col(cCol)));
    const gt = (el: number | null, c: number | null): boolean | null =>
      el === null || c === null ? null : el > c;
    fc.assert(
      fc.property(rowsArb, (rows) => {
        expect(run(hof('filter', [col(arrCol)], [pred], ARR), rows)).toEqual(
          rows.map((r) => (r.arr === null ? null : r.arr.filter((el) => gt(el, r.c) === true))),
        );
        expect(run(hof('exists', [col(arrCol)], [pred], T.boolean), rows)).toEqual(
          rows.map((r) => {
            if (r.arr === null) return null;
            const t = r.arr.map((el) => gt(el, r.c));
            return t.includes(true) ? true : t.includes(null) ? null : false;
          }),
        );
        expect(run(hof('forall', [col(arrCol)], [pred], T.boolean), rows)).toEqual(
          rows.map((r) => {
            if (r.arr === null) return null;
            const t = r.arr.map((el) => gt(el, r.c));
            return t.includes(false) ? false : t.includes(null) ? null : true;
          }),
        );
      }),
    );
  });

  it('aggregate folds left to right from the row start value, then finishes', () => {
    const acc = v(0, 'acc');
    const x = v(1, 'x');
    // acc * 2 - x: a NULL element makes the rest NULL
    const merge = lambda([acc, x], bin('-', bin('*', ref(acc), lit(2)), ref(x)));
    const finish = lambda([acc], bin('+', ref(acc), lit(1000)));
    const e = hof('aggregate', [col(arrCol), col(cCol)], [merge, finish], INT);
    fc.assert(
      fc.property(rowsArb, (rows) => {
        // short arrays keep the accumulator within INT
        const bounded = rows.map((r) => ({ ...r, arr: r.arr === null ? null : r.arr.slice(0, 6) }));
        const expected = bounded.map((r) => {
          if (r.arr === null) return null;
          let a: number | null = r.c;
          for (const el of r.arr) a = a === null || el === null ? null : a * 2 - el;
          return a === null ? null : a + 1000;
        });
        expect(run(e, bounded)).toEqual(expected);
      }),
    );
  });

  it('array_sort with a comparator is a stable sort by the comparator', () => {
    const l = v(0, 'l');
    const r = v(1, 'r');
    // compares by absolute value, NULLs first: ties (x and -x) keep their order
    const abs = (e: Expr): Expr => ({
      kind: 'call',
      name: 'abs',
      args: [e],
      type: INT,
      nullable: true,
      failOnError: true,
    });
    const isNull = (e: Expr): Expr => ({
      kind: 'unary',
      op: 'is_null',
      input: e,
      type: T.boolean,
      failOnError: true,
    });
    const body: Expr = {
      kind: 'case',
      branches: [
        {
          when: {
            kind: 'binary',
            op: 'and',
            left: isNull(ref(l)),
            right: isNull(ref(r)),
            type: T.boolean,
            failOnError: true,
          },
          then: lit(0),
        },
        { when: isNull(ref(l)), then: lit(-1) },
        { when: isNull(ref(r)), then: lit(1) },
      ],
      otherwise: bin('-', abs(ref(l)), abs(ref(r))),
      type: INT,
    };
    const e = hof('array_sort', [col(arrCol)], [lambda([l, r], body)], ARR);
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const key = (el: number | null): number => (el === null ? -1 : Math.abs(el));
        const expected = rows.map((row) =>
          row.arr === null ? null : [...row.arr].sort((a, b) => key(a) - key(b)),
        );
        expect(run(e, rows)).toEqual(expected);
      }),
    );
  });

  it('array_sort with an inconsistent comparator still returns the elements, each once', () => {
    const l = v(0, 'l');
    const r = v(1, 'r');
    // (l * 7 + r * 3) % 5 - 2: neither antisymmetric nor transitive
    const mod: Expr = {
      kind: 'binary',
      op: '%',
      left: bin('+', bin('*', ref(l), lit(7)), bin('*', ref(r), lit(3))),
      right: lit(5),
      type: INT,
      failOnError: true,
    };
    const e = hof('array_sort', [col(arrCol)], [lambda([l, r], bin('-', mod, lit(2)))], ARR);
    fc.assert(
      fc.property(fc.array(fc.array(small, { maxLength: 40 }), { maxLength: 6 }), (arrays) => {
        const rows = arrays.map((arr) => ({ arr, c: 0, m: null, m2: null }));
        const got = run(e, rows) as number[][];
        got.forEach((sorted, i) =>
          expect([...sorted].sort((x, y) => x - y)).toEqual([...arrays[i]!].sort((x, y) => x - y)),
        );
      }),
    );
  });

  it('array_sort raises 22004 when the comparator returns NULL', () => {
    const e = hof('array_sort', [col(arrCol)], [lambda([v(0, 'l'), v(1, 'r')], lit(null))], ARR);
    expect(() => run(e, [{ arr: [2, 1], c: 0, m: null, m2: null }])).toThrow(EngineError);
    // one element needs no comparison
    expect(run(e, [{ arr: [2], c: 0, m: null, m2: null }])).toEqual([[2]]);
  });

  it('map_zip_with pairs values by key, the first map keys first', () => {
    const k = v(0, 'k');
    const v1 = v(1, 'v1');
    const v2 = v(2, 'v2');
    const coalesce0 = (e: Expr): Expr => ({
      kind: 'call',
      name: 'coalesce',
      args: [e, lit(0)],
      type: INT,
      nullable: false,
      failOnError: true,
    });
    const body = bin('+', bin('*', coalesce0(ref(v1)), lit(100)), coalesce0(ref(v2)));
    const e = hof('map_zip_with', [col(mapCol), col(map2Col)], [lambda([k, v1, v2], body)], MAP);
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const expected = rows.map((r) => {
          if (r.m === null || r.m2 === null) return null;
          const out = new Map<number, number>();
          const keys = [...r.m.keys(), ...[...r.m2.keys()].filter((key) => !r.m!.has(key))];
          for (const key of keys) out.set(key, (r.m.get(key) ?? 0) * 100 + (r.m2.get(key) ?? 0));
          return out;
        });
        const got = run(e, rows).map((m) => (m === null ? null : [...(m as Map<Value, Value>).entries()]));
        expect(got).toEqual(expected.map((m) => (m === null ? null : [...m.entries()])));
      }),
    );
  });

  it('transform_keys raises on NULL and repeated keys; transform_values keeps the keys', () => {
    const k = v(0, 'k');
    const val = v(1, 'v');
    const rows: Row[] = [
      {
        arr: null,
        c: 3,
        m: new Map([
          [1, 10],
          [2, null],
        ]),
        m2: null,
      },
    ];
    const values = hof(
      'transform_values',
      [col(mapCol)],
      [lambda([k, val], bin('+', ref(val), col(cCol)))],
      MAP,
    );
    expect(run(values, rows)).toEqual([
      new Map([
        [1, 13],
        [2, null],
      ]),
    ]);
    const dup = hof('transform_keys', [col(mapCol)], [lambda([k, val], col(cCol))], MAP);
    expect(() => run(dup, rows)).toThrow(/DUPLICATED_MAP_KEY/);
    const nul = hof('transform_keys', [col(mapCol)], [lambda([k, val], ref(val))], MAP);
    expect(() => run(nul, rows)).toThrow(/NULL_MAP_KEY/);
  });

  it('nested lambdas read the enclosing parameter and a shadowing parameter wins', () => {
    const x = v(0, 'x');
    const y = v(1, 'y');
    const inner = hof('transform', [col(arrCol)], [lambda([y], bin('+', ref(x), ref(y)))], ARR);
    const outer = hof('transform', [col(arrCol)], [lambda([x], inner)], T.array(ARR));
    const rows: Row[] = [
      { arr: [1, 2], c: 0, m: null, m2: null },
      { arr: null, c: 0, m: null, m2: null },
      { arr: [], c: 0, m: null, m2: null },
      { arr: [5], c: 0, m: null, m2: null },
    ];
    expect(run(outer, rows)).toEqual([
      [
        [2, 3],
        [3, 4],
      ],
      null,
      [],
      [[10]],
    ]);
    // an inner parameter with the outer one's id shadows it
    const x2 = v(0, 'x');
    const shadowed = hof(
      'transform',
      [col(arrCol)],
      [lambda([x], hof('transform', [lit([7, 8], ARR)], [lambda([x2], ref(x2))], ARR))],
      T.array(ARR),
    );
    expect(run(shadowed, rows)).toEqual([
      [
        [7, 8],
        [7, 8],
      ],
      null,
      [],
      [[7, 8]],
    ]);
  });
});
